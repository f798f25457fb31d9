"""Recent agent runs of this process: how many succeeded and how long they took.

The emitter adds every ended ``invoke_agent`` operation; the health router reads the success rate
and the mean duration over the last ``window`` seconds (the readiness rules of a degraded agent).
Memory is bounded: at most ``capacity`` runs are kept.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class RunStats:
    runs: int
    success_rate: float | None
    mean_seconds: float | None


class RecentRuns:
    def __init__(self, window: float = 300.0, capacity: int = 10000, clock=time.monotonic):
        self.window = window
        self._clock = clock
        self._runs: deque = deque(maxlen=capacity)  # (ended at, ok, seconds)
        self._lock = threading.Lock()

    def add(self, ok: bool, seconds: float) -> None:
        with self._lock:
            self._runs.append((self._clock(), ok, seconds))

    def stats(self) -> RunStats:
        since = self._clock() - self.window
        with self._lock:
            while self._runs and self._runs[0][0] < since:
                self._runs.popleft()
            runs = list(self._runs)
        if not runs:
            return RunStats(0, None, None)
        return RunStats(len(runs), sum(ok for _, ok, _ in runs) / len(runs), sum(s for *_, s in runs) / len(runs))
