"""A bad setting never switches telemetry off: the instrumented app runs once per bad value of every
``AGENTOTEL_*`` and GenAI ``OTEL_*`` variable agentotel reads; each run still exports the LLM, HTTP
client and server spans of a request, and stderr has exactly one line naming the variable.

The app (``apps/agent_app.py``) runs under ``opentelemetry-instrument uvicorn``; the runs go three at
a time, each with its own receiver.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from demo.fake_provider import start_fake_provider
from tests.support.instrumented_app import Downstream, InstrumentedServer, agent_app_env, post_json
from tests.support.otlp_receiver import OTLPReceiver

pytestmark = pytest.mark.integration

SERVER, CLIENT = 2, 3
#: (variable, bad value). ``+`` before a value adds it to the app's own list; ``{missing}`` and
#: ``{malformed}`` are a file that does not exist and one that is not the expected YAML.
BAD_VALUES = [
    ("AGENTOTEL_LLM_BASE_URLS", "+http://127.0.0.1:99999=openai"),
    ("AGENTOTEL_LLM_BASE_URLS", "+http://[bad=openai"),
    ("AGENTOTEL_LLM_BASE_URLS", "+garbage"),
    ("AGENTOTEL_PRICING_FILE", "{missing}"),
    ("AGENTOTEL_PRICING_FILE", "{malformed}"),
    ("AGENTOTEL_BUDGET_FILE", "{missing}"),
    ("AGENTOTEL_BUDGET_FILE", "{malformed}"),
    ("AGENTOTEL_SHUTDOWN_TIMEOUT", "inf"),
    ("AGENTOTEL_SHUTDOWN_TIMEOUT", "1e308"),
    ("AGENTOTEL_SHUTDOWN_TIMEOUT", "nan"),
    ("AGENTOTEL_SHUTDOWN_TIMEOUT", "0"),
    ("AGENTOTEL_REDACTORS", ""),
    ("AGENTOTEL_REDACTORS", ",,,"),
    ("AGENTOTEL_REDACTORS", "email,bogus"),
    ("AGENTOTEL_CONTENT_MAX_LENGTH", "1e23"),
    ("AGENTOTEL_RETRIEVAL_HIT_THRESHOLD", "nan"),
    ("AGENTOTEL_CONVERSATION_ID_HEADER", " "),
    ("AGENTOTEL_USER_ID_HEADER", ""),
    ("AGENTOTEL_TENANT_HEADER", "x tenant"),
    ("AGENTOTEL_MODEL_ALIASES", "no-equals-sign"),
    ("AGENTOTEL_LLM_BAGGAGE", "perhaps"),
    ("AGENTOTEL_THREAD_CONTEXT", "perhaps"),
    ("AGENTOTEL_FLUSH_ON_SIGTERM", "perhaps"),
    ("AGENTOTEL_DEFERRED_EMIT", "perhaps"),
    ("AGENTOTEL_MAX_TRACKED_CONVERSATIONS", "-1"),
    ("AGENTOTEL_LLM_ANY_HOST", "perhaps"),
    ("AGENTOTEL_LLM_HTTP_SPANS", "perhaps"),
    ("AGENTOTEL_FRAMEWORK_STEP_SPANS", "perhaps"),
    ("AGENTOTEL_OPENAI_AGENTS_EXPORT", "perhaps"),
    ("AGENTOTEL_MAX_LABEL_VALUES", "nan"),
    ("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "maybe"),
]
IDS = [f"{var}={value!r}" for var, value in BAD_VALUES]


def run_once(var: str, value: str, files: dict[str, str], provider, downstream) -> dict:
    receiver = OTLPReceiver().start()
    try:
        env = agent_app_env(f"settings-{var.lower()}", receiver.endpoint, provider.base_url, downstream.url,
                            OTEL_BSP_SCHEDULE_DELAY="200", OTEL_BLRP_SCHEDULE_DELAY="200",
                            OTEL_METRIC_EXPORT_INTERVAL="60000")
        value = value.format(**files)
        env[var] = f"{env[var]},{value[1:]}" if value.startswith("+") else value
        server = InstrumentedServer("agent_app:app", env)
        with server:
            server.wait_ready()
            answer = post_json(f"{server.base}/chat", {"message": "Where is my order A-1001?"})
            receiver.wait_for(lambda store: complete(store.spans(), downstream.url), timeout=30,
                              what="the request's LLM, HTTP and server spans")
            _, stderr, _ = server.terminate()
        return {"answer": answer, "spans": receiver.spans(), "stderr": stderr}
    finally:
        receiver.stop()


def complete(spans: list[dict], downstream_url: str) -> bool:
    providers = {s["attributes"].get("gen_ai.provider.name") for s in spans
                 if s["attributes"].get("gen_ai.operation.name") == "chat"}
    http = [s for s in spans if s["kind"] == CLIENT
            and downstream_url in str(s["attributes"].get("url.full", s["attributes"].get("http.url", "")))]
    server = [s for s in spans if s["kind"] == SERVER and s["name"] == "POST /chat"]
    return {"openai", "anthropic"} <= providers and bool(http) and bool(server)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Every bad value's run, three at a time."""
    folder = tmp_path_factory.mktemp("settings")
    malformed = folder / "malformed.yaml"
    malformed.write_text("version: 1\nproviders: [unclosed\n")
    files = {"missing": str(folder / "missing.yaml"), "malformed": str(malformed)}
    provider = start_fake_provider()
    downstream = Downstream()
    try:
        with ThreadPoolExecutor(3) as pool:
            futures = {case: pool.submit(run_once, *case, files, provider, downstream) for case in BAD_VALUES}
        yield {case: future.exception() or future.result() for case, future in futures.items()}
    finally:
        downstream.stop()
        provider.stop()


@pytest.mark.parametrize("case", BAD_VALUES, ids=IDS)
def test_bad_value_keeps_telemetry_and_says_so_once(runs, case):
    """The app answers; its LLM, HTTP client and server spans arrive; stderr names the variable on
    exactly one line, and shows no traceback."""
    result = runs[case]
    if isinstance(result, BaseException):
        raise result
    var, _ = case
    assert result["answer"]["intent"] and result["answer"]["answer"]
    lines = [line for line in result["stderr"].splitlines() if var in line]
    assert len(lines) == 1, result["stderr"][-3000:]
    assert "Traceback" not in result["stderr"], result["stderr"][-3000:]


def test_every_setting_has_a_bad_value_case():
    """Each ``AGENTOTEL_*`` variable of agentotel.config is among the bad values run above."""
    from agentotel import config

    defined = {name for name in vars(config) if name.startswith("AGENTOTEL_")}
    assert defined <= {var for var, _ in BAD_VALUES}, sorted(defined - {var for var, _ in BAD_VALUES})
