"""PNG charts for the weekly report (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

from .. import promql as q
from ..prometheus import PrometheusClient
from .weekly import WeeklyReport

DAY = 86400


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def daily_series(client: PrometheusClient, build, report: WeeklyReport, label: str) -> dict:
    """``{label value: [(day end, value of the 24h before it)]}`` over the report's period."""
    period = report.period
    first = period.start.timestamp() + DAY
    if first > period.end.timestamp():
        return {}
    start = datetime.fromtimestamp(first, tz=timezone.utc)
    series = client.query_range(build("1d"), start, period.end, DAY)
    return {s.labels.get(label, ""): [(datetime.fromtimestamp(t, tz=timezone.utc), v) for t, v in s.points]
            for s in series}


def _whole_numbers(ax) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))


def _stacked_bars(path: Path, title: str, ylabel: str, series: dict, counts: bool = True) -> Optional[Path]:
    if not series:
        return None
    plt = _pyplot()
    days = sorted({day for points in series.values() for day, _ in points})
    fig, ax = plt.subplots(figsize=(8, 3.6), dpi=100)
    bottom = [0.0] * len(days)
    for name in sorted(series):
        values = dict(series[name])
        heights = [values.get(day, 0.0) for day in days]
        ax.bar([d.strftime("%a %d %b") for d in days], heights, bottom=bottom, width=0.6, label=name or "(none)")
        bottom = [b + h for b, h in zip(bottom, heights)]
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    if counts:
        _whole_numbers(ax)
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.tick_params(axis="x", labelrotation=30, labelsize="small")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def _hbars(path: Path, title: str, rows: list, xlabel: str) -> Optional[Path]:
    """Horizontal bars, this period against the previous one: rows are (name, current, previous)."""
    if not rows:
        return None
    plt = _pyplot()
    rows = rows[:12][::-1]
    names = [str(name) or "(none)" for name, _, _ in rows]
    positions = list(range(len(rows)))
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(rows) + 1.4), dpi=100)
    ax.barh([p + 0.2 for p in positions], [cur for _, cur, _ in rows], height=0.4, label="this period")
    ax.barh([p - 0.2 for p in positions], [prev for _, _, prev in rows], height=0.4, label="previous period",
            alpha=0.6)
    ax.set_yticks(positions, names)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def _csat(path: Path, scores: dict) -> Optional[Path]:
    if not scores or not sum(scores.values()):
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 3), dpi=100)
    keys = sorted(scores)
    colors = {1: "#d44a3a", 2: "#ed8128", 3: "#f2cc0c", 4: "#7eb26d", 5: "#299c46"}
    ax.bar([str(k) for k in keys], [scores[k] for k in keys], color=[colors.get(k, "#888888") for k in keys])
    _whole_numbers(ax)
    ax.set_title("CSAT scores")
    ax.set_xlabel("score")
    ax.set_ylabel("responses")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def render(client: PrometheusClient, report: WeeklyReport, directory: Path, stem: str) -> dict:
    """Draw the report's charts into ``directory``; returns ``{chart key: file name}`` of those drawn."""
    directory.mkdir(parents=True, exist_ok=True)
    f = report.filters
    drawn = {
        "conversations": _stacked_bars(
            directory / f"{stem}-conversations.png", "Conversations per day by outcome", "conversations",
            daily_series(client, lambda w: q.conversations(f, w, (q.OUTCOME,)), report, q.OUTCOME)),
        "cost": _stacked_bars(
            directory / f"{stem}-cost.png", "LLM cost per day by model", "USD",
            daily_series(client, lambda w: q.cost(f, w, (q.MODEL,)), report, q.MODEL), counts=False),
        "intents": _hbars(directory / f"{stem}-intents.png", "Conversations by intent",
                          report.intents.rows if report.intents else [], "conversations"),
        "csat": _csat(directory / f"{stem}-csat.png", report.csat_scores),
    }
    return {key: path.name for key, path in drawn.items() if path is not None}
