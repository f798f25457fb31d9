"""`agentotel traces` and `agentotel trace` against a Jaeger HTTP API serving recorded answers."""

from __future__ import annotations

import json
import re
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from agentotel_tools.cli.main import main
from agentotel_tools.cli.traces import jaeger_url

RECORDED = json.loads((Path(__file__).parents[1] / "recorded_traces.json").read_text())
IDS = RECORDED["ids"]


class FakeJaeger(BaseHTTPRequestHandler):
    """Answers /api/services, /api/traces?service=... and /api/traces/{id} from the recording."""

    requests: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        url = urllib.parse.urlparse(self.path)
        params = dict(urllib.parse.parse_qsl(url.query))
        type(self).requests.append(self.path)
        if url.path == "/api/services":
            return self._send(200, RECORDED["search"]["services"])
        if url.path == "/api/traces":
            if "service" not in params or "start" not in params or "end" not in params:
                return self._send(400, {"data": None, "errors": [{"code": 400, "msg": "parameter 'service' is required"}]})
            answer = RECORDED["search"].get(params["service"], {"data": []})
            return self._send(200, {**answer, "data": answer["data"][: int(params.get("limit", 100))]})
        match = re.fullmatch(r"/api/traces/([0-9a-f]+)", url.path)
        if match:
            everything = RECORDED["search"]["support-app"]["data"] + RECORDED["search"]["batch-worker"]["data"]
            found = [t for t in everything if t["traceID"] == match.group(1)]
            if found:
                return self._send(200, {"data": found})
            return self._send(404, {"data": None, "errors": [{"code": 404, "msg": "trace not found"}]})
        return self._send(404, {})

    def _send(self, status: int, body: dict) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture()
def jaeger():
    FakeJaeger.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeJaeger)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_traces_lists_every_service_when_none_is_given(jaeger, capsys):
    """Without --service, each service Jaeger knows is searched and the results merged."""
    assert main(["traces", "--jaeger-url", jaeger]) == 0
    out = capsys.readouterr().out
    for trace_id in IDS.values():
        assert trace_id in out
    assert "support-app: invoke_workflow refund" in out
    searched = {dict(urllib.parse.parse_qsl(urllib.parse.urlparse(r).query)).get("service") for r in FakeJaeger.requests}
    assert {"support-app", "batch-worker"} <= searched


def test_traces_sends_the_lookback_window_to_jaeger(jaeger, capsys):
    """--lookback becomes Jaeger's start/end window (microseconds)."""
    assert main(["traces", "--jaeger-url", jaeger, "--service", "support-app", "--lookback", "2h", "--limit", "3"]) == 0
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(FakeJaeger.requests[-1]).query))
    assert int(params["end"]) - int(params["start"]) == pytest.approx(7200 * 1_000_000, abs=1_000_000)
    assert params["limit"] == "3"


def test_traces_filters_errors_and_cost(jaeger, capsys):
    """--errors and --min-cost leave only the matching trace in the table."""
    assert main(["traces", "--jaeger-url", jaeger, "--errors", "--min-cost", "0.001"]) == 0
    out = capsys.readouterr().out
    assert IDS["conversation"] in out and IDS["embeddings"] not in out and IDS["unpriced"] not in out


def test_traces_reports_when_nothing_matches(jaeger, capsys):
    """An empty result says so rather than printing an empty table."""
    assert main(["traces", "--jaeger-url", jaeger, "--service", "nobody"]) == 0
    assert capsys.readouterr().out.strip() == "no traces found"


def test_traces_json_output_is_jaeger_json(jaeger, capsys):
    """--json prints the matching traces in Jaeger's own format, for scripts."""
    assert main(["traces", "--jaeger-url", jaeger, "--operation", "embeddings", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)["data"]
    assert [t["traceID"] for t in data] == [IDS["embeddings"]]


def test_trace_prints_the_tree(jaeger, capsys):
    """`agentotel trace ID` prints the trace as a tree with its GenAI details."""
    assert main(["trace", IDS["conversation"], "--jaeger-url", jaeger]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"trace {IDS['conversation']}")
    assert "└─ invoke_agent support-bot" in out and "ERROR TimeoutError" in out


def test_trace_not_found_and_unreachable_jaeger_fail_with_a_message(jaeger, capsys):
    """A missing trace or a Jaeger that is down gives exit code 1 and says why."""
    assert main(["trace", "f" * 32, "--jaeger-url", jaeger]) == 1
    assert "not found" in capsys.readouterr().err
    assert main(["traces", "--jaeger-url", "http://127.0.0.1:9"]) == 1
    assert "cannot reach Jaeger" in capsys.readouterr().err


def test_jaeger_url_comes_from_flag_then_env_then_running_stack(tmp_path, monkeypatch):
    """The Jaeger URL is --jaeger-url, else AGENTOTEL_JAEGER_URL, else the local stack's state file."""
    run_dir = tmp_path / "stack"
    run_dir.mkdir()
    (run_dir / "state.json").write_text(json.dumps({"endpoints": {"jaeger_query_url": "http://127.0.0.1:40001"}}))
    monkeypatch.setenv("AGENTOTEL_STACK_DIR", str(run_dir))
    monkeypatch.delenv("AGENTOTEL_JAEGER_URL", raising=False)
    assert jaeger_url(None) == "http://127.0.0.1:40001"
    monkeypatch.setenv("AGENTOTEL_JAEGER_URL", "http://127.0.0.1:40002")
    assert jaeger_url(None) == "http://127.0.0.1:40002"
    assert jaeger_url("http://127.0.0.1:40003") == "http://127.0.0.1:40003"
