"""The catalog cache gives the catalog build_catalog gives, or builds it: it only ever saves time."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

from services_under_test.recommender.catalog import Catalog, build_catalog
from services_under_test.recommender.catalog_cache import CACHE_ENV, load_or_build_catalog

PARAMETERS = {"seed": 7, "items": 300, "users": 200, "categories": 6}


def assert_same(left: Catalog, right: Catalog) -> None:
    for field in fields(Catalog):
        a, b = getattr(left, field.name), getattr(right, field.name)
        if isinstance(a, np.ndarray):
            assert a.dtype == b.dtype and np.array_equal(a, b), field.name
        else:
            assert a == b, field.name
    assert left.category_of == right.category_of  # the lookup tables are built on load too


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    return tmp_path


def test_a_cached_catalog_is_the_built_one(folder: Path) -> None:
    built = build_catalog(**PARAMETERS)
    first = load_or_build_catalog(**PARAMETERS)  # builds and keeps it
    [kept] = folder.glob("catalog-*.npz")
    kept_at = kept.stat().st_mtime_ns
    second = load_or_build_catalog(**PARAMETERS)  # reads it
    assert kept.stat().st_mtime_ns == kept_at  # read, not written again
    assert_same(built, first)
    assert_same(built, second)


def test_other_parameters_are_another_file(folder: Path) -> None:
    load_or_build_catalog(**PARAMETERS)
    other = load_or_build_catalog(**{**PARAMETERS, "seed": 8})
    assert len(list(folder.glob("catalog-*.npz"))) == 2
    assert_same(build_catalog(**{**PARAMETERS, "seed": 8}), other)


def test_a_file_cut_short_is_built_again(folder: Path) -> None:
    load_or_build_catalog(**PARAMETERS)
    [kept] = folder.glob("catalog-*.npz")
    kept.write_bytes(kept.read_bytes()[:1000])  # a crash mid-copy, a full disk
    assert_same(build_catalog(**PARAMETERS), load_or_build_catalog(**PARAMETERS))
    assert kept.stat().st_size > 1000  # and kept whole again


def test_an_unwritable_folder_still_gives_the_catalog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.setenv(CACHE_ENV, str(blocked / "catalog"))
    assert_same(build_catalog(**PARAMETERS), load_or_build_catalog(**PARAMETERS))


def test_off_builds_every_time_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert_same(build_catalog(**PARAMETERS), load_or_build_catalog(**PARAMETERS))
    assert not list(tmp_path.rglob("*.npz"))
