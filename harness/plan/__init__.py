"""The plan stage: what to run, validated before anything starts.

    flags (flags.py) ─► RunOptions (options.py) ─► + scenario file ─► Plan (build.py)

``build.py`` reads the scenario with the field reader (``harness/fields.py``): its ``load:``
section in ``load.py``, ``gate:`` in ``gate.py`` and ``gate.criteria`` in ``criteria.py``; a
target URL is checked by ``targets.py``. Every problem of one invocation is raised at once.
"""

from harness.plan.build import Probe, build_plan
from harness.plan.flags import (
    LOCUST_ARGS_HELP,
    add_load_arguments,
    add_remote_arguments,
    run_options,
    split_locust_args,
)
from harness.plan.options import RunOptions

__all__ = [
    "LOCUST_ARGS_HELP",
    "Probe",
    "RunOptions",
    "add_load_arguments",
    "add_remote_arguments",
    "build_plan",
    "run_options",
    "split_locust_args",
]
