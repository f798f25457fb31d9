"""`agentotel demo`: provider choice, the app's environment and command, the featured trace."""

from __future__ import annotations

from pathlib import Path

from agentotel_tools.cli import demo
from agentotel_tools.cli.main import build_parser


def test_subcommand_is_registered_with_its_options():
    """`agentotel demo` parses --conversations and --keep-running."""
    args = build_parser().parse_args(["demo", "--conversations", "5", "--keep-running"])
    assert args.func is demo.cmd_demo and args.conversations == 5 and args.keep_running


def test_real_providers_only_with_both_keys():
    """Real providers need both keys; --fake-provider overrides them."""
    both = {"OPENAI_API_KEY": "sk", "ANTHROPIC_API_KEY": "sk-ant"}
    assert demo.use_real_providers(both, force_fake=False)
    assert not demo.use_real_providers(both, force_fake=True)
    assert not demo.use_real_providers({"OPENAI_API_KEY": "sk"}, force_fake=False)


def test_app_environment_with_the_fake_provider():
    """The app exports to the given endpoint and reaches the fake provider on paths the capture routes."""
    env = demo.app_environment({"PYTHONPATH": "/x", "OTEL_METRIC_EXPORT_INTERVAL": "1000"}, repo=Path("/repo"),
                               otlp_endpoint="http://127.0.0.1:4318", service="svc", run_id="r1",
                               fake_provider_url="http://127.0.0.1:9999")
    assert env["PYTHONPATH"].split(":") == ["/repo", "/x"]
    assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://127.0.0.1:4318" and env["OTEL_SERVICE_NAME"] == "svc"
    assert "service.instance.id=r1" in env["OTEL_RESOURCE_ATTRIBUTES"]
    assert env["OTEL_METRIC_EXPORT_INTERVAL"] == "1000"  # the user's setting wins over the demo default
    assert env["OPENAI_BASE_URL"] == "http://127.0.0.1:9999/openai/v1"
    assert env["ANTHROPIC_BASE_URL"] == "http://127.0.0.1:9999/anthropic"
    assert env["AGENTOTEL_LLM_BASE_URLS"] == ("http://127.0.0.1:9999/openai/v1=openai,"
                                              "http://127.0.0.1:9999/anthropic=anthropic")


def test_app_environment_with_real_providers_keeps_the_users_keys():
    """With real providers the user's keys and base URLs pass through untouched."""
    env = demo.app_environment({"OPENAI_API_KEY": "sk-real", "ANTHROPIC_BASE_URL": "https://proxy"}, repo=Path("/r"),
                               otlp_endpoint="http://c:4318", service="s", run_id="r", fake_provider_url=None)
    assert env["OPENAI_API_KEY"] == "sk-real" and env["ANTHROPIC_BASE_URL"] == "https://proxy"
    assert "OPENAI_BASE_URL" not in env and "AGENTOTEL_LLM_BASE_URLS" not in env


def test_app_runs_under_opentelemetry_instrument():
    """The app is started by opentelemetry-instrument running uvicorn on loopback."""
    cmd = demo.app_command(8123)
    assert cmd[0].endswith("opentelemetry-instrument") and cmd[2:5] == ["-m", "uvicorn", demo.APP]
    assert cmd[cmd.index("--port") + 1] == "8123" and cmd[cmd.index("--host") + 1] == "127.0.0.1"


def test_featured_trace_prefers_one_with_tools():
    """The trace shown first is one with tool calls, else an escalation, else any."""
    assert demo.featured_trace({"resolved": "r", "tools": "t", "escalated (legal)": "e"}) == "t"
    assert demo.featured_trace({"resolved": "r", "escalated (legal)": "e"}) == "e"
    assert demo.featured_trace({"abandoned": "a"}) == "a"
    assert demo.featured_trace({}) is None


def test_demo_refuses_without_a_collector(tmp_path, capsys):
    """Without a running stack or --otlp-endpoint the command says how to start one."""
    args = build_parser().parse_args(["demo", "--stack-dir", str(tmp_path)])
    assert args.func(args) == 1
    assert "agentotel stack up" in capsys.readouterr().err
