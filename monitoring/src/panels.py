"""Small builders over Grafana's foundation SDK: one call per panel kind, thresholds from config.

``Board`` collects rows and panels, numbers panels (ids unique per dashboard) and turns the SDK's
objects into the plain JSON Grafana provisions.
"""

from __future__ import annotations

import json
from typing import Iterable, Optional, Sequence

from grafana_foundation_sdk.builders import bargauge, dashboard, piechart, prometheus, stat, table, timeseries
from grafana_foundation_sdk.builders import common as cb
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import common as cm
from grafana_foundation_sdk.models import dashboard as dm
from grafana_foundation_sdk.models import piechart as pcm
from grafana_foundation_sdk.models import prometheus as pm

from agentotel_tools import promql as q

from . import config as c

PROMETHEUS = dm.DataSourceRef(type_val="prometheus", uid=c.PROMETHEUS_UID)
RATE = "$__rate_interval"
RANGE = "$__range"

GREEN, YELLOW, ORANGE, RED, BLUE = "green", "yellow", "orange", "red", "blue"


class Target:
    """A PromQL query of a panel."""

    def __init__(self, expr: str, legend: str = "__auto", *, instant: bool = False, exemplar: bool = False,
                 heatmap: bool = False) -> None:
        self.expr, self.legend, self.instant, self.exemplar, self.heatmap = expr, legend, instant, exemplar, heatmap

    def build(self, ref: str) -> prometheus.Dataquery:
        query = prometheus.Dataquery().expr(self.expr).legend_format(self.legend).ref_id(ref).datasource(PROMETHEUS)
        if self.instant:
            query = query.instant()
        else:
            query = query.range()
        if self.exemplar:
            query = query.exemplar(True)
        if self.heatmap:
            # Grafana turns cumulative `le` buckets into per-bucket counts.
            query = query.format(pm.PromQueryFormat.HEATMAP)
        return query


def thresholds(objective: Optional[c.Objective] = None, *, steps: Sequence = ()) -> dashboard.ThresholdsConfig:
    """Colour steps from an objective: green at the target, yellow to red towards the alert levels."""
    if objective is None:
        levels = [dm.Threshold(value=None, color=GREEN), *(dm.Threshold(value=v, color=col) for v, col in steps)]
    elif objective.higher_is_better:
        levels = [dm.Threshold(value=None, color=RED)]
        if objective.critical is not None:
            levels.append(dm.Threshold(value=objective.critical, color=ORANGE))
        if objective.warning is not None:
            levels.append(dm.Threshold(value=objective.warning, color=YELLOW))
        levels.append(dm.Threshold(value=objective.target, color=GREEN))
    else:
        levels = [dm.Threshold(value=None, color=GREEN), dm.Threshold(value=objective.target, color=YELLOW)]
        if objective.warning is not None:
            levels.append(dm.Threshold(value=objective.warning, color=ORANGE if objective.critical else RED))
        if objective.critical is not None:
            levels.append(dm.Threshold(value=objective.critical, color=RED))
    return dashboard.ThresholdsConfig().mode(dm.ThresholdsMode.ABSOLUTE).steps(levels)


def _explore(datasource_type: str, uid: str, query: dict) -> str:
    pane = {"datasource": uid,
            "queries": [{"refId": "A", "datasource": {"type": datasource_type, "uid": uid}, **query}],
            "range": {"from": "${__from}", "to": "${__to}"}}
    return "/explore?schemaVersion=1&orgId=1&panes=" + json.dumps({"traces": pane}, separators=(",", ":"))


def trace_links(model: bool = True) -> list:
    """Data links from a series to the traces behind it, in Jaeger and in Tempo."""
    service = "${__field.labels.service_name}"
    jaeger_query = {"queryType": "search", "service": service}
    traceql = f'resource.service.name="{service}"'
    if model:
        jaeger_query["tags"] = "gen_ai.request.model=${__field.labels.gen_ai_request_model}"
        traceql += ' && span.gen_ai.request.model="${__field.labels.gen_ai_request_model}"'
    return [
        dashboard.DashboardLink("Traces in Jaeger").url(_explore("jaeger", c.JAEGER_UID, jaeger_query)),
        dashboard.DashboardLink("Traces in Tempo").url(
            _explore("tempo", c.TEMPO_UID, {"queryType": "traceql", "query": "{" + traceql + "}"})),
    ]


