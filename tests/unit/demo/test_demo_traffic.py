"""The traffic generator: a deterministic, bounded mix, and how a run is summarised."""

from __future__ import annotations

import json
from collections import Counter

import httpx

from demo import traffic


def test_same_seed_same_traffic_other_seed_other_traffic():
    """A seed fixes every conversation; another seed plays different ones."""
    assert traffic.plan(40, seed=7) == traffic.plan(40, seed=7)
    assert traffic.plan(40, seed=7) != traffic.plan(40, seed=8)
    assert traffic.plan(40, seed=7, prefix="a")[5].turns == traffic.plan(40, seed=7, prefix="b")[5].turns


def test_a_short_run_shows_every_outcome_reason_and_fault():
    """Even the first 14 conversations cover all outcomes, several reasons, errors, a slow call and a tool call."""
    plans = traffic.plan(len(traffic.SHOWCASE), seed=3)
    ends = Counter(p.end for p in plans)
    assert ends["resolved"] and ends["abandoned"] and ends[None] >= 5  # None: the agent escalates
    kinds = {p.kind for p in plans}
    assert {"legal", "angry", "complaint", "human", "refund_over_limit", "low_confidence"} <= kinds
    scenarios = {t.scenario for p in plans for t in p.turns if t.scenario}
    assert {"answer=error_429", "answer=error_500", "answer=slow", "classify=tool_call", "classify=malformed"} <= scenarios


def test_mix_of_a_long_run():
    """Across 300 conversations: three tenants, multi-turn conversations, a few percent faulty turns, CSAT 1-5."""
    plans = traffic.plan(300, seed=11)
    assert {p.tenant for p in plans} == set(traffic.TENANTS)
    assert len({p.id for p in plans}) == 300
    turns = [t for p in plans for t in p.turns]
    assert any(len(p.turns) > 1 for p in plans) and all(1 <= len(p.turns) <= 3 for p in plans)
    faulty = sum(1 for t in turns if t.scenario and "error" in t.scenario or t.scenario and "malformed" in t.scenario)
    assert 0.03 < faulty / len(turns) < 0.2
    scores = [p.feedback[0] for p in plans if p.feedback]
    assert scores and set(scores) <= {1, 2, 3, 4, 5}
    assert any(t.stream for t in turns) and not all(t.stream for t in turns)


class FakeApp:
    """The app's HTTP contract, for the generator: answers by message, fails on request."""

    def __init__(self, fail_chat: bool = False):
        self.fail_chat = fail_chat
        self.calls: list[tuple[str, dict]] = []
        self.counter = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content or b"{}")
        self.calls.append((request.url.path, {**body, **{k: v for k, v in request.headers.items() if k.startswith("x-")}}))
        self.counter += 1
        headers = {"x-trace-id": f"{self.counter:032x}"}
        if request.url.path == "/chat":
            if self.fail_chat:
                return httpx.Response(502, json={"detail": "down"}, headers=headers)
            escalate = "lawyer" in body["message"] or "refund $" in body["message"].lower()
            return httpx.Response(200, headers=headers, json={
                "conversation_id": request.headers["x-conversation-id"], "reply": "ok", "intent": "order_status",
                "escalated": escalate, "escalation_reason": "legal" if escalate else None,
                "tools": ["lookup_order"] if "order" in body["message"] else [], "tool_errors": [], "sources": [],
                "model": "m", "provider_errors": ["answer: RateLimitError"] if request.headers.get("x-fake-scenario") else []})
        return httpx.Response(200, json={}, headers=headers)


def test_run_plays_conversations_and_summarises():
    """Each conversation's turns carry its headers; escalations stop it, others end via /end; feedback is sent."""
    app = FakeApp()
    plans = traffic.plan(20, seed=5, prefix="t")
    summary = traffic.run("http://app", plans, concurrency=3, transport=httpx.MockTransport(app))
    assert summary.conversations == 20 and sum(summary.outcomes.values()) == 20
    assert summary.turns == sum(1 for path, _ in app.calls if path == "/chat")
    chat = [c for path, c in app.calls if path == "/chat"]
    assert all(c["x-conversation-id"].startswith("t-5-") and c["x-tenant-id"] in traffic.TENANTS for c in chat)
    assert summary.feedback_count == sum(1 for path, _ in app.calls if path == "/feedback")
    assert summary.provider_errors == sum(1 for c in chat if c.get("x-fake-scenario"))
    assert "tools" in summary.example_traces and "escalated (legal)" in summary.example_traces
    assert "20 conversations" in summary.to_text() and json.loads(summary.to_json())["conversations"] == 20


def test_failing_app_marks_conversations_failed_and_abandons_them():
    """When /chat fails the conversation is counted as failed and ended as abandoned."""
    app = FakeApp(fail_chat=True)
    summary = traffic.run("http://app", traffic.plan(4, seed=1), concurrency=2, transport=httpx.MockTransport(app))
    assert summary.outcomes == {"failed": 4} and summary.http_errors == 4
    assert [c["outcome"] for path, c in app.calls if path == "/end"] == ["abandoned"] * 4


def test_deadline_skips_conversations_not_started():
    """Past the deadline no conversation starts: the run is bounded in time."""
    app = FakeApp()
    summary = traffic.run("http://app", traffic.plan(10, seed=1), deadline_seconds=0, transport=httpx.MockTransport(app))
    assert summary.outcomes == {"skipped": 10}
    assert [path for path, _ in app.calls] == ["/health/ready", "/health/ready"]  # the probes only


def test_channels_and_readiness_probes():
    """Conversations come from several channels (sent as x-channel), and a run probes readiness before and after."""
    plans = traffic.plan(10, seed=1)
    assert {p.channel for p in plans} == set(traffic.CHANNELS)
    app = FakeApp()
    traffic.run("http://app", plans[:2], transport=httpx.MockTransport(app))
    paths = [path for path, _ in app.calls]
    assert paths[0] == paths[-1] == "/health/ready"
    assert {body["x-channel"] for path, body in app.calls if path == "/chat"} == {plans[0].channel, plans[1].channel}
