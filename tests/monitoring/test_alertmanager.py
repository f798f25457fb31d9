"""Alertmanager: valid for amtool 0.25, four severities routed (critical pages, error to Slack and
e-mail, warning to Slack, info to e-mail), lower levels muted by a higher one of the same alert;
checked on the real Alertmanager."""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

from tests.monitoring.helpers import ALERTMANAGER_CONFIG, load_yaml, run


def test_amtool_check_config(amtool):
    """amtool accepts the configuration."""
    result = run(amtool, "check-config", str(ALERTMANAGER_CONFIG))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("labels", "receivers"), [
    (["severity=critical", "alertname=AgentOtelCollectorDown"], "pagerduty,slack"),
    (["severity=error", "alertname=AgentOtelErrorBudgetBurnSlow"], "email,slack"),
    (["severity=warning", "alertname=AgentOtelCSATLow"], "slack"),
    (["severity=info", "alertname=AgentOtelLowRatings"], "email"),
    (["alertname=Other"], "slack"),
])
def test_routes(amtool, labels, receivers):
    """Critical alerts reach PagerDuty and Slack, error ones e-mail and Slack, warnings Slack, info e-mail;
    an alert without a known severity Slack."""
    result = run(amtool, "config", "routes", "test", f"--config.file={ALERTMANAGER_CONFIG}", *labels)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == receivers


def test_secrets_come_from_files():
    """The Slack webhook and the PagerDuty routing key are read from files, never inlined."""
    config = load_yaml(ALERTMANAGER_CONFIG)
    receivers = {r["name"]: r for r in config["receivers"]}
    slack = receivers["slack"]["slack_configs"][0]
    pagerduty = receivers["pagerduty"]["pagerduty_configs"][0]
    assert slack["api_url_file"].startswith("/") and "api_url" not in slack
    assert pagerduty["routing_key_file"].startswith("/")
    assert not {"routing_key", "service_key", "service_key_file"} & set(pagerduty)
    assert "slack_api_url" not in config.get("global", {})
    assert config["global"]["smtp_auth_password_file"].startswith("/")
    assert "smtp_auth_password" not in config["global"]


def test_grouping_and_inhibition():
    """Alerts group per alert and service; each severity mutes the lower ones of the same alert and service."""
    from monitoring.src import config as monitoring

    config = load_yaml(ALERTMANAGER_CONFIG)
    assert config["route"]["group_by"] == ["alertname", "deployment_environment_name", "service_name"]
    muted = {}
    for rule in config["inhibit_rules"]:
        assert rule["equal"] == ["alertname", "deployment_environment_name", "service_name"]
        [source] = rule["source_matchers"]
        [target] = rule["target_matchers"]
        muted[source.split('"')[1]] = set(target.split('"')[1].split("|"))
    levels = monitoring.SEVERITIES
    assert muted == {level: set(levels[:i]) for i, level in enumerate(levels) if i}


