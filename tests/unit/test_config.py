"""Settings: parsed once, bad values warn and fall back."""

from __future__ import annotations

import logging

from agentotel.config import load_settings


def test_defaults():
    """With no environment, content capture is off and the redactors are all on."""
    s = load_settings({})
    assert s.capture_content == "" and not s.capture_any_content
    assert set(s.redactors) == {"email", "phone", "card", "api_key"}
    assert s.shutdown_timeout == 2.0 and not s.latest_experimental


def test_capture_modes():
    """The content capture variable accepts the spec's modes."""
    var = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
    assert load_settings({var: "true"}).content_on_spans
    assert load_settings({var: "EVENT_ONLY"}).content_in_events
    assert not load_settings({var: "false"}).capture_any_content


def test_bad_values_warn_and_fall_back(caplog):
    """A value that is not understood logs a warning naming the variable and keeps the default."""
    with caplog.at_level(logging.WARNING, logger="agentotel"):
        s = load_settings({"AGENTOTEL_CONTENT_MAX_LENGTH": "lots", "AGENTOTEL_REDACTORS": "email,bogus",
                           "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "maybe",
                           "AGENTOTEL_SHUTDOWN_TIMEOUT": "-3"})
    assert s.content_max_length == 8192 and s.capture_content == "" and s.shutdown_timeout == 2.0
    assert set(s.redactors) == {"email", "phone", "card", "api_key"}
    text = caplog.text
    for var in ("AGENTOTEL_CONTENT_MAX_LENGTH", "AGENTOTEL_REDACTORS", "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "AGENTOTEL_SHUTDOWN_TIMEOUT"):
        assert var in text


def test_pairs_and_opt_in():
    """Alias pairs and the stability opt-in are parsed."""
    s = load_settings({"AGENTOTEL_MODEL_ALIASES": "prod-gpt=gpt-4o, bad-item",
                       "OTEL_SEMCONV_STABILITY_OPT_IN": "http,gen_ai_latest_experimental"})
    assert s.model_aliases == {"prod-gpt": "gpt-4o"}
    assert s.latest_experimental
