"""The one status vocabulary: what a comparison, a criterion, the score and the verdict can be.

A single enum, so the judge, the gate and the verdict cannot drift apart in spelling or meaning.
The values are the strings result.json, junit.xml and summary.md show; changing one changes the
published contract (docs/result-json.schema.json).

Not every judgement can take every value:

- a comparison against the baseline (``gate.statistics``): pass, warn, fail, inconclusive;
- a criterion: pass, warn, fail, no_data (nothing to judge);
- the score: pass, warn, fail;
- the verdict: pass, warn, fail, inconclusive (``VERDICTS``); never no_data, which a criterion
  reports and the verdict turns into inconclusive.

An SLO's evaluation is a different question (met, breached, no_data): ``verdict.SLOStatus``.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["VERDICTS", "Status"]


class Status(StrEnum):
    PASS = "pass"  # noqa: S105 - a status, not a password
    WARN = "warn"
    FAIL = "fail"
    NO_DATA = "no_data"  # a criterion with nothing to judge (no data, too few windows)
    INCONCLUSIVE = "inconclusive"  # the run (or a comparison) could not be judged


# The statuses a verdict (result.json's "verdict") may have, in the order the docs list them.
VERDICTS: tuple[Status, ...] = (Status.PASS, Status.WARN, Status.FAIL, Status.INCONCLUSIVE)
