"""The generated catalog kept on disk between starts, so a service starts in a fraction of a second.

``build_catalog`` takes ~3 s for the default 50k items and 100k users (most of it shuffling the
history pools: exact, seeded, and kept so the same seed still gives the same shop). A gate starts
the service, and a duet two of them, on every run: those seconds were most of the harness's time
before the first request (docs/performance.md, harness overhead). The catalog is a pure function
of its parameters and of the code that generates it, so a file named after both is either the
same catalog or absent:

* the key hashes the parameters, the source of ``catalog.py`` and numpy's version (a change to
  the generator misses the old files instead of loading them);
* a file is written to a temporary name and renamed, so a reader never sees half of one, and two
  services starting at once (a duet) at worst both build it;
* anything unreadable is rebuilt, never an error: the cache can only save time.

``RECOMMENDER_CATALOG_CACHE`` names the folder (default ``$XDG_CACHE_HOME/loadgate/catalog``, or
``~/.cache/…``); ``off`` builds every time.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from services_under_test.recommender import catalog as catalog_module
from services_under_test.recommender.catalog import Catalog, build_catalog

__all__ = ["CACHE_ENV", "cache_folder", "load_or_build_catalog"]

log = logging.getLogger("recommender")

CACHE_ENV = "RECOMMENDER_CATALOG_CACHE"
_ARRAYS = (
    "category",
    "price_cents",
    "in_stock",
    "popularity",
    "embeddings",
    "neighbours",
    "histories",
)


def cache_folder() -> Path | None:
    """Where catalogs are kept; None when the cache is off."""
    configured = os.environ.get(CACHE_ENV)
    if configured == "off":
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "loadgate" / "catalog"


def _file_for(folder: Path, seed: int, items: int, users: int, categories: int) -> Path:
    source = Path(catalog_module.__file__).read_bytes()
    # numpy's version too: its seeded generators may draw otherwise from one release to the next.
    key = f"{seed}:{items}:{users}:{categories}:numpy {np.__version__}"
    digest = hashlib.sha256(source + key.encode()).hexdigest()
    return folder / f"catalog-{digest[:24]}.npz"


def _load(path: Path, seed: int, categories: int) -> Catalog | None:
    try:
        with np.load(path, allow_pickle=False) as stored:
            arrays = {name: stored[name] for name in _ARRAYS}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None  # absent, cut short or from an older layout: built again
    return Catalog(seed=seed, categories=categories, **arrays)


def _save(path: Path, catalog: Catalog) -> None:
    temporary: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, partial = tempfile.mkstemp(dir=path.parent, suffix=".partial")
        temporary = Path(partial)
        with os.fdopen(handle, "wb") as out:
            np.savez(out, **{name: getattr(catalog, name) for name in _ARRAYS})
        temporary.replace(path)
    except OSError as error:  # a read-only or full disk: the service runs, only slower to start
        log.warning("catalog not cached in %s: %s", path.parent, error)
        if temporary is not None:
            temporary.unlink(missing_ok=True)


def load_or_build_catalog(*, seed: int, items: int, users: int, categories: int) -> Catalog:
    """``build_catalog(...)``, from the cache when it holds this catalog."""
    folder = cache_folder()
    if folder is None:
        return build_catalog(seed=seed, items=items, users=users, categories=categories)
    path = _file_for(folder, seed, items, users, categories)
    catalog = _load(path, seed, categories)
    if catalog is None:
        catalog = build_catalog(seed=seed, items=items, users=users, categories=categories)
        _save(path, catalog)
    catalog.build_lookup_tables()
    return catalog
