"""The soak's shoppers, but every session's shopper drawn uniformly from the whole user base.

The shipped locustfile draws shoppers by a Zipf law, so a few come back often; here none is more
likely than another and none is cold or returning, so as many distinct users as possible arrive
(a new one each session of ~6 pages). ``benchmarks/service_memory.py --many-users`` runs this
file to show that the reference service's memory stays bounded then too.
"""

from __future__ import annotations

import dataclasses
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
    parameters = dataclasses.replace(
        _shop.PARAMETERS, user_zipf=0.0, cold_share=0.0, returning_share=0.0
    )
