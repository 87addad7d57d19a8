"""Locust's own options on the command line: everything after the first ``--``."""

from __future__ import annotations

from harness.cli import build_parser
from harness.plan.flags import split_locust_args


def test_everything_after_the_first_double_dash_is_locust_s() -> None:
    own, locust = split_locust_args(
        ["run", "ci.yaml", "--users", "3", "--", "--tags", "a", "--", "b"]
    )
    assert own == ["run", "ci.yaml", "--users", "3"]
    assert locust == ("--tags", "a", "--", "b")


def test_no_double_dash_means_none_given_so_the_scenario_decides() -> None:
    assert split_locust_args(["run", "ci.yaml"]) == (["run", "ci.yaml"], None)
    assert split_locust_args(["run", "ci.yaml", "--"]) == (["run", "ci.yaml"], ())


def test_the_help_of_run_and_soak_says_how_to_pass_locust_options() -> None:
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name in ("run", "soak"):
        text = commands[name].format_help()
        assert "[-- LOCUST_OPTION ...]" in text and "--tags home" in text and "refused" in text
