"""The Dockerfile, read without Docker (no daemon here): a pinned slim Python base, the lock
installed with its hashes, a numeric non-root user, and the layout harness/deploy/image.py
promises the manifests — the plugin, the writable places — where the Dockerfile puts them."""

from __future__ import annotations

import re
import tomllib

from harness.deploy import image
from harness.load.plugin_path import PLUGIN
from tests.conftest import REPO


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments left out."""
    text = re.sub(r"\\\n\s*", " ", (REPO / "Dockerfile").read_text())
    lines = [
        ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")
    ]
    return [(ln.split(None, 1)[0].upper(), ln.split(None, 1)[1]) for ln in lines]


def arguments(word: str) -> list[str]:
    return [args for instruction, args in instructions() if instruction == word]


def test_the_base_images_are_pinned_and_python_is_the_projects() -> None:
    bases = [args.split()[0] for args in arguments("FROM")]
    requires = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["mypy"][
        "python_version"
    ]

    assert re.fullmatch(rf"python:{re.escape(requires)}\.\d+-slim-bookworm", bases[-1]), bases
    assert all(re.search(r":v?\d+\.\d+\.\d+(-[a-z0-9-]+)?$", base) for base in bases), bases


def test_the_lock_is_installed_with_its_hashes_and_without_resolving_anything() -> None:
    runs = arguments("RUN")

    assert "requirements.lock ./" in arguments("COPY")
    assert "pip install --require-hashes --no-deps -r requirements.lock" in runs
    (project,) = [r for r in runs if r.startswith("pip install") and r.endswith(" .")]
    assert "--no-deps" in project and "--no-build-isolation" in project  # setuptools: the lock's


def test_it_runs_as_the_numeric_non_root_user_the_manifests_name() -> None:
    users = arguments("USER")

    assert users == [f"{image.USER_ID}:{image.USER_ID}"]
    assert image.USER_ID != 0
    (entry,) = arguments("ENTRYPOINT")
    assert entry == '["loadgate"]'


def test_the_plugin_is_where_the_workers_load_it_from() -> None:
    workdirs = arguments("WORKDIR")
    installed_at = workdirs[workdirs.index(image.SOURCE_DIR)]  # the checkout, installed editable

    assert "harness ./harness" in arguments("COPY")
    assert f"{installed_at}/{PLUGIN.relative_to(REPO).as_posix()}" == image.PLUGIN
    assert any("--editable ." in r for r in arguments("RUN"))


def test_what_the_containers_write_is_a_volume_the_user_owns() -> None:
    (volume,) = arguments("VOLUME")

    assert volume == f'["{image.TMP_DIR}", "{image.REPORTS_DIR}"]'
    assert any(
        r.startswith("install --directory") and f"--owner={image.USER_ID}" in r and r.endswith(image.REPORTS_DIR)
        for r in arguments("RUN")
    )  # fmt: skip


def test_the_build_context_holds_only_what_the_image_needs() -> None:
    lines = [
        ln
        for ln in (REPO / ".dockerignore").read_text().splitlines()
        if ln and not ln.startswith("#")
    ]
    copied = {
        source.rstrip("/")
        for args in arguments("COPY")
        if not args.startswith("--from")
        for source in args.split()[:-1]
    }

    assert lines[0] == "*"  # everything out, then what is needed back in
    allowed = {ln[1:].rstrip("/") for ln in lines if ln.startswith("!")}
    assert copied == allowed, (copied, allowed)
