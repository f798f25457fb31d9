"""Every setting agentotel reads, in one place.

Each environment variable is a documented constant below. Values are parsed once into a frozen
``Settings``; a bad value warns once (on stderr when nothing else would show it) naming the
variable and what is wrong with the value, and falls back to the default for that setting alone,
so a typo in the environment never stops the app nor switches capture off. In a list, a bad entry
is dropped alone. Numbers must be finite and within the bounds below. The spec's ``OTEL_*`` names are used where the spec has
one, ``AGENTOTEL_*`` otherwise. docs/configuration.md lists them for users.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .core.log_once import warn_once


#: ``gen_ai_latest_experimental`` switches GenAI names to the newest development conventions.
OTEL_SEMCONV_STABILITY_OPT_IN = "OTEL_SEMCONV_STABILITY_OPT_IN"
#: Capture prompts, completions, tool arguments/results and retrieval queries:
#: ``true``/``span_only`` (on span attributes), ``event_only``, ``span_and_event``; default off.
OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
#: A YAML file merged over the bundled pricing catalog (prices, aliases, accounting rules).
AGENTOTEL_PRICING_FILE = "AGENTOTEL_PRICING_FILE"
#: Model aliases, ``alias=model`` pairs separated by commas (e.g. Azure deployment names).
AGENTOTEL_MODEL_ALIASES = "AGENTOTEL_MODEL_ALIASES"
#: A YAML file of spend and token budgets per tenant (see docs/configuration.md).
AGENTOTEL_BUDGET_FILE = "AGENTOTEL_BUDGET_FILE"
#: Built-in redactors run on captured content: a comma list of ``email``, ``phone``, ``card``,
#: ``api_key``, or ``none``. Default: all four.
AGENTOTEL_REDACTORS = "AGENTOTEL_REDACTORS"
#: Longest captured content value, in characters; longer values are cut (before redaction).
#: Default 8192; 16 to 1,048,576.
AGENTOTEL_CONTENT_MAX_LENGTH = "AGENTOTEL_CONTENT_MAX_LENGTH"
#: A retrieval is a hit when a document scores at least this. Default 0.5; a finite number >= 0.
AGENTOTEL_RETRIEVAL_HIT_THRESHOLD = "AGENTOTEL_RETRIEVAL_HIT_THRESHOLD"
#: Request headers that carry the conversation scope into a server (FastAPI) request.
AGENTOTEL_CONVERSATION_ID_HEADER = "AGENTOTEL_CONVERSATION_ID_HEADER"
AGENTOTEL_USER_ID_HEADER = "AGENTOTEL_USER_ID_HEADER"
AGENTOTEL_TENANT_HEADER = "AGENTOTEL_TENANT_HEADER"
#: Extra LLM endpoints to capture: ``base_url=provider`` pairs separated by commas. ``anthropic``,
#: ``gcp.gemini`` and ``gcp.vertex_ai`` use their own wire formats; any other provider name
#: (``openai``, ``vllm``, ``ollama``...) is read as OpenAI's wire format.
AGENTOTEL_LLM_BASE_URLS = "AGENTOTEL_LLM_BASE_URLS"
#: Capture LLM calls to hosts in no table and no ``AGENTOTEL_LLM_BASE_URLS`` entry (a gateway, a
#: proxy, a self-hosted model), recognised by the sending SDK or the request's shape. Default true.
AGENTOTEL_LLM_ANY_HOST = "AGENTOTEL_LLM_ANY_HOST"
#: Keep the HTTP client span (the OpenTelemetry httpx instrumentation's) under each captured LLM
#: call. Default false: one span per call, the LLM span with the HTTP span's attributes.
AGENTOTEL_LLM_HTTP_SPANS = "AGENTOTEL_LLM_HTTP_SPANS"
AGENTOTEL_LLM_BAGGAGE = "AGENTOTEL_LLM_BAGGAGE"
#: Carry the OpenTelemetry context into ``ThreadPoolExecutor`` work. Default true.
AGENTOTEL_THREAD_CONTEXT = "AGENTOTEL_THREAD_CONTEXT"
#: Seconds the exit (atexit or SIGTERM) may spend flushing telemetry. Default 2; 0.1 to 300.
AGENTOTEL_SHUTDOWN_TIMEOUT = "AGENTOTEL_SHUTDOWN_TIMEOUT"
#: Flush telemetry when the process gets SIGTERM and has no handler of its own. Default true.
AGENTOTEL_FLUSH_ON_SIGTERM = "AGENTOTEL_FLUSH_ON_SIGTERM"
#: The SDK's switch: ``true`` turns the zero-code set-up off (the SDK's own meaning).
OTEL_SDK_DISABLED = "OTEL_SDK_DISABLED"
#: A declarative configuration file: the SDK's own configurator sets everything up instead.
OTEL_CONFIG_FILE = "OTEL_CONFIG_FILE"
#: Export Python logging records (the distro sets it ``true``; the SDK's default is ``false``).
OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED = "OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED"
#: Hand the OpenTelemetry SDK's share of ending an operation (span attributes, metric points, the
#: span's end) to a background thread instead of doing it on the app's thread. Default true.
AGENTOTEL_DEFERRED_EMIT = "AGENTOTEL_DEFERRED_EMIT"
#: Conversations whose state (start time, cost) is kept for their outcome metrics. Default 10000;
#: 1 to 10,000,000.
AGENTOTEL_MAX_TRACKED_CONVERSATIONS = "AGENTOTEL_MAX_TRACKED_CONVERSATIONS"
#: Framework instrumentations: graph nodes and chains become spans too (``invoke_workflow``),
#: besides agents, tools, retrievals and LLM calls. Default false.
AGENTOTEL_FRAMEWORK_STEP_SPANS = "AGENTOTEL_FRAMEWORK_STEP_SPANS"
#: Distinct values a free-form metric label (intent, evaluation label, business event name and
#: attribute values) may take per process; later new values are recorded as ``other``. Default 50.
AGENTOTEL_MAX_LABEL_VALUES = "AGENTOTEL_MAX_LABEL_VALUES"
#: The OpenAI Agents SDK's own export of its traces to OpenAI (``agentotel_openai_agents``):
#: ``true`` leaves the SDK's trace processors as they are (its default: export when an OpenAI key
#: is set), ``false`` replaces them with agentotel's, so nothing leaves for OpenAI. Default true.
AGENTOTEL_OPENAI_AGENTS_EXPORT = "AGENTOTEL_OPENAI_AGENTS_EXPORT"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_CAPTURE_MODES = {
    "true": "span", "span_only": "span", "1": "span",
    "event_only": "event", "span_and_event": "span_and_event",
    "false": "", "no_content": "", "0": "", "": "",
}
_REDACTOR_NAMES = ("email", "phone", "card", "api_key")
#: Bounds of the numeric settings: (least, greatest), both allowed.
CONTENT_MAX_LENGTH_BOUNDS = (16, 1_048_576)
RETRIEVAL_HIT_THRESHOLD_BOUNDS = (0.0, float("inf"))
SHUTDOWN_TIMEOUT_BOUNDS = (0.1, 300.0)
MAX_TRACKED_CONVERSATIONS_BOUNDS = (1, 10_000_000)
#: An HTTP header name (RFC 9110 token).
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


@dataclass(frozen=True)
class Settings:
    latest_experimental: bool = False
    capture_content: str = ""  # "", "span", "event" or "span_and_event"
    pricing_file: str | None = None
    model_aliases: dict[str, str] = field(default_factory=dict)
    budget_file: str | None = None
    redactors: tuple[str, ...] = _REDACTOR_NAMES
    content_max_length: int = 8192
    retrieval_hit_threshold: float = 0.5
    conversation_id_header: str = "x-conversation-id"
    user_id_header: str = "x-user-id"
    tenant_header: str = "x-tenant-id"
    llm_base_urls: dict[str, str] = field(default_factory=dict)
    llm_baggage: bool = False  # send W3C baggage (the conversation scope: user.id...) to LLM APIs
    llm_any_host: bool = True
    llm_http_spans: bool = False
    thread_context: bool = True
    shutdown_timeout: float = 2.0
    flush_on_sigterm: bool = True
    max_tracked_conversations: int = 10000
    deferred_emit: bool = True
    framework_step_spans: bool = False
    max_label_values: int = 50
    openai_agents_export: bool = True

    @property
    def content_on_spans(self) -> bool:
        return self.capture_content in ("span", "span_and_event")

    @property
    def content_in_events(self) -> bool:
        return self.capture_content in ("event", "span_and_event")

    @property
    def capture_any_content(self) -> bool:
        return bool(self.capture_content)


def warn_setting(var: str, value: object, problem: str, fallback: object) -> None:
    """Say once per process that ``var``'s ``value`` is not used: one line naming the variable, the
    problem and what is used instead. Never raises."""
    try:
        problem = " ".join(str(problem).split())  # one line, whatever the problem's text holds
        warn_once(("setting", var, str(value)), "%s", f"ignoring {var}={value!r}: {problem}; using {fallback}")
    except Exception:  # noqa: BLE001 - a warning must not become a problem
        pass


def _warn(var: str, value: str, default: object, problem: str = "not understood") -> None:
    warn_setting(var, value, problem, repr(default))


def _bool(env, var, default: bool) -> bool:
    raw = env.get(var)
    if raw is None:
        return default
    low = raw.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    _warn(var, raw, default, "not true or false")
    return default


def _number(env, var, default, kind=float, minimum=0, maximum=float("inf")):
    """A finite number from ``minimum`` to ``maximum`` (both allowed), else the default with a warning."""
    raw = env.get(var)
    if raw is None or not raw.strip():
        return default
    try:
        value = kind(raw.strip())
    except (ValueError, OverflowError):
        _warn(var, raw, default, "not a whole number" if kind is int else "not a number")
        return default
    low, high = minimum, maximum
    if isinstance(value, float) and not math.isfinite(value):
        _warn(var, raw, default, "not a finite number")
        return default
    if not low <= value <= high:
        bound = f"at least {low:g}" if high == float("inf") else f"between {low:g} and {high:g}"
        _warn(var, raw, default, f"must be {bound}")
        return default
    return value


def _entries(env, var) -> list[str]:
    return [part.strip() for part in env.get(var, "").split(",") if part.strip()]


def _pairs(env, var) -> dict[str, str]:
    result: dict[str, str] = {}
    for item in _entries(env, var):
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            warn_setting(var, item, "an entry must be name=value", "the other entries")
            continue
        result[key.strip()] = value.strip()
    return result


def _url_problem(url: str) -> str | None:
    """What is wrong with a base URL, or None."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises for a port out of range or not a number
    except ValueError as exc:
        return f"not a URL ({exc})"
    if parts.scheme not in ("http", "https"):
        return "not an http:// or https:// URL"
    if not parts.hostname:
        return "no host"
    return None


