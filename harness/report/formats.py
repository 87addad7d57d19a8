"""How every reporter writes a number: one rule for a value that is missing.

Reporters read numbers from result.json or from live queries, where a value may be missing
(``None``), not finite (NaN from an empty window) or of another type (an older file). All of them
are shown as "–", never as "nan" or an exception.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["is_number", "num"]

MISSING = "–"


def is_number(value: Any) -> bool:
    """A finite int or float (a bool is not a number here)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def num(value: Any, spec: str = ",.3g", suffix: str = "") -> str:
    """``value`` formatted by ``spec`` with ``suffix``; "–" when it is not a finite number."""
    if not is_number(value):
        return MISSING
    if spec.endswith("d") and isinstance(value, float):  # a count read back from JSON as 3.0
        value = round(value)
    return f"{value:{spec}}{suffix}"
