"""The name every object of a deployment starts with, from the scenario's name."""

from __future__ import annotations

import re

__all__ = ["object_prefix"]

# Kubernetes names a Service or a Job's pods by a DNS label (at most 63 characters): the prefix
# leaves room for the longest suffix, "-workers".
MAX_PREFIX = 63 - len("-workers")


def object_prefix(name: str) -> str:
    """``loadgate-<name>``, as a DNS label: lower case, each run of other characters one ``-``."""
    safe = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    prefix = f"loadgate-{safe}" if safe else "loadgate"
    return prefix[:MAX_PREFIX].rstrip("-")
