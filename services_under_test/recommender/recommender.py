"""The recommendation logic, pure: catalog and history in, ranked item ids out. No I/O.

Home: recent interactions ─► item-to-item neighbours ─► score by the user's taste (the mean
embedding of what they touched) weighted by popularity ─► drop what they have seen and what is out
of stock ─► diversify by category ─► top n, filled up with popular items when too few are left.
Users with no history get popular items.
"""

from __future__ import annotations

import numpy as np

from services_under_test.recommender.catalog import Catalog

__all__ = ["diversify", "home", "in_stock_neighbours", "similar"]

RECENT = 10  # interactions whose neighbours become candidates
# np.float32(k) for the taste's division, made once: a numpy scalar costs ~0.3 µs to construct.
_COUNTS = [np.float32(k) for k in range(RECENT + 1)]


def in_stock_neighbours(catalog: Catalog, item_id: int) -> list[int]:
    """What home takes per recent item (and the service caches): the item's neighbours that are
    in stock. Stock never changes in a catalog, so filtering here, once per cache fill, leaves the
    same candidates as filtering the union on every request."""
    in_stock = catalog.in_stock_of
    return [i for i in catalog.neighbours[item_id].tolist() if in_stock[i]]


def home(catalog: Catalog, history: list[int], neighbours_of: list[list[int]], n: int) -> list[int]:
    """Ranked items for a user. ``neighbours_of[i]`` is ``in_stock_neighbours`` of ``history[i]``."""
    if not history:
        return catalog.popular(None, n)
    # ~150 candidates: Python sets dedupe them in ~2 µs, where numpy's unique and isin cost ~15 µs
    # of per-call overhead (docs/performance.md). Sorted, as np.unique left them: ties in score go
    # to the lower id through the stable argsort below.
    pool = set().union(*neighbours_of)
    pool.difference_update(history)
    if not pool:
        return catalog.popular(None, n)
    candidates = np.fromiter(pool, dtype=np.int32, count=len(pool))
    candidates.sort()  # in place: the method, not np.sort's copy through its Python wrapper
    # take() gathers the same rows as fancy indexing, ~1.5 µs sooner (no general indexing path).
    # The mean as numpy computes it (a sum, then one division), without mean()'s Python wrapper:
    # the same float32 bits, so the same ranking. The popularity weight, log1p(popularity * 1e4),
    # is computed once per item (Catalog.score_weight): the same float32 ufunc on the same
    # values, element by element, so the same bits as computing it for the candidates here.
    recent = catalog.embeddings.take(history[:RECENT], axis=0)
    taste = np.add.reduce(recent, axis=0) / _COUNTS[recent.shape[0]]
    scores = (catalog.embeddings.take(candidates, axis=0) @ taste) * catalog.score_weight.take(
        candidates
    )
    ranked = candidates[(-scores).argsort(kind="stable")].tolist()
    chosen = diversify(catalog, ranked, n)
    if len(chosen) < n:  # a short or one-category history: popular items keep the list full
        listed = {*chosen, *history}
        popular = catalog.popular(None, n + len(listed))
        chosen += [i for i in popular if i not in listed][: n - len(chosen)]
    return chosen


def similar(catalog: Catalog, item_id: int, n: int) -> list[int]:
    """Items like ``item_id``: its neighbours, in stock, closest in embedding first; then, as shops
    do, the most popular in-stock items of its category, until there are ``n``."""
    # Sorted distinct in-stock neighbours, as home builds its candidates (and for the same reason).
    pool = set(in_stock_neighbours(catalog, item_id))
    pool.discard(item_id)
    candidates = np.sort(np.fromiter(pool, dtype=np.int32, count=len(pool)))
    scores = catalog.embeddings.take(candidates, axis=0) @ catalog.embeddings[item_id]
    chosen: list[int] = candidates[np.argsort(-scores, kind="stable")][:n].tolist()
    if len(chosen) < n:  # few distinct neighbours in stock: popular items keep the list full
        listed = {item_id, *chosen}
        # Asking for n + len(listed) leaves n - len(chosen) once the listed ones are passed over.
        popular = catalog.popular(catalog.category_of[item_id], n + len(listed))
        chosen += [i for i in popular if i not in listed][: n - len(chosen)]
    return chosen


def diversify(catalog: Catalog, ranked: list[int], n: int) -> list[int]:
    """Keep the ranking, but at most a third of the list (at least 2) from any one category."""
    per_category = max(2, n // 3)
    category_of = catalog.category_of
    taken = [0] * catalog.categories  # a list indexed by category: cheaper than a dict's get
    chosen: list[int] = []
    for item in ranked:
        category = category_of[item]
        if taken[category] < per_category:
            chosen.append(item)
            taken[category] += 1
            if len(chosen) == n:
                break
    return chosen