# --- the real Alertmanager -----------------------------------------------------------------------
class Receiver:
    """A loopback HTTP endpoint standing in for Slack's webhook and PagerDuty's Events API."""

    def __init__(self) -> None:
        self.posts: list = []  # (path, json body)
        received = self.posts

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                received.append((self.path, json.loads(body or b"{}")))
                self.send_response(202 if self.path == "/pagerduty" else 200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"status": "success", "message": "ok"}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def texts(self, path: str) -> list:
        return [json.dumps(body) for p, body in self.posts if p == path]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(condition, what: str, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture()
def alertmanager(alertmanager_binary, tmp_path):
    """The shipped configuration on a real Alertmanager, with the secret files pointing Slack at a loopback
    receiver, PagerDuty's endpoint moved there too and the grouping waits shortened."""
    receiver = Receiver()
    (tmp_path / "slack-webhook-url").write_text(receiver.url + "/slack\n")
    (tmp_path / "pagerduty-routing-key").write_text("0123456789abcdef0123456789abcdef\n")
    (tmp_path / "smtp-password").write_text("not-a-real-password\n")
    config = load_yaml(ALERTMANAGER_CONFIG)
    config["route"].update(group_wait="1s", group_interval="1s")
    config["global"]["smtp_auth_password_file"] = str(tmp_path / "smtp-password")
    for r in config["receivers"]:
        for slack in r.get("slack_configs", []):
            slack["api_url_file"] = str(tmp_path / "slack-webhook-url")
        for pagerduty in r.get("pagerduty_configs", []):
            pagerduty["routing_key_file"] = str(tmp_path / "pagerduty-routing-key")
            pagerduty["url"] = receiver.url + "/pagerduty"
    path = tmp_path / "alertmanager.yml"
    path.write_text(yaml.safe_dump(config))
    port = _free_port()
    process = subprocess.Popen(
        [alertmanager_binary, f"--config.file={path}", f"--storage.path={tmp_path / 'data'}",
         f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=", "--log.level=warn"],
        stdout=subprocess.DEVNULL, stderr=open(tmp_path / "alertmanager.log", "wb"))
    url = f"http://127.0.0.1:{port}"

    def ready():
        try:
            with urllib.request.urlopen(url + "/-/ready", timeout=1) as response:
                return response.status == 200
        except OSError:
            return process.poll() is not None and pytest.fail((tmp_path / "alertmanager.log").read_text())

    try:
        _wait(ready, "Alertmanager to be ready")
        yield url, receiver
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        receiver.close()


def _post_alerts(url: str, alerts: list) -> None:
    now = datetime.now(timezone.utc)
    body = [{"labels": labels, "annotations": {"summary": labels["alertname"], "description": "d",
                                                 "runbook_url": "monitoring/runbook.md#x"},
             "startsAt": now.isoformat(), "endsAt": (now + timedelta(hours=1)).isoformat()} for labels in alerts]
    request = urllib.request.Request(url + "/api/v2/alerts", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200


def _alerts(url: str) -> list:
    with urllib.request.urlopen(url + "/api/v2/alerts", timeout=5) as response:
        return json.load(response)


def test_critical_pages_and_mutes_its_warning(alertmanager):
    """On the real Alertmanager: a critical alert reaches PagerDuty and Slack, the warning of the same
    alert and service is suppressed, and a warning of another service still reaches Slack only."""
    url, receiver = alertmanager
    service = {"alertname": "AgentOtelLLMErrorRateHigh", "deployment_environment_name": "prod",
               "service_name": "support-agent"}
    _post_alerts(url, [
        {**service, "severity": "critical"},
        {**service, "severity": "warning"},
        {**service, "service_name": "billing-agent", "severity": "warning"},
    ])

    def settled():
        alerts = _alerts(url)
        suppressed = [a for a in alerts if a["status"]["state"] == "suppressed"]
        return alerts if len(alerts) == 3 and suppressed and receiver.texts("/slack") else None

    alerts = _wait(settled, "the alerts to be routed")
    state = {(a["labels"]["service_name"], a["labels"]["severity"]): a["status"] for a in alerts}
    assert state[("support-agent", "warning")]["state"] == "suppressed"
    assert state[("support-agent", "warning")]["inhibitedBy"]
    assert state[("support-agent", "critical")]["state"] == "active"
    assert state[("billing-agent", "warning")]["state"] == "active"

    _wait(lambda: len(receiver.texts("/slack")) >= 2 and receiver.texts("/pagerduty"), "Slack and PagerDuty posts")
    titles = sorted(body["attachments"][0]["title"] for path, body in receiver.posts if path == "/slack")
    assert titles == ["[FIRING:1] AgentOtelLLMErrorRateHigh prod/billing-agent (warning)",
                      "[FIRING:1] AgentOtelLLMErrorRateHigh prod/support-agent (critical)"]
    colors = {body["attachments"][0]["title"]: body["attachments"][0]["color"]
              for path, body in receiver.posts if path == "/slack"}
    assert colors[titles[1]] == "danger" and colors[titles[0]] == "warning"
    [page] = [body for path, body in receiver.posts if path == "/pagerduty"]
    assert page["routing_key"] == "0123456789abcdef0123456789abcdef"
    assert page["payload"]["severity"] == "critical"
    assert page["payload"]["custom_details"]["service"] == "support-agent"
