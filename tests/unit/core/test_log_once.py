"""log_once: agentotel's problems said once per key, never raising."""

from __future__ import annotations

import logging

from agentotel.core import log_once


class TestFirstTime:
    def test_a_key_is_new_once(self):
        """``first`` is True the first time a key is given, then False."""
        seen = log_once.FirstTime()
        assert seen.first(("a", 1))
        assert not seen.first(("a", 1))
        assert seen.first(("a", 2))


class TestWarnOnce:
    def test_said_once_per_key(self, monkeypatch, caplog):
        """The same key logs once, prefixed ``agentotel:``; another key logs again."""
        monkeypatch.setattr(log_once, "_said", log_once.FirstTime())
        with caplog.at_level(logging.WARNING, logger="agentotel"):
            for _ in range(3):
                log_once.warn_once("bad-input", "value %r dropped", 7)
            log_once.warn_once("other", "another problem")
        messages = [record.getMessage() for record in caplog.records]
        assert messages == ["agentotel: value 7 dropped", "agentotel: another problem"]

    def test_never_raises(self, monkeypatch):
        """A message that cannot be formatted is swallowed, not raised."""
        monkeypatch.setattr(log_once, "_said", log_once.FirstTime())
        log_once.warn_once("broken", "%d", "not a number")
