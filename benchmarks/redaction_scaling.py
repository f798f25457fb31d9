"""Time per MB of captured content with capture on: linear from 10 kB to 20 MB.

What is measured, per content size, in one run:

- ``redact``: the redaction pipeline with every built-in redactor (email, phone, card, api_key) on
  the whole text (``max_length`` set to the text's length, so nothing is cut: the patterns' own
  cost), in seconds per MB. Linear time means this figure stays flat as the size grows.
- ``adversarial``: the same on text made to make backtracking patterns quadratic (long runs of
  address characters with no ``@``, ``sk-sk-sk-...``, ``key key key ...``, digit runs).
- ``capped``: the pipeline as configured by default (``AGENTOTEL_CONTENT_MAX_LENGTH`` 8192): the cap
  comes first, so the cost no longer depends on the size at all (milliseconds per call).
- ``one word``: the same on a single run of letters the size of the content (a base64 blob, a
  minified line): what made the old email pattern quadratic.
- ``scrub``: the secret scrubber on a span attribute of that size (cut to its scan cap, 2 MiB).

Baseline: ``json.dumps`` of the same text, which capture pays anyway to serialise content; the
``x json`` column is redaction time over that. Peer: the redaction as it was before (redactors
before the cap, unanchored patterns) on the single word, run only while it finishes within a few
seconds.

Run: .venv/bin/python benchmarks/redaction_scaling.py [--max-mb 20]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time

from agentotel.processors.secrets import scrub_text
from agentotel.content.redaction import BUILTIN, Pipeline

SIZES = (10_000, 100_000, 1_000_000, 5_000_000, 20_000_000)
_WORDS = ("the", "order", "refund", "customer", "shipped", "A-1001", "please", "check", "status", "delivery",
          "invoice", "account", "thanks", "today", "warehouse", "tracking")
_PII = ("jane.doe@example.com", "+1 415 555 0134", "4111 1111 1111 1111", "sk-proj-abcdefghijklmnop1234",
        "api-key 0123456789abcdef0123456789abcdef")
_ADVERSARIAL = ("a" * 5000 + " ", "sk-" * 2000 + " ", "key " * 1500, "1 " * 3000, "x@" * 3000 + " ")


def chat_text(size: int, seed: int = 7) -> str:
    """Chat-like text with a piece of personal data or a key every ~40 words."""
    rng = random.Random(seed)
    parts, length = [], 0
    while length < size:
        word = rng.choice(_PII) if rng.random() < 0.025 else rng.choice(_WORDS)
        parts.append(word)
        length += len(word) + 1
    return " ".join(parts)[:size]


def adversarial_text(size: int) -> str:
    blocks = "".join(_ADVERSARIAL)
    return (blocks * (size // len(blocks) + 1))[:size]


def seconds(fn, text: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn(text)
        best = min(best, time.perf_counter() - started)
    return best


class OldPipeline:
    """The redaction before: unanchored patterns, every redactor before the cap (the peer)."""

    def __init__(self, max_length: int):
        self.max_length = max_length
        self.patterns = [
            re.compile(r"\b(?:sk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}|AIza[0-9A-Za-z_-]{30,}|AKIA[0-9A-Z]{16}"
                       r"|gh[pousr]_[A-Za-z0-9]{30,}|xox[abpr]-[A-Za-z0-9-]{10,})|(?i:bearer)\s+[A-Za-z0-9._~+/-]{16,}=*"),
            re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"),
            re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)"),
            re.compile(r"(?<![\w.])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]?\d{2,4}){2,4}(?![\w.])"),
        ]

    def __call__(self, text: str) -> str:
        for pattern in self.patterns:
            text = pattern.sub("[X]", text)
        return text[: self.max_length]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-mb", type=float, default=20)
    args = parser.parse_args()
    capped = Pipeline.from_names(list(BUILTIN), 8192)
    peer_alive = True
    print(f"{'size':>10} {'redact s/MB':>12} {'x json':>7} {'adversarial s/MB':>17} {'capped ms':>10} "
          f"{'one word s/MB':>14} {'scrub s/MB':>11} {'before s/MB':>12}")
    for size in SIZES:
        if size > args.max_mb * 1_000_000:
            break
        repeat = 5 if size <= 1_000_000 else 1
        mb = size / 1_000_000
        text, hostile = chat_text(size), adversarial_text(size)
        whole = Pipeline.from_names(list(BUILTIN), size)
        redact = seconds(whole, text, repeat)
        baseline = seconds(json.dumps, text, repeat)
        adversarial = seconds(whole, hostile, repeat)
        cap = seconds(capped, text, repeat)
        word = "a" * size
        one_word = seconds(whole, word, repeat)
        scrub = seconds(scrub_text, text, repeat)
        before = "-"
        if peer_alive:
            took = seconds(OldPipeline(8192), word, 1)
            before = f"{took / mb:.2f}"
            peer_alive = took < 3
        print(f"{size:>10,} {redact / mb:>12.3f} {redact / baseline:>7.0f} {adversarial / mb:>17.3f} "
              f"{cap * 1000:>10.2f} {one_word / mb:>14.3f} {scrub / mb:>11.3f} {before:>12}", flush=True)


if __name__ == "__main__":
    main()
