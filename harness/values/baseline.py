"""A baseline: what a later run is compared with (harness/baseline_file.py reads and writes it)."""

from __future__ import annotations

from dataclasses import dataclass

from harness.values.samples import PerWindow

__all__ = ["Baseline"]


@dataclass(frozen=True)
class Baseline:
    name: str
    source: str
    scenario: dict[str, object]  # the fingerprint of the scenario that made it
    samples: PerWindow  # endpoint → metric → one value per window
    run_id: str
