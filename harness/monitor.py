"""What a run lets a watcher do while the load runs — how soak mode rides on the run pipeline.

A plain ``loadgate run`` has no monitor. ``loadgate soak`` passes one that evaluates burn-rate
alerts every interval, pages, samples resources and may stop the load early; at the end it adds
its section to result.json and its findings to the verdict. A monitor must never end a run by
raising: it does its I/O on its own thread and reports what went wrong.
"""

from __future__ import annotations

from typing import Protocol

from rich.console import RenderableType

from harness.prometheus_api import PrometheusAPI
from harness.values.result_doc import MonitorSection
from harness.values.run_result import LoadWindow
from harness.values.samples import PerWindowView
from harness.values.soak_doc import SoakDoc
from harness.values.verdict import Findings

__all__ = ["RunMonitor"]


class RunMonitor(Protocol):
    name: MonitorSection  # its section in result.json (typed there: harness/values/result_doc.py)

    def started(self, api: PrometheusAPI, target_url: str, run_dir_name: str) -> None:
        """The stack is up and the load about to start."""

    def stop_reason(self) -> str | None:
        """Why the load should stop now (e.g. a fast burn with abort on); None: go on."""

    def panel(self) -> RenderableType | None:
        """Extra lines for the live view on a terminal."""

    def line(self) -> str | None:
        """Extra text for the plain progress line (CI logs)."""

    def load_ended(self) -> None:
        """The load has stopped (normally, early, interrupted or failed): stop watching."""

    def finished(self, window: LoadWindow | None, samples: PerWindowView) -> None:
        """The run is over, whatever ended it: conclude (trends, what still fires)."""

    def report(self) -> SoakDoc:
        """Its section of result.json — also when the run ended early (partial). A soak's is the
        one section a monitor adds today (``MonitorSection``); another would widen both."""

    def findings(self) -> Findings: ...
