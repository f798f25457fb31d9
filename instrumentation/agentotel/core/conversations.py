"""Per-conversation state kept between the requests of one conversation.

A conversation spans many requests; its outcome metrics (duration, cost, tokens, first-response
time) need its start time and running totals. They live here, in an LRU keyed by conversation id.
A conversation idle for longer than the idle timeout, or pushed out by the capacity bound, is
handed back by ``drain_expired`` so the caller can count it as abandoned; memory stays flat however
many conversations never report an outcome.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from . import forks


@dataclass(slots=True)
class ConversationState:
    started_at: float
    last_seen: float
    agent: str | None = None
    tenant: str | None = None
    intent: str | None = None
    channel: str | None = None
    cost: float = 0.0
    tokens: int = 0
    llm_calls: int = 0
    first_response_recorded: bool = False


class ConversationTracker:
    def __init__(self, capacity: int = 10000, idle_timeout: float = 1800.0, clock=time.monotonic):
        self.capacity = capacity
        self.idle_timeout = idle_timeout
        self._clock = clock
        self._states: OrderedDict[str, ConversationState] = OrderedDict()
        self._expired: list[tuple[str, ConversationState]] = []
        self._ended: OrderedDict[str, ConversationState] = OrderedDict()
        self._lock = threading.Lock()
        forks.renew_in_child(self)

    def touch(self, conversation_id: str, **fields) -> tuple[ConversationState, bool]:
        """The state of a conversation (created if new) and whether this call created it.
        ``fields`` fill attributes that are still unset."""
        now = self._clock()
        with self._lock:
            state = self._states.get(conversation_id)
            created = state is None
            if created:
                state = ConversationState(started_at=now, last_seen=now)
                self._states[conversation_id] = state
            else:
                self._states.move_to_end(conversation_id)
                state.last_seen = now
            for key, value in fields.items():
                if value is not None and getattr(state, key) is None:
                    setattr(state, key, value)
            self._expire(now)
            return state, created

    def _expire(self, now: float) -> None:
        states = self._states
        while states:
            oldest_id, oldest = next(iter(states.items()))
            if len(states) > self.capacity or now - oldest.last_seen > self.idle_timeout:
                states.popitem(last=False)
                self._expired.append((oldest_id, oldest))
            else:
                break

    def add_usage(self, conversation_id: str, cost: float, tokens: int, **fields) -> None:
        state, _ = self.touch(conversation_id, **fields)
        with self._lock:
            state.cost += cost
            state.tokens += tokens
            state.llm_calls += 1

    def pop(self, conversation_id: str) -> ConversationState | None:
        """Remove an ending conversation; it stays known to ``ended`` for late feedback."""
        with self._lock:
            state = self._states.pop(conversation_id, None)
            if state is not None:
                self._ended[conversation_id] = state
                while len(self._ended) > self.capacity:
                    self._ended.popitem(last=False)
            return state

    def find(self, conversation_id: str) -> ConversationState | None:
        """A conversation in progress or recently ended, without creating one."""
        with self._lock:
            return self._states.get(conversation_id) or self._ended.get(conversation_id)

    def drain_expired(self) -> list[tuple[str, ConversationState]]:
        if not self._expired:
            return []
        with self._lock:
            expired, self._expired = self._expired, []
            return expired

    def __len__(self) -> int:
        return len(self._states)
