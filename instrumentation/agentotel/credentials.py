"""Credential shapes, and replacing them in text in time linear in its length.

The shapes are those of the providers agentotel captures, and the usual carriers of a credential:

- provider keys: OpenAI ``sk-`` / ``sk-proj-``, Anthropic ``sk-ant-``, Google ``AIza...``, AWS
  ``AKIA...``, GitHub ``ghp_...``, Slack ``xox.-...``;
- bearer tokens (``Bearer <token>``);
- credential query parameters and ``name=value`` pairs: ``key=`` (the Gemini API's), ``api-key=``,
  ``api_key=``, ``x-goog-api-key=``, ``access_token=``, ``token=``, ``subscription-key=``, ``sig=``;
- Azure-style keys, 32 hexadecimal digits, within a few characters after a word that names a key
  (``api-key: ...``, ``Incorrect subscription key 0f3a...``) — a bare 32-hex string is left alone
  (trace ids have that shape too).

``scrub(text, marker)`` replaces the secret part of each (the ``Bearer `` or ``key=`` before it
stays). Every pattern starts only where its run of characters starts (a lookbehind), and no
pattern has nested unbounded repetition, so one pass costs time linear in the text. A pattern runs
only when a cheap substring test finds its hint. Text longer than ``max_length`` is cut first (the
cut-off part is never scanned nor kept), and a word cut in two at the cap is dropped, so a key cut
short cannot leave its first characters behind.
"""

from __future__ import annotations

import re
from collections.abc import Callable

#: Characters scanned at most per value; longer values are cut to this first.
MAX_SCANNED_LENGTH = 2 * 1024 * 1024
#: Characters of a word cut at the cap that are dropped with it (a token is shorter than this).
_MAX_CUT_WORD = 512
_WORD = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~+/=-")

_PROVIDER_KEY = re.compile(
    r"(?<![A-Za-z0-9_-])(?:sk-[A-Za-z0-9_-]{16,}|AIza[0-9A-Za-z_-]{30,}|AKIA[0-9A-Z]{16}(?![0-9A-Z])"
    r"|gh[pousr]_[A-Za-z0-9]{30,}|xox[abprs]-[A-Za-z0-9-]{10,})")
_BEARER = re.compile(r"(?<![A-Za-z0-9])((?i:bearer)[ \t]+)[A-Za-z0-9._~+/-]{8,}=*")
_QUERY = re.compile(
    r"(?<![A-Za-z0-9_.-])((?i:key|api[-_]?key|x-goog-api-key|access[-_]token|token|subscription[-_]key|sig)=)"
    r"[^&#;\s'\",]+")
_HEX32 = re.compile(r"(?<![0-9A-Za-z])[0-9a-fA-F]{32}(?![0-9A-Za-z])")
#: A word naming a key, at most ``_AZURE_REACH`` characters before a 32-hex value, on its line.
_KEY_WORD = re.compile(r"(?<![A-Za-z0-9])(?i:api[-_ ]?key|subscription[-_ ]?key|key|secret|token|password)")
_AZURE_REACH = 48


def _sub(pattern: re.Pattern, keep: bool) -> Callable[[str, str], str]:
    if keep:
        return lambda text, marker: pattern.sub(lambda match: match.group(1) + marker, text)
    return lambda text, marker: pattern.sub(lambda match: marker, text)


def _azure(text: str, marker: str) -> str:
    """32-hex values with a word naming a key shortly before them on their line. The hex values
    are found first (rare), then only the few characters before each are searched for the word."""
    parts: list[str] = []
    last = 0
    for match in _HEX32.finditer(text):
        start = match.start()
        window_start = max(start - _AZURE_REACH, 0)
        line_start = text.rfind("\n", window_start, start) + 1
        if _KEY_WORD.search(text, max(window_start, line_start), start):
            parts.append(text[last:start])
            parts.append(marker)
            last = match.end()
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)


#: (hints in the lower-cased text, replace(text, marker)): each runs only when one of its hints is found.
_RULES: tuple[tuple[tuple[str, ...], Callable[[str, str], str]], ...] = (
    (("sk-", "aiza", "akia", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "xox"), _sub(_PROVIDER_KEY, keep=False)),
    (("bearer",), _sub(_BEARER, keep=True)),
    (("key=", "token=", "sig="), _sub(_QUERY, keep=True)),
    (("key", "secret", "token", "password"), _azure),
)
_ALL_HINTS = tuple(sorted({hint for hints, _ in _RULES for hint in hints}))


def cap(text: str, max_length: int) -> str:
    """``text`` cut to ``max_length`` characters (a word cut in two dropped whole), with a note of
    how much was cut; unchanged when short enough."""
    if len(text) <= max_length:
        return text
    end = max_length
    stop = max(end - _MAX_CUT_WORD, 0)
    if text[end] in _WORD:  # the cut falls inside a word: drop its first part too
        while end > stop and text[end - 1] in _WORD:
            end -= 1
    return text[:end] + f"...[truncated {len(text) - end} chars]"


#: The hints without those that contain another (``key=`` holds ``key``).
_HINTS = tuple(hint for hint in _ALL_HINTS if not any(other != hint and other in hint for other in _ALL_HINTS))


def may_hold_secret(text: str) -> bool:
    """False when no credential shape can be in ``text`` (most values): a few substring tests on
    the lower-cased text (a regular expression is slower here)."""
    lowered = text.lower()
    for hint in _HINTS:
        if hint in lowered:
            return True
    return False


def scrub(text: str, marker: str, max_length: int = MAX_SCANNED_LENGTH) -> str:
    """``text`` capped at ``max_length``, with every credential's secret part replaced by ``marker``."""
    text = cap(text, max_length)
    lowered = text.lower()
    for hints, replace in _RULES:
        if any(hint in lowered for hint in hints):
            text = replace(text, marker)
    return text
