"""SLOs: spec files ─► model ─► evaluation against Prometheus over a window."""

from harness.slo.model import SLO
from harness.slo.spec import load_slo_files

__all__ = ["SLO", "load_slo_files"]
