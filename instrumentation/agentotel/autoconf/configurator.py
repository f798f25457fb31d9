"""The ``opentelemetry_configurator`` entry point: the SDK set up from ``OTEL_*`` variables.

Exporters, sampler and id generator are chosen exactly as the SDK's own configurator chooses them
(``OTEL_TRACES_EXPORTER``, ``OTEL_EXPORTER_OTLP_PROTOCOL``, ``OTEL_TRACES_SAMPLER``, ...), by
reusing its helpers. What differs is the wiring (see ``pipeline``): agentotel's span processors
before the exporting one, exporting pipelines that count their drops and never block, a bounded
exit, and the resource's ``deployment.environment.name`` filled from the older
``deployment.environment`` when only that is set. ``OTEL_CONFIG_FILE`` hands everything to the
SDK's declarative configuration instead.
"""

from __future__ import annotations

import logging

from opentelemetry.sdk import _configuration as sdk_configuration
from opentelemetry.sdk._configuration import _BaseConfigurator, _OTelSDKConfigurator
from opentelemetry.sdk.resources import Resource

from .. import threads
from ..config import sdk_switches, settings
from ..processors import CostRollup
from ..processors import log_processors as agentotel_log_processors
from ..processors import span_processors as agentotel_span_processors
from ..version import __version__
from ..core.log_once import warn
from .pipeline import Pipeline, build_pipeline, install

_log = logging.getLogger("agentotel")

DEPLOYMENT_ENVIRONMENT_NAME = "deployment.environment.name"
_LEGACY_DEPLOYMENT_ENVIRONMENT = "deployment.environment"

_KNOWN_KWARGS = {
    "auto_instrumentation_version", "resource_attributes", "trace_exporter_names", "metric_exporter_names",
    "log_exporter_names", "sampler", "id_generator", "setup_logging_handler", "exporter_args_map",
    "span_processors", "log_record_processors",
}


def make_resource(resource_attributes: dict | None = None, auto_instrumentation_version: str | None = None) -> Resource:
    """The process's resource, as the SDK makes it (``OTEL_SERVICE_NAME``,
    ``OTEL_RESOURCE_ATTRIBUTES``, the given attributes), over ``telemetry.distro.*`` defaults."""
    distro = {"telemetry.distro.name": "agentotel", "telemetry.distro.version": __version__}
    attributes = dict(resource_attributes or {})
    if auto_instrumentation_version:
        attributes.setdefault("telemetry.auto.version", auto_instrumentation_version)
    resource = Resource(distro).merge(Resource.create(attributes))
    legacy = resource.attributes.get(_LEGACY_DEPLOYMENT_ENVIRONMENT)
    if legacy and DEPLOYMENT_ENVIRONMENT_NAME not in resource.attributes:
        resource = resource.merge(Resource({DEPLOYMENT_ENVIRONMENT_NAME: legacy}))
    return resource


def _exporter_classes(trace_names=(), metric_names=(), log_names=()):
    """Exporter classes by signal, from the arguments plus ``OTEL_{TRACES,METRICS,LOGS}_EXPORTER``."""
    get_names = sdk_configuration._get_exporter_names
    return sdk_configuration._import_exporters(
        list(trace_names) + get_names("traces"),
        list(metric_names) + get_names("metrics"),
        list(log_names) + get_names("logs"),
    )


def _instantiate(classes: dict, args_map) -> list:
    return [cls(**(args_map or {}).get(cls, {})) for cls in classes.values()]


def pipeline_from_environment(rollup: CostRollup | None = None, **kwargs) -> Pipeline:
    """The pipeline the environment (and the SDK configurator's keyword arguments) describe, with
    ``rollup`` (a new one when None) among agentotel's span processors."""
    unknown = set(kwargs) - _KNOWN_KWARGS
    if unknown:
        _log.warning("agentotel: configurator ignores unknown arguments %s", sorted(unknown))
    resource = make_resource(kwargs.get("resource_attributes"), kwargs.get("auto_instrumentation_version"))
    span_classes, metric_classes, log_classes = _exporter_classes(
        kwargs.get("trace_exporter_names") or (), kwargs.get("metric_exporter_names") or (),
        kwargs.get("log_exporter_names") or ())
    args_map = kwargs.get("exporter_args_map")

    sampler = kwargs.get("sampler") or sdk_configuration._import_sampler(sdk_configuration._get_sampler())
    id_generator = kwargs.get("id_generator") or sdk_configuration._import_id_generator(
        sdk_configuration._get_id_generator())
    logging_handler = kwargs.get("setup_logging_handler")
    if logging_handler is None:
        logging_handler = sdk_switches()[2]

    return build_pipeline(
        resource,
        _instantiate(span_classes, args_map),
        _instantiate(metric_classes, args_map),
        _instantiate(log_classes, args_map),
        span_processors=[*agentotel_span_processors(rollup), *(kwargs.get("span_processors") or ())],
        log_record_processors=[*agentotel_log_processors(), *(kwargs.get("log_record_processors") or ())],
        sampler=sampler,
        id_generator=id_generator,
        logging_handler=logging_handler,
        shutdown_timeout=settings().shutdown_timeout,
    )


def configure_from_environment(**kwargs) -> Pipeline:
    """Build the pipeline and make it global, as ``opentelemetry-instrument`` does, with the
    process-wide emitter on it; returns it."""
    rollup = CostRollup()
    pipeline = pipeline_from_environment(rollup, **kwargs)
    install(pipeline)
    if settings().thread_context:
        threads.install()
    _start_emitter(rollup)
    return pipeline


def _start_emitter(rollup: CostRollup) -> None:
    """The process-wide emitter on the global providers, handed the pipeline's ``rollup``. It loads
    the pricing catalog now, so a broken ``AGENTOTEL_PRICING_FILE`` is reported at start-up."""
    from ..core.emitter import Emitter
    from ..core.runtime import set_emitter

    try:
        set_emitter(Emitter(rollup=rollup))
    except Exception as exc:  # noqa: BLE001 - a telemetry set-up problem must not stop the app
        warn(_log, "agentotel: %s", exc, level=logging.ERROR)


class AgentOtelConfigurator(_BaseConfigurator):
    """Configures the SDK for agent telemetry; see the module docstring."""

    def _configure(self, **kwargs):
        disabled, config_file, _ = sdk_switches()
        if disabled:
            return
        if config_file:
            _OTelSDKConfigurator()._configure(**kwargs)
            return
        configure_from_environment(**kwargs)
