"""Offline schema checks of generated Kubernetes objects.

Kubernetes' own kinds: kubernetes-validate's bundled OpenAPI schemas for KUBERNETES_VERSION,
strict (an unknown field is an error, as ``kubectl apply --validate=strict`` makes it). The
Prometheus Operator's PodMonitor: its CRD's openAPIV3Schema, vendored in tests/testdata/crds/
(see the README there), checked with jsonschema — and made as strict: the API server prunes
unknown fields of a custom resource silently, so a misspelt field would otherwise pass here and
do nothing there.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

import jsonschema
import kubernetes_validate
import yaml

from tests.conftest import REPO

# The oldest Kubernetes the manifests are meant for: every API they use is GA there (batch/v1 Job
# with ttlSecondsAfterFinished, seccompProfile, topologySpreadConstraints).
KUBERNETES_VERSION = "1.31.0"
CRDS = REPO / "tests/testdata/crds"
POD_MONITOR_CRD = CRDS / "monitoring.coreos.com_podmonitors.yaml"


def schema_errors(document: dict[str, Any]) -> list[str]:
    """What is wrong with ``document``, as messages naming the field; ``[]`` when valid."""
    if document.get("apiVersion") == "monitoring.coreos.com/v1":
        validator = jsonschema.Draft202012Validator(_pod_monitor_schema())
        return [
            f"{'.'.join(str(p) for p in error.absolute_path) or '(document)'}: {error.message}"
            for error in validator.iter_errors(document)
        ]
    try:
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        return [f"{'.'.join(str(p) for p in error.path) or '(document)'}: {error.message}"]
    return []


@cache
def _pod_monitor_schema() -> dict[str, Any]:
    crd = yaml.safe_load(POD_MONITOR_CRD.read_text())
    (version,) = [v for v in crd["spec"]["versions"] if v["name"] == "v1"]
    schema = _closed(copy.deepcopy(version["schema"]["openAPIV3Schema"]))
    # The API server checks apiVersion, kind and metadata before the CRD's schema; stated here.
    schema["required"] = sorted({*schema.get("required", []), "apiVersion", "kind", "metadata"})
    schema["properties"]["kind"]["const"] = crd["spec"]["names"]["kind"]
    schema["properties"]["metadata"] = {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"},
            "namespace": {"type": "string"},
            "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
        },
        "additionalProperties": False,
    }
    return schema


def _closed(schema: dict[str, Any]) -> dict[str, Any]:
    """Every object schema that lists its properties accepts no others (subschemas included)."""
    for child in schema.get("properties", {}).values():
        _closed(child)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            _closed(schema[key])
    for key in ("anyOf", "allOf", "oneOf"):
        for child in schema.get(key, []):
            _closed(child)
    if (
        "properties" in schema
        and "additionalProperties" not in schema
        and not schema.get("x-kubernetes-preserve-unknown-fields")
    ):
        schema["additionalProperties"] = False
    return schema
