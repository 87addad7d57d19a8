"""A scenario as a deployment carries it: its files under one folder, the scenario rewritten so
that it reads the same from there, and every problem of the input named at once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from harness.deploy.bundle import Bundle, local_modules, read_bundle
from harness.errors import InputError
from harness.plan import RunOptions, build_plan
from tests.conftest import write
from tests.deploy.conftest import CI, PROMETHEUS, TARGET
from tests.e2e.slo_texts import client_availability_slo


def bundle_of(scenario: Path, workers: int = 3, target: str | None = TARGET) -> Bundle:
    return read_bundle(scenario, workers, target, PROMETHEUS, probe=None)


def scenario_with(folder: Path, extra: str = "", locustfile: str = "load.py") -> Path:
    write(folder / "slos" / "slo.yaml", client_availability_slo("home", 0.99))
    write(folder / "load.py", "import helpers\nimport json\n")
    write(folder / "helpers.py", "from pages import home\n")
    write(folder / "pages" / "__init__.py", "")
    write(folder / "pages" / "home.py", "PATH = '/'\n")
    write(folder / "unused.py", "# not imported by the locustfile\n")
    return write(
        folder / "scenario.yaml",
        f"name: mine\nload:\n  locustfile: {locustfile}\n  users: 4\n  duration: 20s\n  warmup: 2s\n"
        f"slos: [slos/slo.yaml]\n{extra}",
    )


def test_the_rewritten_scenario_reads_from_its_folder_as_the_original_reads(tmp_path: Path) -> None:
    bundle = bundle_of(CI)
    for path, text in bundle.files:
        write(tmp_path / path, text)

    carried = build_plan(RunOptions(scenario=tmp_path / "scenario.yaml", target=TARGET, allow_remote=True), probe=None)  # fmt: skip
    original = build_plan(RunOptions(scenario=CI, target=TARGET, allow_remote=True), probe=None)

    assert carried.locustfile == (tmp_path / bundle.locustfile).resolve()
    assert carried.slo_files == tuple((tmp_path / "slo" / f.name).resolve() for f in original.slo_files)  # fmt: skip
    assert (carried.name, carried.load) == (original.name, original.load)
    assert [replace(s, source="") for s in carried.slos] == [
        replace(s, source="") for s in original.slos
    ]
    assert bundle.load_s == original.load.warmup_s + original.load.duration_s
    assert bundle.target_url == TARGET


def test_the_locustfile_travels_with_the_modules_beside_it_that_it_imports(tmp_path: Path) -> None:
    scenario_with(tmp_path)

    modules = local_modules(tmp_path / "load.py")

    assert [m.relative_to(tmp_path).as_posix() for m in modules] == [
        "helpers.py", "load.py", "pages/__init__.py", "pages/home.py",
    ]  # fmt: skip
    paths = [path for path, _ in bundle_of(tmp_path / "scenario.yaml").files]
    assert paths == [
        "locust/helpers.py", "locust/load.py", "locust/pages/__init__.py", "locust/pages/home.py",
        "scenario.yaml", "slo/slo.yaml",
    ]  # fmt: skip


def test_a_history_file_is_left_out_and_said_a_history_url_is_kept(tmp_path: Path) -> None:
    in_a_file = bundle_of(scenario_with(tmp_path / "a", "history: runs.sqlite\n"))
    at_a_url = bundle_of(scenario_with(tmp_path / "b", "history: postgresql://db/loadgate\n"))

    assert "history" not in dict(in_a_file.files)["scenario.yaml"]
    assert in_a_file.notes == (
        "history: 'runs.sqlite' left out: a file in the master's container is lost with it "
        "(a postgresql:// URL would be kept)",
    )
    assert "history: postgresql://db/loadgate" in dict(at_a_url.files)["scenario.yaml"]
    assert at_a_url.notes == ()


def test_two_slo_files_of_one_name_are_both_carried(tmp_path: Path) -> None:
    scenario = scenario_with(tmp_path)
    write(tmp_path / "more" / "slo.yaml", client_availability_slo("other", 0.99))
    scenario.write_text(scenario.read_text().replace("[slos/slo.yaml]", "[slos/slo.yaml, more/slo.yaml]"))  # fmt: skip

    files = dict(bundle_of(scenario).files)

    assert "slos:\n- slo/slo.yaml\n- slo/slo-2.yaml\n" in files["scenario.yaml"]
    assert files["slo/slo-2.yaml"] == (tmp_path / "more" / "slo.yaml").read_text()


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        pytest.param(
            lambda tmp: bundle_of(scenario_with(tmp), workers=0, target=None),
            ["command line: --workers: 0 is not allowed; allowed: ≥ 1",
             "command line: --target: is required when the scenario has no target.url"],
            id="no workers and no target: both said",
        ),
        pytest.param(
            lambda tmp: bundle_of(tmp / "nowhere.yaml"),
            ["nowhere.yaml: file: cannot be read: No such file or directory"],
            id="a scenario that does not exist",
        ),
        pytest.param(
            lambda tmp: bundle_of(scenario_with(tmp, locustfile="gone.py")),
            ["scenario.yaml: locustfile: '", "gone.py' is not a Python file that exists"],
            id="a scenario whose locustfile does not exist",
        ),
    ],
)  # fmt: skip
def test_bad_input_is_refused_naming_every_problem(
    tmp_path: Path, read: Callable[[Path], Bundle], expected: list[str]
) -> None:
    with pytest.raises(InputError) as caught:
        read(tmp_path)

    said = "\n".join(str(p) for p in caught.value.problems)
    assert all(part in said for part in expected), said


def test_a_scenario_without_a_locustfile_is_told_to_name_one(tmp_path: Path) -> None:
    scenario = write(tmp_path / "s.yaml", "load:\n  users: 3\n")

    with pytest.raises(InputError) as caught:
        bundle_of(scenario)

    assert [str(p) for p in caught.value.problems] == [
        f"{scenario}: load.locustfile: is required: the locustfile the workers run, relative to "
        "the scenario"
    ]
