"""The stages of one run, each a function from what the stages before it produced to its own output.

    start_stack ─► Stack ─► wait_for_stack ─► run_load ─► LoadOutcome
        ─► measure ─► Measurements ─► judge ─► Judgement (its verdict)

harness/run.py composes them and records each output as it arrives; the outputs are values
(harness/values/stage_outputs.py), except the ``Stack``, which holds live processes.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["Say"]

Say = Callable[[str], None]  # one line for the person watching the run, per step it waits on
