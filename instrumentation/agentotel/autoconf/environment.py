"""The defaults ``opentelemetry-instrument`` runs with when agentotel is installed.

The distro applies each default with ``os.environ.setdefault``: a variable the user set, in the
environment or as an ``opentelemetry-instrument --option``, always wins. agentotel's other settings
(``AGENTOTEL_*``, parsed in ``agentotel.config``) are not repeated here.
"""

from __future__ import annotations

#: Name of the conversation-header propagator (``opentelemetry_propagator`` entry point).
CONVERSATION_PROPAGATOR = "agentotel_conversation"

#: Propagators: W3C trace context and baggage, plus the app's conversation headers into baggage.
PROPAGATORS = f"tracecontext,baggage,{CONVERSATION_PROPAGATOR}"

DEFAULTS: dict[str, str] = {
    # This package's configurator, even when another distro's configurator is installed too.
    "OTEL_PYTHON_CONFIGURATOR": "agentotel",
    # All three signals go to the collector over OTLP.
    "OTEL_TRACES_EXPORTER": "otlp",
    "OTEL_METRICS_EXPORTER": "otlp",
    "OTEL_LOGS_EXPORTER": "otlp",
    # OTLP/HTTP (port 4318): the spec's recommended default, and no gRPC threads to stop at exit.
    "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
    # Python logging records are exported, with the trace and span ids of the current span.
    "OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED": "true",
    # Agent traffic is sparse and bursty: 15 s gives four points per minute for rate() in the
    # dashboards (the SDK's default is 60 s).
    "OTEL_METRIC_EXPORT_INTERVAL": "15000",
    # OTEL_PROPAGATORS is set only when the conversation propagator's entry point resolves (see
    # the distro): an unresolvable name would break every later import of opentelemetry.propagate.
}
