"""No API key reaches the exported telemetry, whatever path it takes: a provider's 401 body that
echoes it (OpenAI and Azure shapes), an unhandled error in a FastAPI endpoint, ``logging.exception``,
an app exception quoting it, httpx's INFO line for a Gemini ``?key=`` URL, and a prompt holding keys.

The app (``apps/secrets_app.py``) runs under ``opentelemetry-instrument uvicorn`` with content
capture off and on; the test searches the raw OTLP payloads of traces, metrics and logs.
"""

from __future__ import annotations

import json
import threading
import urllib.error
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from demo.fake_provider import start_fake_provider
from tests.support.instrumented_app import InstrumentedServer, clean_env, post_json
from tests.support.otlp_receiver import OTLPReceiver

pytestmark = pytest.mark.integration

KEYS = {
    "APP_KEY_OPENAI": "sk-proj-" + "Qw8Er7Ty6Ui5Op4As3Df2Gh1" * 2,
    "APP_KEY_AZURE": "9c1f0e2d3b4a59687f6e5d4c3b2a1908",
    "APP_KEY_ANTHROPIC": "sk-ant-api03-" + "Lk9Jh8Gf7Ds6Aq5Zw4Xs3Ce2Vr1Bt0Ny" * 2,
    "APP_KEY_GOOGLE": "AIzaSyB9x8C7v6B5n4M3l2K1j0H9g8F7d6S5a4Q",
}
SERVER = 2


class EchoingProvider:
    """Answers 401 with the key it was sent, as OpenAI and Azure OpenAI do; 200 to Gemini."""

    def __init__(self):
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802 - http.server API
                self.rfile.read(int(self.headers.get("content-length") or 0))
                if ":generateContent" in self.path:
                    self._json(200, {"candidates": [{"content": {"role": "model", "parts": [{"text": "ok"}]},
                                                     "finishReason": "STOP"}],
                                     "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 1,
                                                       "totalTokenCount": 4},
                                     "modelVersion": "gemini-2.0-flash"})
                elif self.path.startswith("/azure/"):
                    key = self.headers.get("api-key", "")
                    self._json(401, {"error": {"code": "401", "message": f"Access denied due to invalid "
                                               f"subscription key {key}. Make sure to provide a valid key "
                                               f"for an active subscription."}})
                else:
                    key = self.headers.get("authorization", "").removeprefix("Bearer ")
                    self._json(401, {"error": {"message": f"Incorrect API key provided: {key}. You can find your "
                                               f"API key at https://platform.openai.com/account/api-keys.",
                                               "type": "invalid_request_error", "code": "invalid_api_key"}})

            def _json(self, status, value):
                body = json.dumps(value).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="echoing-provider", daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self):
        self._server.shutdown()
        self._server.server_close()


def call(server, path):
    try:
        return post_json(f"{server.base}{path}", {})
    except urllib.error.HTTPError as exc:
        return {"status": exc.code}


@pytest.fixture(scope="module", params=["off", "span_and_event"], ids=["content-off", "content-on"])
def exported(request):
    """Every endpoint called once under the instrumented app, which is then stopped (flushing all)."""
    receiver = OTLPReceiver().start()
    provider = start_fake_provider()
    echo = EchoingProvider()
    env = clean_env(
        OTEL_SERVICE_NAME="secrets-app", OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint,
        OTEL_METRIC_EXPORT_INTERVAL="500", OTEL_BSP_SCHEDULE_DELAY="200", OTEL_BLRP_SCHEDULE_DELAY="200",
        OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT="false" if request.param == "off" else request.param,
        OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_REQUEST=".*",
        AGENTOTEL_LLM_BASE_URLS=(f"{echo.url}/openai/v1=openai,{echo.url}/azure=azure.ai.openai,"
                                 f"{echo.url}=gcp.gemini,{provider.base_url}/openai/v1=openai"),
        ECHO_URL=echo.url, LLM_BASE_URL=provider.base_url, **KEYS)
    server = InstrumentedServer("secrets_app:app", env)
    try:
        server.wait_ready()
        answers = {path: call(server, path) for path in
                   ("/openai-401", "/azure-401", "/crash", "/app-error", "/gemini", "/prompt-with-keys")}
        returncode, stderr, _ = server.terminate()
        yield {"receiver": receiver, "answers": answers, "stderr": stderr, "capture": request.param}
    finally:
        server.kill()
        echo.stop()
        provider.stop()
        receiver.stop()


def test_every_path_was_taken(exported):
    """The app met each case: both refusals, the crash (500), the logged error, Gemini, the prompt."""
    answers = exported["answers"]
    assert answers["/openai-401"] == {"refused": True} and answers["/azure-401"] == {"refused": True}
    assert answers["/crash"] == {"status": 500} and answers["/gemini"] == {"status": 200}
    assert answers["/prompt-with-keys"]["answer"]
    receiver = exported["receiver"]
    llm = [s for s in receiver.spans() if "gen_ai.operation.name" in s["attributes"]]
    assert sum(s["attributes"].get("error.type") is not None for s in llm) >= 2  # the two refusals
    assert any(s["kind"] == SERVER and s["name"] == "POST /crash" and s["status_code"] == 2
               for s in receiver.spans())
    bodies = [str(r["body"]) for r in receiver.logs()]
    assert any("refused the call" in b for b in bodies) and any("lookup failed" in b for b in bodies)
    assert any("HTTP Request: POST" in b and "key=REDACTED" in b for b in bodies)


@pytest.mark.parametrize("signal", ["traces", "metrics", "logs"])
def test_no_key_in_raw_otlp(exported, signal):
    """Not one key, of any provider's shape, occurs in the raw OTLP payloads of the signal."""
    payloads = exported["receiver"].raw[signal]
    assert payloads
    for name, key in KEYS.items():
        assert not any(key.encode() in payload for payload in payloads), f"{name} found in exported {signal}"


def test_no_key_on_stderr_from_telemetry(exported):
    """agentotel's own messages on stderr quote no key either."""
    lines = [line for line in exported["stderr"].splitlines() if "agentotel" in line]
    assert not any(key in line for line in lines for key in KEYS.values())
