"""The recommendation logic, pure: catalog and history in, ranked item ids out. No I/O.

Home: recent interactions ─► item-to-item neighbours ─► score by the user's taste (the mean
embedding of what they touched) weighted by popularity ─► drop what they have seen and what is out
of stock ─► diversify by category ─► top n, filled up with popular items when too few are left.
Users with no history get popular items.
"""

from __future__ import annotations

import numpy as np

from services_under_test.recommender.catalog import Catalog

__all__ = ["diversify", "home", "similar"]

RECENT = 10  # interactions whose neighbours become candidates


def home(catalog: Catalog, history: list[int], neighbours_of: list[list[int]], n: int) -> list[int]:
    """Ranked items for a user. ``neighbours_of[i]`` are the neighbours of ``history[i]`` (cached)."""
    if not history:
        return catalog.popular(None, n)
    candidates = np.unique(np.fromiter((c for ns in neighbours_of for c in ns), dtype=np.int32))
    seen = np.fromiter(history, dtype=np.int32)
    candidates = candidates[~np.isin(candidates, seen) & catalog.in_stock[candidates]]
    if candidates.size == 0:
        return catalog.popular(None, n)
    taste = catalog.embeddings[seen[:RECENT]].mean(axis=0)
    scores = (catalog.embeddings[candidates] @ taste) * np.log1p(
        catalog.popularity[candidates] * 1e4
    )
    ranked = candidates[np.argsort(-scores, kind="stable")]
    chosen = diversify(catalog, [int(i) for i in ranked], n)
    if len(chosen) < n:  # a short or one-category history: popular items keep the list full
        listed = {*chosen, *history}
        popular = catalog.popular(None, n + len(listed))
        chosen += [i for i in popular if i not in listed][: n - len(chosen)]
    return chosen


def similar(catalog: Catalog, item_id: int, n: int) -> list[int]:
    """Items like ``item_id``: its neighbours, in stock, closest in embedding first; then, as shops
    do, the most popular in-stock items of its category, until there are ``n``."""
    candidates = np.unique(catalog.neighbours[item_id])
    candidates = candidates[(candidates != item_id) & catalog.in_stock[candidates]]
    scores = catalog.embeddings[candidates] @ catalog.embeddings[item_id]
    chosen = [int(i) for i in candidates[np.argsort(-scores, kind="stable")][:n]]
    if len(chosen) < n:  # few distinct neighbours in stock: popular items keep the list full
        listed = {item_id, *chosen}
        # Asking for n + len(listed) leaves n - len(chosen) once the listed ones are passed over.
        popular = catalog.popular(int(catalog.category[item_id]), n + len(listed))
        chosen += [i for i in popular if i not in listed][: n - len(chosen)]
    return chosen


def diversify(catalog: Catalog, ranked: list[int], n: int) -> list[int]:
    """Keep the ranking, but at most a third of the list (at least 2) from any one category."""
    per_category = max(2, n // 3)
    taken: dict[int, int] = {}
    chosen: list[int] = []
    for item in ranked:
        category = int(catalog.category[item])
        if taken.get(category, 0) < per_category:
            chosen.append(item)
            taken[category] = taken.get(category, 0) + 1
            if len(chosen) == n:
                break
    return chosen