def _base_urls(env) -> dict[str, str]:
    result: dict[str, str] = {}
    for url, provider in _pairs(env, AGENTOTEL_LLM_BASE_URLS).items():
        problem = _url_problem(url)
        if problem is None and not re.fullmatch(r"[A-Za-z0-9._-]+", provider):
            problem = f"provider name {provider!r} is not a name"
        if problem is not None:
            warn_setting(AGENTOTEL_LLM_BASE_URLS, f"{url}={provider}", problem, "the other entries")
            continue
        result[url] = provider
    return result


def _header(env, var, default: str) -> str:
    raw = env.get(var)
    if raw is None:
        return default
    name = raw.strip()
    if not name:
        _warn(var, raw, default, "empty")
        return default
    if not _HEADER_NAME.fullmatch(name):
        _warn(var, raw, default, "not an HTTP header name")
        return default
    return name.lower()


def _capture_mode(env) -> str:
    raw = env.get(OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT)
    if raw is None:
        return ""
    mode = _CAPTURE_MODES.get(raw.strip().lower())
    if mode is None:
        _warn(OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT, raw, "off",
              "not one of true, false, span_only, event_only, span_and_event, no_content")
        return ""
    return mode


def _redactors(env) -> tuple[str, ...]:
    raw = env.get(AGENTOTEL_REDACTORS)
    if raw is None:
        return _REDACTOR_NAMES
    names = [n.lower() for n in _entries(env, AGENTOTEL_REDACTORS)]
    if names == ["none"]:
        return ()
    if not names:
        _warn(AGENTOTEL_REDACTORS, raw, ",".join(_REDACTOR_NAMES), "empty (none turns redaction off)")
        return _REDACTOR_NAMES
    known = []
    for name in names:
        if name in _REDACTOR_NAMES:
            if name not in known:
                known.append(name)
        else:
            warn_setting(AGENTOTEL_REDACTORS, name, f"not one of {', '.join(_REDACTOR_NAMES)}",
                         "the other entries" if any(n in _REDACTOR_NAMES for n in names) else "all redactors")
    if not known:
        return _REDACTOR_NAMES
    return tuple(known)


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Parse the environment into Settings; never raises."""
    env = os.environ if env is None else env
    opt_in = {p.strip() for p in env.get(OTEL_SEMCONV_STABILITY_OPT_IN, "").split(",")}
    d = Settings()
    return Settings(
        latest_experimental="gen_ai_latest_experimental" in opt_in,
        capture_content=_capture_mode(env),
        pricing_file=env.get(AGENTOTEL_PRICING_FILE) or None,
        model_aliases=_pairs(env, AGENTOTEL_MODEL_ALIASES),
        budget_file=env.get(AGENTOTEL_BUDGET_FILE) or None,
        redactors=_redactors(env),
        content_max_length=_number(env, AGENTOTEL_CONTENT_MAX_LENGTH, d.content_max_length, int,
                                   *CONTENT_MAX_LENGTH_BOUNDS),
        retrieval_hit_threshold=_number(env, AGENTOTEL_RETRIEVAL_HIT_THRESHOLD, d.retrieval_hit_threshold,
                                        float, *RETRIEVAL_HIT_THRESHOLD_BOUNDS),
        conversation_id_header=_header(env, AGENTOTEL_CONVERSATION_ID_HEADER, d.conversation_id_header),
        user_id_header=_header(env, AGENTOTEL_USER_ID_HEADER, d.user_id_header),
        tenant_header=_header(env, AGENTOTEL_TENANT_HEADER, d.tenant_header),
        llm_base_urls=_base_urls(env),
        llm_baggage=_bool(env, AGENTOTEL_LLM_BAGGAGE, False),
        llm_any_host=_bool(env, AGENTOTEL_LLM_ANY_HOST, True),
        llm_http_spans=_bool(env, AGENTOTEL_LLM_HTTP_SPANS, False),
        thread_context=_bool(env, AGENTOTEL_THREAD_CONTEXT, True),
        shutdown_timeout=_number(env, AGENTOTEL_SHUTDOWN_TIMEOUT, d.shutdown_timeout, float, *SHUTDOWN_TIMEOUT_BOUNDS),
        flush_on_sigterm=_bool(env, AGENTOTEL_FLUSH_ON_SIGTERM, True),
        max_tracked_conversations=_number(env, AGENTOTEL_MAX_TRACKED_CONVERSATIONS, d.max_tracked_conversations, int,
                                          *MAX_TRACKED_CONVERSATIONS_BOUNDS),
        deferred_emit=_bool(env, AGENTOTEL_DEFERRED_EMIT, True),
        framework_step_spans=_bool(env, AGENTOTEL_FRAMEWORK_STEP_SPANS, False),
        max_label_values=_number(env, AGENTOTEL_MAX_LABEL_VALUES, d.max_label_values, int, 1),
        openai_agents_export=_bool(env, AGENTOTEL_OPENAI_AGENTS_EXPORT, True),
    )


_settings: Settings | None = None


def sdk_switches(env=None) -> tuple[bool, str | None, bool]:
    """The SDK's own variables, read when the configurator runs (after the distro's defaults):
    ``OTEL_SDK_DISABLED``, ``OTEL_CONFIG_FILE`` and ``OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED``.
    Booleans are ``true`` only when spelled so, as the SDK reads them."""
    env = os.environ if env is None else env

    def true(var: str) -> bool:
        return env.get(var, "false").strip().lower() == "true"

    return true(OTEL_SDK_DISABLED), env.get(OTEL_CONFIG_FILE) or None, true(OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED)


def settings() -> Settings:
    """The process-wide settings, parsed on first use."""
    global _settings
    if _settings is None:
        _settings = load_settings()
    return _settings


def reset_settings(new: Settings | None = None) -> None:
    """Replace the process-wide settings (tests, or ``agentotel.configure``)."""
    global _settings
    _settings = new

