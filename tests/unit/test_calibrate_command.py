"""loadgate calibrate: its flags refused before anything starts, and its summary's arithmetic over
trials (the rates' exact intervals, inconclusive trials kept apart, the detection curve)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.calibrate.command import summarise, trial_schedule
from harness.calibrate.options import CalibrateOptions, parse_shifts
from harness.calibrate.trials import Trial
from harness.cli import main
from harness.errors import EXIT_INVALID_INPUT, Problem


@pytest.mark.parametrize("text", ["0,1001", "-5", "ten", "5,,10"])
def test_a_shift_outside_0_to_1000_percent_is_refused(text: str) -> None:
    problems: list[Problem] = []
    parse_shifts(text, problems)
    assert problems and "from 0 to 1000" in problems[0].message


def test_shifts_read_as_percentages_once_each() -> None:
    problems: list[Problem] = []
    assert parse_shifts("0, 5%,10,10,30%", problems) == (0.0, 5.0, 10.0, 30.0)
    assert not problems


def test_bad_flags_exit_2_naming_each(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["calibrate", str(tmp_path / "none.yaml"), "--trials", "0", "--mode", "both",
                 "--shifts", "0,2000%"])  # fmt: skip
    assert code == EXIT_INVALID_INPUT
    err = capsys.readouterr().err
    for flag in ("scenario", "--trials", "--mode", "--shifts"):
        assert flag in err


def test_the_summary_counts_judged_trials_with_exact_intervals(tmp_path: Path) -> None:
    options = CalibrateOptions(tmp_path / "s.yaml", 20, (0.0, 20.0), "duet", tmp_path, False)
    trials = [Trial(0.0, "pass", (), "r") for _ in range(18)]
    trials += [Trial(0.0, "warn", ("w",), "r"), Trial(0.0, "inconclusive", ("x",), "r")]
    trials += [Trial(20.0, "fail", ("f",), "r") for _ in range(19)] + [Trial(20.0, "pass", (), "r")]
    summary = summarise(options, trials)
    assert summary["judged_trials"] == 39 and summary["inconclusive_trials"] == 1
    assert summary["false_fail"] == {"count": 0, "trials": 19, "rate": 0.0,
                                     "ci95": [0.0, pytest.approx(1 - 0.025 ** (1 / 19))]}  # fmt: skip
    assert summary["false_warn"]["count"] == 1  # type: ignore[index]
    detection = summary["detection"]
    assert [(p["shift_pct"], p["failures"], p["trials"]) for p in detection] == [  # type: ignore[attr-defined]
        (0.0, 0, 19), (20.0, 19, 20),
    ]  # fmt: skip
    assert summary["smallest_detected_shift_pct"] == 20.0


def test_a_continued_calibration_runs_new_trial_numbers_with_every_shift(tmp_path: Path) -> None:
    # A trial's number is its traffic's seed: --first-trial 49 must not replay trials 1–12.
    options = CalibrateOptions(tmp_path / "s.yaml", 3, (0.0, 20.0), "duet", tmp_path, False,
                               first_trial=49)  # fmt: skip
    schedule = trial_schedule(options)
    assert [index + 1 for index, _ in schedule] == [49, 49, 50, 50, 51, 51]
    assert [shift for _, shift in schedule] == [0.0, 20.0, 20.0, 0.0, 0.0, 20.0]


def test_a_first_trial_below_1_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["calibrate", str(tmp_path / "none.yaml"), "--first-trial", "0"])
    assert code == EXIT_INVALID_INPUT
    assert "--first-trial" in capsys.readouterr().err
