"""A bound on the distinct request names one Locust process records and exports.

A locustfile that requests ``/items/{id}`` without ``name=`` makes every URL its own name. Each
new name costs a Prometheus histogram child (105 buckets, rendered on every scrape: about 1.8 ms
per name per scrape, measured) and an HDR histogram; with random ids that cost grows with every
request until the generator saturates. Past ``MAX_NAMES`` names, further names are folded into
``OTHER_NAME``, so the cost per request (and per scrape) stays constant whatever the names.

Pure (no Locust, no gevent): the plugin feeds it, and tests can too.
"""

from __future__ import annotations

__all__ = ["MAX_NAMES", "OTHER_NAME", "NameBound", "folding_warning"]

# Locustfiles grouped with name= have a handful to a few dozen endpoint families (the reference
# shop has 7). Every name costs each 1 s scrape about 1.8 ms of rendering (3-6 ms on a busy
# machine), and the rendering blocks the process's event loop, delaying responses it is timing:
# 30 names keep that to about 55 ms a scrape; beyond them the endpoint table is unreadable anyway.
MAX_NAMES = 30
OTHER_NAME = "(other)"
EXAMPLES = 3  # folded names kept to show the user what to group


class NameBound:
    def __init__(self, limit: int = MAX_NAMES) -> None:
        self.limit = limit
        self.admitted: set[str] = set()
        self.folded_examples: list[str] = []  # the first few names folded, in order
        self.folded_requests = 0

    def fold(self, name: str) -> str:
        """The name to record ``name`` under: itself while there is room, else ``OTHER_NAME``."""
        if name in self.admitted:
            return name
        if len(self.admitted) < self.limit:
            self.admitted.add(name)
            return name
        self.folded_requests += 1
        if len(self.folded_examples) < EXAMPLES and name not in self.folded_examples:
            self.folded_examples.append(name)
        return OTHER_NAME

    @property
    def first_fold(self) -> bool:
        """True on exactly the request that was folded first (warn once)."""
        return self.folded_requests == 1


def folding_warning(examples: list[str], limit: int = MAX_NAMES) -> str:
    shown = ", ".join(repr(name) for name in examples)
    return (
        f"more than {limit} distinct request names: requests under further names (first: "
        f"{shown}) are counted as {OTHER_NAME!r}. A URL with an id in it is a new name per id; "
        'group them with name=, e.g. self.client.get(f"/items/{item_id}", name="/items/[id]")'
    )