def _common(panel, title: str, description: str, targets: Iterable[Target], unit: str, w: int, h: int):
    panel = panel.title(title).datasource(PROMETHEUS).unit(unit).grid_pos(dm.GridPos(h=h, w=w, x=0, y=0))
    if description:
        panel = panel.description(description)
    for i, target in enumerate(targets):
        panel = panel.with_target(target.build(chr(ord("A") + i)))
    return panel


def timeseries_panel(title: str, targets: Sequence[Target], unit: str = "short", *, description: str = "",
                     objective: Optional[c.Objective] = None, w: int = 12, h: int = 8, stacked: bool = False,
                     bars: bool = False, links: Sequence = (), min_value: Optional[float] = 0,
                     max_value: Optional[float] = None):
    panel = _common(timeseries.Panel(), title, description, targets, unit, w, h)
    panel = panel.line_width(1).fill_opacity(10).show_points(cm.VisibilityMode.NEVER)
    panel = panel.legend(cb.VizLegendOptions().display_mode(cm.LegendDisplayMode.TABLE)
                         .placement(cm.LegendPlacement.BOTTOM).show_legend(True).calcs(["mean", "max", "lastNotNull"]))
    if min_value is not None:
        panel = panel.min(min_value)
    if max_value is not None:
        panel = panel.max(max_value)
    if stacked:
        panel = panel.stacking(cb.StackingConfig().mode(cm.StackingMode.NORMAL))
    if bars:
        panel = panel.draw_style(cm.GraphDrawStyle.BARS).fill_opacity(80)
    if objective is not None:
        # The objective's levels drawn as dashed lines over the series.
        panel = panel.thresholds(thresholds(objective)).thresholds_style(
            cb.GraphThresholdsStyleConfig().mode(cm.GraphTresholdsStyleMode.DASHED))
    if links:
        panel = panel.data_links(list(links))
    return panel


def stat_panel(title: str, target: Target, unit: str = "short", *, description: str = "",
               objective: Optional[c.Objective] = None, w: int = 4, h: int = 4, decimals: Optional[int] = None,
               no_value: Optional[str] = None, steps: Sequence = ()):
    panel = _common(stat.Panel(), title, description, [target], unit, w, h)
    panel = panel.color_mode(cm.BigValueColorMode.BACKGROUND).graph_mode(cm.BigValueGraphMode.NONE)
    panel = panel.thresholds(thresholds(objective, steps=steps))
    if decimals is not None:
        panel = panel.decimals(decimals)
    if no_value is not None:
        panel = panel.no_value(no_value)
    return panel


def pie_panel(title: str, target: Target, unit: str = "short", *, description: str = "", w: int = 8, h: int = 8):
    panel = _common(piechart.Panel(), title, description, [target], unit, w, h)
    return panel.pie_type(pcm.PieChartType.DONUT)


def bargauge_panel(title: str, targets: Sequence[Target], unit: str = "short", *, description: str = "",
                   objective: Optional[c.Objective] = None, w: int = 8, h: int = 8,
                   max_value: Optional[float] = None):
    panel = _common(bargauge.Panel(), title, description, targets, unit, w, h)
    panel = panel.display_mode(cm.BarGaugeDisplayMode.GRADIENT).orientation(cm.VizOrientation.HORIZONTAL)
    panel = panel.thresholds(thresholds(objective)).min(0)
    if max_value is not None:
        panel = panel.max(max_value)
    return panel


def table_panel(title: str, targets: Sequence[Target], unit: str = "short", *, description: str = "",
                w: int = 12, h: int = 8):
    panel = _common(table.Panel(), title, description, targets, unit, w, h)
    return panel.with_transformation(dm.DataTransformerConfig(id_val="merge", options={}))


