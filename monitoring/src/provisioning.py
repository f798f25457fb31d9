"""Grafana provisioning: the four datasources with fixed uids, linked to each other, and the
dashboards folder provider.

Links: Prometheus exemplars open their trace (Jaeger and Tempo); a trace's spans open their logs
in Loki by trace id; Loki log lines open their trace by the ``trace_id`` label. In provisioning
files Grafana expands ``$VAR`` from the environment, so Grafana's own ``${...}`` macros are
written ``$${...}``.
"""

from __future__ import annotations

from . import config as c

# The label/field that carries the trace id: the collector's prometheus exporter names exemplar
# labels and the OTLP log records' trace context `trace_id`.
TRACE_ID = "trace_id"


def _traces_to_logs() -> dict:
    return {
        "datasourceUid": c.LOKI_UID,
        "spanStartTimeShift": "-5m",
        "spanEndTimeShift": "5m",
        "filterByTraceID": True,
        "filterBySpanID": False,
        "customQuery": True,
        # Every log record of the trace, of the span's service.
        "query": '{service_name="$${__span.tags["service.name"]}"} | trace_id="$${__trace.traceId}"',
        "tags": [{"key": "service.name", "value": "service_name"}],
    }


def datasources() -> dict:
    return {
        "apiVersion": 1,
        "datasources": [
            {
                "name": "Prometheus",
                "type": "prometheus",
                "uid": c.PROMETHEUS_UID,
                "access": "proxy",
                "url": c.PROMETHEUS_URL,
                "isDefault": True,
                "editable": False,
                "jsonData": {
                    "timeInterval": c.SCRAPE_INTERVAL,
                    "httpMethod": "POST",
                    "exemplarTraceIdDestinations": [
                        {"name": TRACE_ID, "datasourceUid": c.JAEGER_UID, "urlDisplayLabel": "Trace in Jaeger"},
                        {"name": TRACE_ID, "datasourceUid": c.TEMPO_UID, "urlDisplayLabel": "Trace in Tempo"},
                    ],
                },
            },
            {
                "name": "Jaeger",
                "type": "jaeger",
                "uid": c.JAEGER_UID,
                "access": "proxy",
                "url": c.JAEGER_URL,
                "editable": False,
                "jsonData": {"tracesToLogsV2": _traces_to_logs(), "nodeGraph": {"enabled": True}},
            },
            {
                "name": "Tempo",
                "type": "tempo",
                "uid": c.TEMPO_UID,
                "access": "proxy",
                "url": c.TEMPO_URL,
                "editable": False,
                "jsonData": {
                    "tracesToLogsV2": _traces_to_logs(),
                    "tracesToMetrics": {
                        "datasourceUid": c.PROMETHEUS_UID,
                        "spanStartTimeShift": "-5m",
                        "spanEndTimeShift": "5m",
                        "tags": [{"key": "service.name", "value": "service_name"}],
                        "queries": [{
                            "name": "LLM call latency p95",
                            "query": "histogram_quantile(0.95, sum by (le) "
                                     "(rate(gen_ai_client_operation_duration_seconds_bucket{$$__tags}[5m])))",
                        }],
                    },
                    "serviceMap": {"datasourceUid": c.PROMETHEUS_UID},
                    "lokiSearch": {"datasourceUid": c.LOKI_UID},
                    "nodeGraph": {"enabled": True},
                },
            },
            {
                "name": "Loki",
                "type": "loki",
                "uid": c.LOKI_UID,
                "access": "proxy",
                "url": c.LOKI_URL,
                "editable": False,
                "jsonData": {
                    "derivedFields": [
                        {"name": "Trace in Tempo", "matcherType": "label", "matcherRegex": TRACE_ID,
                         "datasourceUid": c.TEMPO_UID, "url": "$${__value.raw}", "urlDisplayLabel": "Trace in Tempo"},
                        {"name": "Trace in Jaeger", "matcherType": "label", "matcherRegex": TRACE_ID,
                         "datasourceUid": c.JAEGER_UID, "url": "$${__value.raw}",
                         "urlDisplayLabel": "Trace in Jaeger"},
                    ],
                },
            },
        ],
    }


def dashboard_providers() -> dict:
    return {
        "apiVersion": 1,
        "providers": [{
            "name": "agentotel",
            "orgId": 1,
            "folder": c.GRAFANA_FOLDER,
            "type": "file",
            "disableDeletion": True,
            "allowUiUpdates": False,
            "updateIntervalSeconds": 30,
            "options": {"path": c.GRAFANA_DASHBOARDS_PATH, "foldersFromFilesStructure": False},
        }],
    }
