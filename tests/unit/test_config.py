"""Settings: parsed once, bad values warn and fall back."""

from __future__ import annotations

import logging

import pytest

from agentotel import config
from agentotel.core import log_once
from agentotel.config import load_settings


@pytest.fixture(autouse=True)
def fresh_warnings(monkeypatch):
    """Each test sees its own warnings (they are said once per process)."""
    monkeypatch.setattr(log_once, "_said", log_once.FirstTime())


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
    assert s.redactors == ("email",)
    text = caplog.text
    for var in ("AGENTOTEL_CONTENT_MAX_LENGTH", "AGENTOTEL_REDACTORS", "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "AGENTOTEL_SHUTDOWN_TIMEOUT"):
        assert var in text


def test_pairs_and_opt_in():
    """Alias pairs and the stability opt-in are parsed."""
    s = load_settings({"AGENTOTEL_MODEL_ALIASES": "prod-gpt=gpt-4o, bad-item",
                       "OTEL_SEMCONV_STABILITY_OPT_IN": "http,gen_ai_latest_experimental"})
    assert s.model_aliases == {"prod-gpt": "gpt-4o"}
    assert s.latest_experimental


@pytest.mark.parametrize("var, value, field, default", [
    ("AGENTOTEL_SHUTDOWN_TIMEOUT", "inf", "shutdown_timeout", 2.0),
    ("AGENTOTEL_SHUTDOWN_TIMEOUT", "1e308", "shutdown_timeout", 2.0),
    ("AGENTOTEL_SHUTDOWN_TIMEOUT", "nan", "shutdown_timeout", 2.0),
    ("AGENTOTEL_SHUTDOWN_TIMEOUT", "0", "shutdown_timeout", 2.0),
    ("AGENTOTEL_CONTENT_MAX_LENGTH", "1e23", "content_max_length", 8192),
    ("AGENTOTEL_CONTENT_MAX_LENGTH", "100000000000000000000000", "content_max_length", 8192),
    ("AGENTOTEL_RETRIEVAL_HIT_THRESHOLD", "nan", "retrieval_hit_threshold", 0.5),
    ("AGENTOTEL_RETRIEVAL_HIT_THRESHOLD", "-inf", "retrieval_hit_threshold", 0.5),
    ("AGENTOTEL_MAX_TRACKED_CONVERSATIONS", "0", "max_tracked_conversations", 10000),
    ("AGENTOTEL_CONVERSATION_ID_HEADER", "", "conversation_id_header", "x-conversation-id"),
    ("AGENTOTEL_USER_ID_HEADER", "   ", "user_id_header", "x-user-id"),
    ("AGENTOTEL_TENANT_HEADER", "x tenant", "tenant_header", "x-tenant-id"),
    ("AGENTOTEL_REDACTORS", "", "redactors", ("email", "phone", "card", "api_key")),
    ("AGENTOTEL_REDACTORS", ",,,", "redactors", ("email", "phone", "card", "api_key")),
    ("AGENTOTEL_THREAD_CONTEXT", "sometimes", "thread_context", True),
])
def test_bad_value_warns_once_naming_the_variable(caplog, var, value, field, default):
    """Every bad value (not finite, out of bounds, empty, not a header name) falls back to the
    default for that setting alone, with one warning that names the variable."""
    with caplog.at_level(logging.WARNING, logger="agentotel"):
        s = load_settings({var: value, "AGENTOTEL_MODEL_ALIASES": "a=b"})
        load_settings({var: value})
    assert getattr(s, field) == default
    assert s.model_aliases == {"a": "b"}
    lines = [r.getMessage() for r in caplog.records if var in r.getMessage()]
    assert len(lines) == 1 and "\n" not in lines[0]


def test_redactors_none_turns_redaction_off(caplog):
    """Only ``none`` turns redaction off, and says nothing."""
    with caplog.at_level(logging.WARNING, logger="agentotel"):
        assert load_settings({"AGENTOTEL_REDACTORS": " None "}).redactors == ()
    assert not caplog.records


@pytest.mark.parametrize("bad", ["http://127.0.0.1:99999=openai", "http://[bad=openai", "garbage",
                                 "ftp://host/v1=openai", "http://host/v1=open ai"])
def test_bad_base_url_entry_is_dropped_alone(caplog, bad):
    """A malformed entry in AGENTOTEL_LLM_BASE_URLS is dropped with a warning; the others stay."""
    with caplog.at_level(logging.WARNING, logger="agentotel"):
        s = load_settings({"AGENTOTEL_LLM_BASE_URLS": f"http://127.0.0.1:4000/v1=openai,{bad},http://a.test=anthropic"})
    assert s.llm_base_urls == {"http://127.0.0.1:4000/v1": "openai", "http://a.test": "anthropic"}
    assert [r for r in caplog.records if "AGENTOTEL_LLM_BASE_URLS" in r.getMessage()]


def test_warning_reaches_stderr_when_only_the_otel_handler_listens(capsys):
    """With only the OpenTelemetry log handler attached, the warning is also written to stderr."""
    import warnings

    from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        handler = LoggingHandler(logger_provider=LoggerProvider())
    root = logging.getLogger()
    saved = root.handlers[:]
    root.handlers[:] = [handler]
    try:
        load_settings({"AGENTOTEL_SHUTDOWN_TIMEOUT": "forever"})
    finally:
        root.handlers[:] = saved
    err = capsys.readouterr().err
    assert err.count("AGENTOTEL_SHUTDOWN_TIMEOUT") == 1 and "not a number" in err
