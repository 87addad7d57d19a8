"""``loadgate history import``: finished runs' result.json files into a history; a run already
there is skipped and said so; a file that is not a result.json is refused before anything is
recorded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.cli import main
from harness.history import open_history
from tests.history.conftest import duet_result


def write_run(reports: Path, run_id: str, started_at: str, **changes: Any) -> Path:
    document = duet_result() | changes
    document["run"] = document["run"] | {"id": run_id, "started_at": started_at}
    path = reports / run_id / "result.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(document))
    return path


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    write_run(folder, "20261201T000100Z-ci-0001", "2026-12-01T00:01:00.000Z")
    write_run(folder, "20261201T000200Z-ci-0002", "2026-12-01T00:02:00.000Z",
              provenance={"commit": "c" * 40, "branch": "main", "ci_url": None})  # fmt: skip
    return folder


def test_runs_are_imported_once_and_a_second_import_skips_them(
    reports: Path, location: str, capsys: pytest.CaptureFixture[str]
) -> None:
    files = sorted(str(p) for p in reports.glob("*/result.json"))
    assert main(["history", "import", *files, "--history", location]) == 0
    assert "2 run(s) recorded, 0 skipped" in capsys.readouterr().err

    later = write_run(reports, "20261201T000300Z-ci-0003", "2026-12-01T00:03:00.000Z")
    assert main(["history", "import", *files, str(later), "--history", location]) == 0
    err = capsys.readouterr().err
    assert f"skipped 20261201T000100Z-ci-0001 ({files[0]}): already in the history" in err
    assert "1 run(s) recorded, 2 skipped" in err

    with open_history(location) as history:
        runs = history.runs()
    assert [r.run_id[-4:] for r in runs] == ["0001", "0002", "0003"]
    assert [r.commit for r in runs] == [None, "c" * 40, None]  # from the file, never the checkout
    assert runs[0].run_dir == str(reports / "20261201T000100Z-ci-0001")


def test_a_run_folder_stands_for_its_result_json(
    reports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    location = str(tmp_path / "h.sqlite")
    assert main(["history", "import", str(reports / "20261201T000100Z-ci-0001"),
                 "--history", location]) == 0  # fmt: skip
    with open_history(location) as history:
        assert [r.run_id for r in history.runs()] == ["20261201T000100Z-ci-0001"]


def test_a_file_that_is_not_a_result_json_is_refused_and_nothing_is_imported(
    reports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = reports / "20261201T000100Z-ci-0001" / "result.json"
    baseline = tmp_path / "main.json"
    baseline.write_text(json.dumps({"schema": 1, "name": "main", "samples": {}}))
    notes = tmp_path / "notes.txt"
    notes.write_text("not json at all\n")
    location = tmp_path / "h.sqlite"

    code = main(["history", "import", str(good), str(baseline), str(notes),
                 "--history", str(location)])  # fmt: skip

    assert code == 2
    err = capsys.readouterr().err
    assert f"{baseline}: verdict: missing" in err and f"{baseline}: run: missing" in err
    assert f"{notes}:1: (file): not JSON" in err
    assert not location.exists()  # refused before the history was even opened


def test_without_history_the_default_location_under_reports_is_used(
    reports: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["history", "import", *map(str, reports.glob("*/result.json"))]) == 0
    with open_history("reports/history.sqlite") as history:
        assert len(history.runs()) == 2
