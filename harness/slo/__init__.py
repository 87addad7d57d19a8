"""SLOs: spec files ─► model ─► evaluation against Prometheus over a window."""

from harness.slo.loader import load_slo_files
from harness.values.slo import SLO

__all__ = ["SLO", "load_slo_files"]
