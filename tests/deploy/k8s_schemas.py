"""Offline schema checks of Kubernetes objects: built-in kinds and custom resources.

Built-in kinds go through kubernetes-validate (the API server's OpenAPI schemas, strict: unknown
fields are errors). Custom resources go through the openAPIV3Schema of their CRD, made strict the
same way: the API server would silently prune an unknown (mistyped) field of a custom resource.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml

# A release the clusters of 2025-2026 run; kubernetes-validate ships its schemas.
KUBERNETES_VERSION = "1.33.0"

# CRD file of each custom resource kind, by the folder name that deploy/tools/fetch-crds.sh prints.
CRD_FILES = {
    ("monitoring.coreos.com", "PrometheusRule"): ("prometheus-operator", "monitoring.coreos.com_prometheusrules.yaml"),
    ("monitoring.coreos.com", "ServiceMonitor"): ("prometheus-operator", "monitoring.coreos.com_servicemonitors.yaml"),
    ("monitoring.coreos.com", "PodMonitor"): ("prometheus-operator", "monitoring.coreos.com_podmonitors.yaml"),
    ("monitoring.coreos.com", "AlertmanagerConfig"): ("prometheus-operator", "monitoring.coreos.com_alertmanagerconfigs.yaml"),
    ("monitoring.coreos.com", "Alertmanager"): ("prometheus-operator", "monitoring.coreos.com_alertmanagers.yaml"),
    ("monitoring.coreos.com", "Prometheus"): ("prometheus-operator", "monitoring.coreos.com_prometheuses.yaml"),
    ("opentelemetry.io", "Instrumentation"): ("opentelemetry-operator", "opentelemetry.io_instrumentations.yaml"),
}


def validate_builtin(obj: dict[str, Any]) -> list[str]:
    """Errors of a built-in kind against the Kubernetes schemas (empty when valid)."""
    try:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as err:
        return [f"{'/'.join(map(str, err.path))}: {err.message}"]
    return []


def is_custom(obj: dict[str, Any]) -> bool:
    group = obj["apiVersion"].split("/")[0] if "/" in obj["apiVersion"] else ""
    return (group, obj["kind"]) in CRD_FILES


def strict(schema: Any) -> Any:
    """Forbid properties a structural schema does not declare (where it does not preserve them)."""
    if isinstance(schema, dict):
        out = {k: strict(v) for k, v in schema.items()}
        if ("properties" in out and "additionalProperties" not in out
                and not out.get("x-kubernetes-preserve-unknown-fields")):
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [strict(v) for v in schema]
    return schema


def crd_schema(crd_dirs: dict[str, Path], api_version: str, kind: str) -> dict[str, Any]:
    """The strict openAPIV3Schema of `kind` at `api_version`, from its CRD."""
    group, version = api_version.split("/")
    folder, filename = CRD_FILES[(group, kind)]
    crd = yaml.safe_load((crd_dirs[folder] / filename).read_text())
    for served in crd["spec"]["versions"]:
        if served["name"] == version:
            assert served.get("served", True), f"{kind} {api_version} is not served by its CRD"
            schema = copy.deepcopy(served["schema"]["openAPIV3Schema"])
            # metadata is checked by the API server's ObjectMeta, not by the CRD.
            schema["properties"]["metadata"] = {"type": "object"}
            return strict(schema)
    raise AssertionError(f"the {kind} CRD serves no version {version}")


def schema_of(crd: dict[str, Any], version: str, kind: str) -> dict[str, Any]:
    """The strict openAPIV3Schema that a CRD object serves for `version`."""
    for served in crd["spec"]["versions"]:
        if served["name"] == version:
            assert served.get("served", True), f"{kind} {version} is not served by its CRD"
            schema = copy.deepcopy(served["schema"]["openAPIV3Schema"])
            schema["properties"]["metadata"] = {"type": "object"}
            return strict(schema)
    raise AssertionError(f"the {kind} CRD serves no version {version}")


def validate_custom_with(crd: dict[str, Any], obj: dict[str, Any]) -> list[str]:
    """Errors of a custom resource against the schema of the given CRD object (empty when valid)."""
    schema = schema_of(crd, obj["apiVersion"].split("/")[1], obj["kind"])
    errors = jsonschema.Draft7Validator(schema).iter_errors(obj)
    return [f"{'/'.join(map(str, e.path))}: {e.message}" for e in sorted(errors, key=lambda e: list(e.path))]


def validate_custom(obj: dict[str, Any], crd_dirs: dict[str, Path]) -> list[str]:
    """Errors of a custom resource against its CRD's schema (empty when valid)."""
    schema = crd_schema(crd_dirs, obj["apiVersion"], obj["kind"])
    errors = jsonschema.Draft7Validator(schema).iter_errors(obj)
    return [f"{'/'.join(map(str, e.path))}: {e.message}" for e in sorted(errors, key=lambda e: list(e.path))]


def validate_object(obj: dict[str, Any], crd_dirs: dict[str, Path]) -> list[str]:
    """Errors of any object we ship: a custom resource by its CRD, anything else by Kubernetes'."""
    return validate_custom(obj, crd_dirs) if is_custom(obj) else validate_builtin(obj)
