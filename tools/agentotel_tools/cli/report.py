"""`agentotel report` writes the weekly report from Prometheus: Markdown plus PNG charts beside it.
``--month 2026-11`` writes the report of that calendar month (UTC) instead, compared with the month
before, with each tenant's spend against its monthly budget.

Prometheus: ``--prometheus-url``, else ``AGENTOTEL_PROMETHEUS_URL``, else the running local stack's
Prometheus (from its state file), else http://127.0.0.1:9090.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from .. import settings
from ..settings import AGENTOTEL_PROMETHEUS_URL, DEFAULT_PROMETHEUS_URL

# Option -> Prometheus label; each narrows every query of the report to one value.
_SCOPES = (
    ("environment", "deployment_environment_name"),
    ("service", "service_name"),
    ("agent", "gen_ai_agent_name"),
    ("tenant", "agentotel_tenant_id"),
)


def prometheus_url(explicit: str | None) -> str:
    from ..stack.manager import backend_url

    return backend_url(explicit, settings.prometheus_url(), "prometheus_url", DEFAULT_PROMETHEUS_URL)


def parse_end(text: str) -> datetime:
    """An ISO 8601 date or date-time; without a zone it is UTC. A bare date means its midnight."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date or date-time: {text}") from None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _days(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def parse_month(text: str) -> tuple:
    """``YYYY-MM`` as (year, month)."""
    try:
        value = datetime.strptime(text, "%Y-%m")
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a month as YYYY-MM: {text}") from None
    return value.year, value.month


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report", help="write the weekly report from Prometheus",
        description="Write the weekly agent report (Markdown, PNG charts beside it): conversations, automation, "
                    "response times, CSAT, escalations, intents, top errors and cost, each against the previous "
                    "period.")
    parser.add_argument("--prometheus-url", help=f"Prometheus base URL (default: ${AGENTOTEL_PROMETHEUS_URL}, the "
                                                 f"running local stack, {DEFAULT_PROMETHEUS_URL})")
    parser.add_argument("--end", type=parse_end, help="end of the period, ISO 8601 (default: now); with --month, "
                                                      "where a month not over yet stops (default: now)")
    parser.add_argument("--days", type=_days, default=7.0, help="length of the period in days (default 7)")
    parser.add_argument("--month", type=parse_month, metavar="YYYY-MM",
                        help="report this calendar month (UTC) instead of --end/--days; Prometheus must keep "
                             "data of this month and the one before")
    parser.add_argument("--out", type=Path, default=None,
                        help="Markdown file to write; charts go beside it (default reports/weekly.md, "
                             "reports/monthly-YYYY-MM.md with --month)")
    parser.add_argument("--no-charts", action="store_true", help="write the Markdown only")
    for option, label in _SCOPES:
        parser.add_argument(f"--{option}", help=f"only this {option} ({label})")
    parser.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    from ..report import MonthPeriod, PrometheusError, write_report

    filters = {label: ("=", getattr(args, option)) for option, label in _SCOPES if getattr(args, option)}
    end = args.end or datetime.now(timezone.utc)
    period = MonthPeriod.of(*args.month) if args.month else None
    if period is not None:
        cap = args.end or datetime.now(timezone.utc).replace(microsecond=0)
        if period.end > cap:  # the current month: up to now (or --end)
            period = MonthPeriod(period.start, max(cap, period.start + timedelta(minutes=1)))
        end = period.end
    out = args.out or Path(f"reports/monthly-{period.start:%Y-%m}.md" if period else "reports/weekly.md")
    args.out = out
    url = prometheus_url(args.prometheus_url)
    try:
        report = write_report(url, out, end, args.days, filters, charts=not args.no_charts, period=period)
    except PrometheusError as error:
        print(f"agentotel report: {error}", file=sys.stderr)
        return 1
    conversations = report.kpi("conversations").current or 0
    days = report.period.days
    print(f"wrote {args.out} ({round(conversations)} conversations, {days:g} day{'' if days == 1 else 's'} to "
          f"{report.period.end.strftime('%Y-%m-%d %H:%M UTC')})")
    return 0
