"""The redaction pipeline on captured content."""

from __future__ import annotations

import pytest

from agentotel.content.redaction import (
    ApiKeyRedactor, CardNumberRedactor, EmailRedactor, Pipeline, PhoneRedactor, SizeCap,
)


@pytest.mark.parametrize("redactor, text, expected", [
    (EmailRedactor(), "write to jane.doe+x@example.co.uk now", "write to [EMAIL] now"),
    (PhoneRedactor(), "call +1 (415) 555-0134 today", "call [PHONE] today"),
    (PhoneRedactor(), "order 12345 shipped", "order 12345 shipped"),
    (CardNumberRedactor(), "card 4111 1111 1111 1111 ok", "card [CARD] ok"),
    (CardNumberRedactor(), "ref 1234 5678 9012 3456", "ref 1234 5678 9012 3456"),  # fails Luhn
    (ApiKeyRedactor(), "key sk-proj-abcdefghijklmnop1234", "key [API_KEY]"),
    (ApiKeyRedactor(), "key sk-ant-api03-abcdefghijklmnopqrst", "key [API_KEY]"),
    (ApiKeyRedactor(), "AIzaSyA1234567890abcdefghijklmnopqrstu", "[API_KEY]"),
    (ApiKeyRedactor(), "Authorization: Bearer abcdefghijklmnopqrstuvwxyz", "Authorization: Bearer [API_KEY]"),
    (ApiKeyRedactor(), "my Azure api-key is 0123456789abcdef0123456789abcdef, use it",
     "my Azure api-key is [API_KEY], use it"),
    (ApiKeyRedactor(), "trace 0123456789abcdef0123456789abcdef", "trace 0123456789abcdef0123456789abcdef"),
    (ApiKeyRedactor(), "GET /v1beta/models/m:generateContent?key=AIza-short&alt=sse",
     "GET /v1beta/models/m:generateContent?key=[API_KEY]&alt=sse"),
])
def test_builtin_redactors(redactor, text, expected):
    """Each built-in redactor replaces what it targets and leaves the rest."""
    assert redactor(text) == expected


def test_pipeline_caps_then_redacts():
    """The pipeline cuts to the size cap first, then redacts what is left; a key cut in two at
    the cap is dropped whole, not half-shown."""
    pipeline = Pipeline.from_names(["email", "api_key"], max_length=30)
    out = pipeline("a@b.com sk-abcdefghijklmnopqrstuvwx " + "y" * 100)
    assert out.startswith("[EMAIL] ...[truncated") and "sk-" not in out
    assert pipeline("a@b.com " + "y" * 10) == "[EMAIL] " + "y" * 10


def test_custom_redactor_is_a_callable():
    """Any callable str -> str can join the pipeline."""
    pipeline = Pipeline.from_names([], 1000, extra=[lambda s: s.replace("ACME-", "[ACCOUNT]-")])
    assert pipeline("account ACME-991") == "account [ACCOUNT]-991"


def test_size_cap_keeps_short_text():
    """Text within the cap is unchanged."""
    assert SizeCap(5)("abcde") == "abcde"
