"""`agentotel report`: files written, exit codes, arguments."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from agentotel_tools import promql as q
from agentotel_tools.cli.main import main

END = datetime(2025, 3, 10, tzinfo=timezone.utc)
PNG = b"\x89PNG\r\n\x1a\n"


def _traffic(fake) -> None:
    fake.answer(q.conversations({}, "7d"), END, 120)
    fake.answer(q.conversations({}, "7d"), END - timedelta(days=7), 100)
    fake.answer(q.conversations_by_intent({}, "7d"), END, ({q.INTENT: "refund"}, 120))
    fake.answer(q.csat_buckets({}, "7d"), END, ({"le": "4"}, 3), ({"le": "5"}, 10))
    days = [END - timedelta(days=d) for d in range(6, -1, -1)]
    fake.answer_range(q.conversations({}, "1d", (q.OUTCOME,)),
                      ({q.OUTCOME: "resolved"}, [(d, 15) for d in days]),
                      ({q.OUTCOME: "escalated"}, [(d, 3) for d in days]))


def test_writes_markdown_and_charts(fake_prometheus, tmp_path, capsys):
    """The report and its PNG charts land in --out's folder; the summary line names the file."""
    _traffic(fake_prometheus)
    out = tmp_path / "reports" / "weekly.md"
    code = main(["report", "--prometheus-url", fake_prometheus.url, "--end", "2025-03-10", "--out", str(out)])
    assert code == 0
    text = out.read_text()
    assert "| Conversations | 120 | 100 | +20.0% |" in text
    for chart in ("weekly-conversations.png", "weekly-intents.png", "weekly-csat.png"):
        assert f"]({chart})" in text
        data = (tmp_path / "reports" / chart).read_bytes()
        assert data.startswith(PNG) and len(data) > 2000
    assert not (tmp_path / "reports" / "weekly-cost.png").exists()  # no cost data, no chart
    assert f"wrote {out} (120 conversations, 7 days to 2025-03-10 00:00 UTC)" in capsys.readouterr().out


def test_scope_options_filter_queries(fake_prometheus, tmp_path):
    """--environment and --tenant narrow every query that has those labels."""
    out = tmp_path / "weekly.md"
    assert main(["report", "--prometheus-url", fake_prometheus.url, "--end", "2025-03-10T00:00:00Z",
                 "--environment", "prod", "--tenant", "acme", "--no-charts", "--out", str(out)]) == 0
    conversation_queries = [e for e in fake_prometheus.queries_at(END) if "agentotel_conversations_total" in e]
    assert conversation_queries
    assert all('agentotel_tenant_id="acme"' in e and 'deployment_environment_name="prod"' in e
               for e in conversation_queries)
    assert not any(path.endswith("query_range") for path, _, _ in fake_prometheus.requests)


def test_unreachable_prometheus_exits_1(tmp_path, capsys):
    """An unreachable Prometheus is an error message and exit code 1, not a traceback."""
    code = main(["report", "--prometheus-url", "http://127.0.0.1:9", "--out", str(tmp_path / "w.md")])
    assert code == 1
    assert "cannot query Prometheus at http://127.0.0.1:9" in capsys.readouterr().err
    assert not (tmp_path / "w.md").exists()


@pytest.mark.parametrize("argv", [["--end", "last tuesday"], ["--days", "0"], ["--days", "x"]])
def test_bad_arguments(argv, capsys):
    """A bad --end or --days is a usage error."""
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "--prometheus-url", "http://127.0.0.1:9", *argv])
    assert exit_info.value.code == 2
