"""The redaction pipeline: small callables run on every captured text before it leaves the process.

A redactor is any ``Callable[[str], str]``. Built-ins are configured once in ``__init__`` and keep
``__call__`` to a regular-expression pass. ``Pipeline`` caps the size first, then runs them in order:
what is cut off is never scanned. Every built-in pattern starts only where its run of characters
starts and has no nested unbounded repetition, so a pass costs time linear in the (capped) text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from .. import credentials

Redactor = Callable[[str], str]


class RegexRedactor:
    """Replaces every match of a pattern with a fixed marker."""

    def __init__(self, pattern: str, marker: str, flags: int = 0):
        self._pattern = re.compile(pattern, flags)
        self._marker = marker

    def __call__(self, text: str) -> str:
        return self._pattern.sub(self._marker, text)


class EmailRedactor(RegexRedactor):
    def __init__(self) -> None:
        # The lookbehind keeps a match from starting inside a run of address characters: without it
        # a long run with no ``@`` is scanned again from each of its characters (quadratic).
        super().__init__(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
                         "[EMAIL]")


class PhoneRedactor(RegexRedactor):
    """International or national numbers of 9+ digits with the usual separators."""

    def __init__(self) -> None:
        super().__init__(r"(?<![\w.])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]?\d{2,4}){2,4}(?![\w.])", "[PHONE]")

    def __call__(self, text: str) -> str:
        return self._pattern.sub(self._replace, text)

    def _replace(self, match: re.Match) -> str:
        digits = sum(ch.isdigit() for ch in match.group())
        return self._marker if 9 <= digits <= 15 else match.group()


def _luhn(digits: str) -> bool:
    total = 0
    for index, ch in enumerate(reversed(digits)):
        value = int(ch)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


class CardNumberRedactor(RegexRedactor):
    """Payment card numbers (13-19 digits, spaces or dashes allowed) that pass the Luhn check."""

    def __init__(self) -> None:
        super().__init__(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)", "[CARD]")

    def __call__(self, text: str) -> str:
        return self._pattern.sub(self._replace, text)

    def _replace(self, match: re.Match) -> str:
        digits = re.sub(r"\D", "", match.group())
        return self._marker if _luhn(digits) else match.group()


class ApiKeyRedactor:
    """Provider API keys, bearer tokens, key-bearing query strings and Azure-style keys after a key
    word (``agentotel.credentials``)."""

    def __init__(self, marker: str = "[API_KEY]"):
        self._marker = marker

    def __call__(self, text: str) -> str:
        return credentials.scrub(text, self._marker, max_length=len(text))


class SizeCap:
    """Cuts text longer than ``max_length`` characters (a word cut in two is dropped whole, so no
    key is left half-shown) and says so."""

    def __init__(self, max_length: int):
        self.max_length = max_length

    def __call__(self, text: str) -> str:
        return credentials.cap(text, self.max_length)


BUILTIN: dict[str, Callable[[], Redactor]] = {
    "api_key": ApiKeyRedactor,  # before phone/card: keys contain digit runs
    "email": EmailRedactor,
    "card": CardNumberRedactor,
    "phone": PhoneRedactor,
}


class Pipeline:
    """Caps the size, then runs the redactors in order."""

    def __init__(self, redactors: Iterable[Redactor], max_length: int):
        self.redactors = tuple(redactors)
        self.cap = SizeCap(max_length)

    @classmethod
    def from_names(cls, names: Iterable[str], max_length: int, extra: Iterable[Redactor] = ()) -> "Pipeline":
        wanted = set(names)
        built = [factory() for name, factory in BUILTIN.items() if name in wanted]
        return cls([*built, *extra], max_length)

    def __call__(self, text: str) -> str:
        text = self.cap(text)
        for redact in self.redactors:
            text = redact(text)
        return text
