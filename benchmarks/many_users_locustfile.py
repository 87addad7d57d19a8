"""The soak's shoppers, but each task is for a user drawn afresh from the whole user base.

The shipped locustfile keeps one user id per Locust user (40 in the soak); a real shop sees its
100k users. ``benchmarks/service_memory.py --many-users`` runs this file to show that the
reference service's memory stays bounded then too, not only when few users come back.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

_SPEC = importlib.util.spec_from_file_location(
    "shopper",
    Path(__file__).resolve().parents[1] / "scenarios" / "locustfiles" / "recommendations.py",
)
assert _SPEC is not None and _SPEC.loader is not None
_shop = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(_shop)


class ManyShoppers(_shop.Shopper):  # type: ignore[name-defined, misc]
    def _item(self) -> int:
        # Every task but the home page draws an item: a new user with it (uniform: the most ids).
        self.user_id = self.rng.randrange(_shop.USERS)
        return int(super()._item())