class Board:
    """A dashboard under construction: rows of panels, numbered in order."""

    def __init__(self, uid: str, title: str, description: str, tags: Sequence[str] = ()) -> None:
        self._builder = (dashboard.Dashboard(title).uid(uid).description(description)
                         .tags(["agentotel", *tags]).time("now-6h", "now").refresh("1m").timezone("browser")
                         .tooltip(dm.DashboardCursorSync.CROSSHAIR).readonly())
        self._next_id = 1
        for name, label, prom_label in c.VARIABLES:
            self._builder = self._builder.with_variable(_variable(name, label, prom_label))
        self._builder = self._builder.link(
            dashboard.DashboardLink("agentotel").type(dm.DashboardLinkType.DASHBOARDS).tags(["agentotel"])
            .as_dropdown(True).include_vars(True).keep_time(True))

    def _id(self) -> int:
        self._next_id += 1
        return self._next_id - 1

    def row(self, title: str, panels: Sequence) -> "Board":
        row = dashboard.Row(title).id(self._id())
        for panel in panels:
            row = row.with_panel(panel.id(self._id()))
        self._builder = self._builder.with_row(row)
        return self

    def build(self) -> dict:
        data = json.loads(json.dumps(self._builder.build(), cls=JSONEncoder))
        for variable in data["templating"]["list"]:
            variable.pop("id", None)  # the SDK's placeholder uuid, the same for every variable
            variable["definition"] = variable["query"]["query"]
        data.setdefault("annotations", {}).setdefault("list", []).append(deployments_annotation())
        return _layout(_flatten_rows(data))


def deployments_annotation() -> dict:
    """A marker on every panel where a service starts reporting a new ``service.version``."""
    return {
        "name": "Deployments",
        "datasource": {"type": "prometheus", "uid": c.PROMETHEUS_UID},
        "enable": True,
        "iconColor": BLUE,
        "expr": q.deployments(c.DEPLOYMENT_WINDOW),
        "step": "1m",
        "titleFormat": "Deployed {{service_name}} {{service_version}}",
        "tagKeys": "service_name,service_version,deployment_environment_name",
        "textFormat": "",
        "useValueForTime": False,
    }


def _flatten_rows(data: dict) -> dict:
    """Expanded rows list their panels after them at the top level, as Grafana saves them."""
    flat = []
    for panel in data.get("panels", []):
        inner = panel.pop("panels", None) if panel.get("type") == "row" else None
        if panel.get("type") == "row":
            panel["panels"] = []
            panel["collapsed"] = False
        flat.append(panel)
        flat.extend(inner or [])
    data["panels"] = flat
    return data


def _layout(data: dict) -> dict:
    """Place panels left to right, wrapping to a new line when a panel does not fit the 24 columns;
    each row starts a new line."""
    x = y = line_height = 0
    for panel in data["panels"]:
        pos = panel["gridPos"]
        if panel["type"] == "row" or x + pos["w"] > 24:
            x, y, line_height = 0, y + line_height, 0
        pos["x"], pos["y"] = x, y
        if panel["type"] == "row":
            y += pos["h"]
            continue
        x += pos["w"]
        line_height = max(line_height, pos["h"])
    return data


def _variable(name: str, label: str, prom_label: str):
    env_filter = "" if name == "environment" else f'{{deployment_environment_name=~"$environment"}}'
    query = f"label_values({c.VARIABLE_SOURCE_METRIC}{env_filter}, {prom_label})"
    return (dashboard.QueryVariable(name).label(label).datasource(PROMETHEUS)
            .query({"query": query, "refId": f"{name}-values", "qryType": 1})
            .multi(True).include_all(True).all_value(".*")
            .current(dm.VariableOption(selected=True, text=["All"], value=["$__all"]))
            .refresh(dm.VariableRefresh.ON_TIME_RANGE_CHANGED).sort(dm.VariableSort.ALPHABETICAL_ASC))
