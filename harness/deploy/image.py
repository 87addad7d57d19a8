"""The layout of loadgate's image (the Dockerfile at the repository's root), as the manifests and
the template rely on it: where the plugin is, which user runs, what is writable, where a
scenario's files go. Spelled once here; tests/deploy/test_image.py checks the Dockerfile against it.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "BUNDLE_DIR",
    "DEFAULT_IMAGE",
    "EXPORTER_PORT",
    "MASTER_PORT",
    "PLUGIN",
    "REPORTS_DIR",
    "SOURCE_DIR",
    "TMP_DIR",
    "USER_ID",
]

DEFAULT_IMAGE: Final = "loadgate:dev"  # what docs/distributed.md's `docker build -t` names
SOURCE_DIR: Final = "/opt/loadgate"  # the checkout, installed editable as `make install` does
PLUGIN: Final = f"{SOURCE_DIR}/harness/load/plugin.py"  # loaded beside the locustfile (-f a,b)
USER_ID: Final = 10001  # numeric, so runAsNonRoot is checked without /etc/passwd
REPORTS_DIR: Final = "/reports"  # loadgate run --out: the run folder (a VOLUME in the image)
TMP_DIR: Final = "/tmp"  # noqa: S108 — the image's, not ours: the containers' scratch space
BUNDLE_DIR: Final = "/etc/loadgate/bundle"  # a scenario's files (bundle.py): mounted or baked in

MASTER_PORT: Final = 5557  # Locust's master, where workers connect (its default)
EXPORTER_PORT: Final = 9646  # each worker's metrics exporter (LOADGATE_METRICS_PORTS)
