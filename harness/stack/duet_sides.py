"""Before a duet's load: are the two sides versions of the same service?

A duet sends the same requests to both sides. If one side lacks an endpoint the other serves, its
requests there fail and every comparison of that endpoint measures a 404, not a regression. Where
both sides publish an OpenAPI document (``/openapi.yaml`` or ``/openapi.json``, as the reference
service does), their paths must match; a difference is an input error naming the paths, before
any load. A side without a document cannot be checked, and is not refused for it.
"""

from __future__ import annotations

import json

import requests
import yaml

from harness.errors import InputError, Problem

__all__ = ["check_same_endpoints"]

DOCUMENTS = ("/openapi.yaml", "/openapi.json")
TIMEOUT_S = 3.0


def check_same_endpoints(baseline_url: str, candidate_url: str) -> None:
    baseline, candidate = _paths(baseline_url), _paths(candidate_url)
    if baseline is None or candidate is None or baseline == candidate:
        return
    only = [
        f"only the {side} ({url}) serves {', '.join(sorted(paths))}"
        for side, url, paths in (
            ("baseline", baseline_url, baseline - candidate),
            ("candidate", candidate_url, candidate - baseline),
        )
        if paths
    ]
    raise InputError([Problem("duet", "endpoints", f"the two sides differ: {'; '.join(only)}; "
                              "allowed: two versions of one service with the same endpoints "
                              "(judge a new endpoint by its SLOs in a run of its own)")])  # fmt: skip


def _paths(base_url: str) -> set[str] | None:
    """The paths of the service's OpenAPI document; None when it publishes none we can read."""
    for document in DOCUMENTS:
        try:
            answer = requests.get(base_url + document, timeout=TIMEOUT_S)
        except requests.RequestException:
            return None
        if not answer.ok:
            continue
        try:
            parsed = (
                json.loads(answer.text)
                if document.endswith(".json")
                else yaml.safe_load(answer.text)
            )
        except (ValueError, yaml.YAMLError):
            return None
        paths = parsed.get("paths") if isinstance(parsed, dict) else None
        return set(paths) if isinstance(paths, dict) else None
    return None
