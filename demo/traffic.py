"""Traffic for the support agent: many conversations with a realistic mix, driven concurrently.

``plan(n, seed)`` decides everything up front — tenant, user, the kind of journey (FAQ question,
order status, refund, complaint, legal threat, ...), every message, which turns ask the fake
provider for an error or a slow answer, how the conversation ends and the feedback — so the same
seed always gives the same traffic. ``run(base_url, plans)`` plays the plans against the app with a
small pool of workers, within a deadline, and returns a ``Summary``: conversations by outcome,
turns, errors, and trace ids to look at.

    python -m demo.traffic --url http://127.0.0.1:8000 --conversations 30 --seed 7
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field

import httpx

TENANTS = ("acme", "globex", "initech")
#: Where the customers write from, in turn (the conversation's channel; not drawn from the seed, so
#: a seed gives the same conversations as before channels existed).
CHANNELS = ("web", "chat", "email", "web", "voice")
#: Journey kinds and their weights: what the conversations are about and how they end.
KINDS: dict[str, int] = {
    "faq": 20, "order_status": 16, "shipping": 8, "refund_small": 7, "refund_over_limit": 5,
    "return": 6, "order_not_found": 4, "tool_call": 4, "abandoned": 8, "low_confidence": 4,
    "legal": 3, "complaint": 4, "angry": 4, "human": 4,
}
#: The first conversations of every plan, most telling first, so that even a short run shows each
#: outcome, several escalation reasons, a provider error, a slow call and a model-chosen tool: a
#: kind and the scenario of its first turn.
SHOWCASE: tuple[tuple[str, str | None], ...] = (
    ("faq", None), ("order_status", "answer=error_429"), ("refund_over_limit", None), ("abandoned", None),
    ("legal", None), ("tool_call", "classify=tool_call"), ("faq", "answer=slow"), ("angry", None),
    ("low_confidence", None), ("order_not_found", None), ("refund_small", "answer=error_500"),
    ("complaint", None), ("shipping", "classify=malformed"), ("human", None),
)
#: Share of turns that ask the fake provider to fail, and to answer slowly.
ERROR_SHARE = 0.08
SLOW_SHARE = 0.06
#: Provider failures requested on error turns (fake provider scenarios).
ERROR_SCENARIOS = ("error_429", "error_500", "malformed")

_FAQ = (
    "How long does shipping take?", "What is your return policy?", "Do you ship to Canada?",
    "Which payment methods do you accept? Can I pay with PayPal?", "I forgot my password, how do I reset it?",
    "How do gift cards work?", "Can I exchange a rug for a different size?", "Do your lamps have a warranty?",
    "How much does express shipping cost?", "My mug set arrived broken, what can I do?",
)
_FOLLOW_UPS = ("Thanks! And how much is express shipping?", "Great, and can I return it if it does not fit?",
               "Thanks. How do I reach a person if I need one?")
_OFF_TOPIC = ("Do you sell pizza?", "Is the oak table available in walnut?", "What is the meaning of life?",
              "Can you recommend a good movie?", "Do you have a loyalty programme for teachers?")
_ESCALATING = {
    "legal": ("I will contact my lawyer about order #{order} if this is not fixed.",
              "This violates consumer protection law, I am taking you to court."),
    "complaint": ("I want to file a complaint about your terrible service.",
                  "Your delivery of order #{order} was a disgrace, I want to complain."),
    "angry": ("WHERE IS MY ORDER #{order}?? THIS IS RIDICULOUS!!!", "This is useless, I am fed up with waiting for order #{order}."),
    "human": ("Can I speak to a real person please?", "I would like to talk to a representative about order #{order}."),
}
_FEEDBACK = {  # outcome -> (probability of feedback, score weights for 1..5)
    "resolved": (0.7, (0, 1, 2, 7, 10)),
    "escalated": (0.5, (2, 3, 3, 2, 0)),
    "abandoned": (0.15, (4, 4, 2, 0, 0)),
}
_COMMENTS = {1: "Not helpful at all.", 2: "Slow and confusing.", 3: "It was okay.", 4: "Quick answer, thanks.",
             5: "Perfect, solved in a minute!"}


@dataclass(frozen=True)
class Turn:
    message: str
    scenario: str | None = None  # the x-fake-scenario header, e.g. "answer=error_429"
    stream: bool = False


@dataclass(frozen=True)
class ConversationPlan:
    id: str
    tenant: str
    user: str
    kind: str
    turns: tuple[Turn, ...]
    end: str | None  # "resolved" / "abandoned" via /end, None when the agent escalates
    feedback: tuple[int, str] | None
    channel: str = "web"


def _order(rng: random.Random, exists: bool = True) -> str:
    return str(rng.randint(90000, 99999) if not exists else rng.choice((rng.randint(1000, 8999), rng.randint(10000, 89999))))


def _turns(kind: str, rng: random.Random) -> list[str]:
    order = _order(rng)
    if kind == "faq":
        return [rng.choice(_FAQ)] + ([rng.choice(_FOLLOW_UPS)] if rng.random() < 0.4 else [])
    if kind == "order_status":
        first = rng.choice(("Where is my order #{o}?", "What is the status of order {o}?", "Has order #{o} shipped yet?"))
        return [first.format(o=order)] + (["When will it be delivered?"] if rng.random() < 0.5 else [])
    if kind == "shipping":
        return [rng.choice(("When will order #{o} be delivered?", "Which carrier ships order #{o}?")).format(o=order)]
    if kind == "refund_small":
        return [f"I would like a refund of ${rng.randint(5, 19)} for order #{order}, one item was missing."]
    if kind == "refund_over_limit":
        return [f"Please refund ${rng.randint(200, 900)} for order #{order}, the rug is the wrong colour."]
    if kind == "return":
        return [f"How do I return order #{order}?", "Is the return label free?"][: rng.randint(1, 2)]
    if kind == "order_not_found":
        return [f"Where is my order #{_order(rng, exists=False)}?"]
    if kind == "tool_call":
        return [f"Check the status of order #{order} please."]
    if kind == "abandoned":
        return [rng.choice(_FAQ + _OFF_TOPIC)]
    if kind == "low_confidence":
        return rng.sample(_OFF_TOPIC, 2)
    return [rng.choice(_ESCALATING[kind]).format(order=order)]


def _expected_outcome(kind: str) -> str:
    if kind in ("refund_over_limit", "low_confidence", *_ESCALATING):
        return "escalated"
    return "abandoned" if kind in ("abandoned", "order_not_found") else "resolved"


def plan(n: int, seed: int = 1, prefix: str = "demo") -> list[ConversationPlan]:
    """``n`` conversations, the same for the same ``seed``. Ids are ``{prefix}-{seed}-{i}``."""
    rng = random.Random(seed)
    kinds, weights = zip(*KINDS.items())
    plans = []
    for i in range(n):
        kind, forced = SHOWCASE[i] if i < len(SHOWCASE) else (rng.choices(kinds, weights)[0], None)
        turns = []
        for t, message in enumerate(_turns(kind, rng)):
            roll = rng.random()
            if forced and t == 0:
                scenario = forced
            elif kind == "tool_call":
                scenario = "classify=tool_call"
            elif roll < ERROR_SHARE:
                scenario = f"{rng.choice(('answer', 'answer', 'classify'))}={rng.choice(ERROR_SCENARIOS)}"
            elif roll < ERROR_SHARE + SLOW_SHARE:
                scenario = "answer=slow"
            else:
                scenario = None
            turns.append(Turn(message, scenario, stream=rng.random() < 0.4))
        outcome = _expected_outcome(kind)
        if outcome == "resolved" and rng.random() < 0.1:
            outcome = "abandoned"  # answered, but the customer just left
        chance, weights_1_to_5 = _FEEDBACK[outcome]
        feedback = None
        if rng.random() < chance:
            score = rng.choices(range(1, 6), weights_1_to_5)[0]
            feedback = (score, _COMMENTS[score])
        plans.append(ConversationPlan(
            id=f"{prefix}-{seed}-{i:04d}", tenant=rng.choice(TENANTS), user=f"u-{rng.randint(1, max(5, n // 2)):04d}",
            kind=kind, turns=tuple(turns), end=None if outcome == "escalated" else outcome, feedback=feedback,
            channel=CHANNELS[i % len(CHANNELS)]))
    return plans


@dataclass
class ConversationResult:
    id: str
    kind: str
    tenant: str
    outcome: str  # resolved, escalated, abandoned, failed (an HTTP error ended it) or skipped
    escalation_reason: str | None = None
    turns: int = 0
    trace_ids: list[str] = field(default_factory=list)
    http_errors: list[str] = field(default_factory=list)
    provider_errors: list[str] = field(default_factory=list)
    tool_errors: list[str] = field(default_factory=list)
    feedback: int | None = None
    intent: str | None = None
    examples: dict[str, str] = field(default_factory=dict)  # what a trace shows -> trace id


@dataclass
class Summary:
    conversations: int
    elapsed_seconds: float
    outcomes: dict[str, int]
    escalation_reasons: dict[str, int]
    intents: dict[str, int]
    tenants: dict[str, int]
    turns: int
    http_errors: int
    provider_errors: int
    tool_errors: int
    feedback_count: int
    feedback_mean: float | None
    example_traces: dict[str, str]  # a trace id per outcome (escalations by reason)
    results: list[ConversationResult] = field(repr=False, default_factory=list)

    def to_text(self) -> str:
        def counts(d: dict[str, int]) -> str:
            return ", ".join(f"{k} {v}" for k, v in sorted(d.items(), key=lambda kv: (-kv[1], kv[0]))) or "none"

        lines = [
            f"{self.conversations} conversations, {self.turns} turns in {self.elapsed_seconds:.1f}s",
            f"  outcomes:           {counts(self.outcomes)}",
            f"  escalation reasons: {counts(self.escalation_reasons)}",
            f"  intents:            {counts(self.intents)}",
            f"  tenants:            {counts(self.tenants)}",
            f"  errors:             {self.provider_errors} provider (recovered or escalated), "
            f"{self.tool_errors} tool, {self.http_errors} HTTP",
            "  feedback:           " + (f"{self.feedback_count} scores, mean {self.feedback_mean:.2f}"
                                        if self.feedback_count else "none"),
            "  example traces:",
            *(f"    {label:<28} {trace_id}" for label, trace_id in self.example_traces.items()),
        ]
        return "\n".join(lines)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


def summarize(results: list[ConversationResult], elapsed: float) -> Summary:
    outcomes = Counter(r.outcome for r in results)
    feedback = [r.feedback for r in results if r.feedback is not None]
    examples: dict[str, str] = {}
    for r in results:
        for label, trace_id in r.examples.items():
            examples.setdefault(label, trace_id)
    return Summary(
        conversations=len(results), elapsed_seconds=round(elapsed, 3), outcomes=dict(outcomes),
        escalation_reasons=dict(Counter(r.escalation_reason for r in results if r.escalation_reason)),
        intents=dict(Counter(r.intent for r in results if r.intent)), tenants=dict(Counter(r.tenant for r in results)),
        turns=sum(r.turns for r in results), http_errors=sum(len(r.http_errors) for r in results),
        provider_errors=sum(len(r.provider_errors) for r in results),
        tool_errors=sum(len(r.tool_errors) for r in results), feedback_count=len(feedback),
        feedback_mean=round(sum(feedback) / len(feedback), 3) if feedback else None,
        example_traces=dict(sorted(examples.items())), results=results)


class _Player:
    """Plays conversation plans against the app; one instance shared by the worker threads."""

    def __init__(self, client: httpx.Client, deadline: float):
        self.client = client
        self.deadline = deadline

    def _post(self, path: str, plan: ConversationPlan, result: ConversationResult, body: dict,
              scenario: str | None = None) -> dict | None:
        headers = {"x-conversation-id": plan.id, "x-user-id": plan.user, "x-tenant-id": plan.tenant,
                   "x-channel": plan.channel}
        if scenario:
            headers["x-fake-scenario"] = scenario
        try:
            response = self.client.post(path, json=body, headers=headers)
        except httpx.HTTPError as error:
            result.http_errors.append(f"{path}: {type(error).__name__}")
            return None
        trace_id = response.headers.get("x-trace-id")
        if trace_id:
            result.trace_ids.append(trace_id)
        if response.status_code >= 400:
            result.http_errors.append(f"{path}: HTTP {response.status_code}")
            if trace_id:
                result.examples.setdefault("HTTP error", trace_id)
            return None
        return response.json()

    @staticmethod
    def _note_turn(result: ConversationResult, reply: dict) -> None:
        if not result.trace_ids:
            return
        trace_id, examples = result.trace_ids[-1], result.examples
        if reply["escalated"]:
            examples.setdefault(f"escalated ({reply['escalation_reason']})", trace_id)
        if reply["tools"]:
            examples.setdefault("tools", trace_id)
        if reply["provider_errors"]:
            examples.setdefault("provider error", trace_id)
        if reply["tool_errors"]:
            examples.setdefault("tool error", trace_id)

    def play(self, plan: ConversationPlan) -> ConversationResult:
        result = ConversationResult(plan.id, plan.kind, plan.tenant, outcome="skipped")
        if time.monotonic() > self.deadline:
            return result
        for turn in plan.turns:
            if time.monotonic() > self.deadline:
                break
            reply = self._post("/chat", plan, result, {"message": turn.message, "stream": turn.stream}, turn.scenario)
            result.turns += 1
            if reply is None:
                result.outcome = "failed"
                self._post("/end", plan, result, {"outcome": "abandoned"})  # the customer gives up
                return result
            self._note_turn(result, reply)
            result.intent = result.intent or reply["intent"]
            result.provider_errors += reply["provider_errors"]
            result.tool_errors += reply["tool_errors"]
            if reply["escalated"]:
                result.outcome, result.escalation_reason = "escalated", reply["escalation_reason"]
                break
        if result.outcome != "escalated":
            end = plan.end or "abandoned"
            result.outcome = end if self._post("/end", plan, result, {"outcome": end}) is not None else "failed"
            if result.outcome == end and result.trace_ids:
                result.examples.setdefault(end, result.trace_ids[0])
        if plan.feedback and result.outcome != "failed":
            score, comment = plan.feedback
            if self._post("/feedback", plan, result, {"score": score, "comment": comment}) is not None:
                result.feedback = score
        return result


def probe(client: httpx.Client) -> int | None:
    """Ask the app's readiness endpoint, as an orchestrator's probe would: its HTTP status, or None."""
    try:
        return client.get("/health/ready").status_code
    except httpx.HTTPError:
        return None


def run(base_url: str, plans: list[ConversationPlan], concurrency: int = 4, deadline_seconds: float = 120.0,
        request_timeout: float = 60.0, transport: httpx.BaseTransport | None = None) -> Summary:
    """Play ``plans`` against the app at ``base_url``; conversations not started by the deadline are skipped."""
    started = time.monotonic()
    results: list[ConversationResult] = []
    lock = threading.Lock()
    with httpx.Client(base_url=base_url, timeout=request_timeout, transport=transport) as client:
        player = _Player(client, started + deadline_seconds)
        probe(client)

        def work(p: ConversationPlan) -> None:
            r = player.play(p)
            with lock:
                results.append(r)

        with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="traffic") as pool:
            try:
                list(pool.map(work, plans))
            except BaseException:  # Ctrl-C: the conversations in flight stop after their current request
                player.deadline = 0.0
                raise
        probe(client)
    order = {p.id: i for i, p in enumerate(plans)}
    results.sort(key=lambda r: order[r.id])
    return summarize(results, time.monotonic() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo.traffic", description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the support agent's base URL")
    parser.add_argument("--conversations", "-n", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--deadline", type=float, default=120.0, help="seconds after which no conversation starts")
    parser.add_argument("--prefix", default=None, help="conversation id prefix (default: a fresh random one)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    plans = plan(args.conversations, args.seed, args.prefix or f"demo-{uuid.uuid4().hex[:6]}")
    summary = run(args.url, plans, args.concurrency, args.deadline)
    print(summary.to_json() if args.json else summary.to_text())
    return 0 if summary.outcomes.get("failed", 0) + summary.outcomes.get("skipped", 0) < len(plans) else 1


if __name__ == "__main__":
    sys.exit(main())
