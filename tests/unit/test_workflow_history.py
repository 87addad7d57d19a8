"""The stability gate keeps main's run history (docs/history.md, "In CI"): the workflow's own
scripts, run under bash with ``gh`` and ``loadgate`` stand-ins that record what they were asked.

- "Find main's run history" takes the newest history a run of a push to main kept, never starts
  a new one over a history it could not download, and uses the database of the
  LOADGATE_HISTORY_URL secret when there is one;
- the Gate step judges with ``--history`` (not a duet: its candidate carries half the load), the
  secret on the command line only, never in a child's environment;
- "Show main's run history" puts the trend in the step summary, a warning when there is none;
- "Keep main's run history" uploads it from pushes to main, whatever the verdict.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.unit.test_workflows import gate_steps, invocations, loadgate_commands, step_named

URL = "postgresql://gate:s3cret@db.example/history"
FILE = "history/loadgate-history.sqlite"
ENV = {"HISTORY_ARTIFACT": "loadgate-history", "HISTORY_FILE": FILE, "GATE_MODE": "duet",
       "GITHUB_EVENT_NAME": "push", "BASE_CHECKOUT": "", "BASELINE": "",
       "GH_REPO": "o/r"}  # fmt: skip


def stub(folder: Path, name: str, body: str) -> None:
    """A command on PATH that records its arguments (one call a line) and then runs ``body``."""
    path = folder / "bin" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'#!/bin/bash\necho "$*" >> "{folder}/{name}.calls"\n{body}\n')
    path.chmod(0o755)


def run_step(name: str, folder: Path, **env: str) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:  # fmt: skip
    """The named step's script, as the runner runs it; (the step, what it wrote to GITHUB_OUTPUT)."""
    script = step_named(gate_steps(), name)[1]["run"]
    output = folder / "github-output"
    output.unlink(missing_ok=True)
    done = subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=folder,
        env={"PATH": f"{folder / 'bin'}:{os.environ['PATH']}", "GITHUB_OUTPUT": str(output),
             "GITHUB_STEP_SUMMARY": str(folder / "summary.md"), "RUNNER_TEMP": str(folder),
             **ENV, **env},
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines()) if output.exists() else {}  # fmt: skip
    return done, outputs


def calls(folder: Path, name: str) -> list[str]:
    path = folder / f"{name}.calls"
    return path.read_text().splitlines() if path.exists() else []


GH_RUNS = """
case "$1 $2" in
  "run list") printf '%s\\n' 305 304 303 ;;
  "api repos/o/r/actions/runs/305/artifacts") echo 0 ;;   # a run cancelled before it kept one
  "api repos/o/r/actions/runs/304/artifacts") echo 1 ;;
  "run download") DOWNLOAD ;;
  *) echo "unexpected: $*" >&2; exit 9 ;;
esac
"""


def test_the_newest_history_a_run_on_main_kept_is_downloaded(tmp_path: Path) -> None:
    stub(
        tmp_path,
        "gh",
        GH_RUNS.replace("DOWNLOAD", 'mkdir -p "$7" && echo db > "$7/loadgate-history.sqlite"'),
    )
    done, outputs = run_step("Find main's run history", tmp_path, HAS_URL="false")

    assert done.returncode == 0, done.stdout + done.stderr
    assert outputs == {"kind": "file"} and (tmp_path / FILE).read_text() == "db\n"
    listed, *asked = calls(tmp_path, "gh")
    assert listed.startswith("run list --workflow stability-gate.yml --branch main --event push")
    assert "--status completed" in listed  # a failing run's history too: part of the trend
    assert asked == [
        "api repos/o/r/actions/runs/305/artifacts --jq "
        '[.artifacts[] | select(.name == "loadgate-history" and (.expired | not))] | length',
        "api repos/o/r/actions/runs/304/artifacts --jq "
        '[.artifacts[] | select(.name == "loadgate-history" and (.expired | not))] | length',
        "run download 304 --name loadgate-history --dir history",
    ]


def test_a_history_that_exists_but_cannot_be_downloaded_fails_rather_than_start_anew(
    tmp_path: Path,
) -> None:
    stub(tmp_path, "gh", GH_RUNS.replace("DOWNLOAD", "exit 1"))
    done, outputs = run_step("Find main's run history", tmp_path, HAS_URL="false")
    assert done.returncode == 1 and outputs == {} and not (tmp_path / FILE).exists()


def test_without_any_history_main_starts_one_and_a_pull_request_goes_without(
    tmp_path: Path,
) -> None:
    stub(tmp_path, "gh", 'case "$1" in run) ;; api) echo 0 ;; esac')
    done, outputs = run_step("Find main's run history", tmp_path, HAS_URL="false")
    assert done.returncode == 0 and outputs == {"kind": "file"}
    assert "::notice::no run history from main yet" in done.stdout
    done, outputs = run_step("Find main's run history", tmp_path, HAS_URL="false",
                             GITHUB_EVENT_NAME="pull_request")  # fmt: skip
    assert done.returncode == 0 and outputs == {"kind": "none"}


def test_a_team_database_is_used_without_asking_for_the_artifact(tmp_path: Path) -> None:
    stub(tmp_path, "gh", "exit 9")
    done, outputs = run_step("Find main's run history", tmp_path, HAS_URL="true")
    assert done.returncode == 0 and outputs == {"kind": "url"} and calls(tmp_path, "gh") == []
    step = step_named(gate_steps(), "Find main's run history")[1]
    assert step["env"]["HAS_URL"] == "${{ secrets.LOADGATE_HISTORY_URL != '' }}"


def test_the_gate_judges_with_the_history_except_a_duet(tmp_path: Path) -> None:
    # It notes whether it inherited the secret: it must never have.
    stub(tmp_path / ".venv", "loadgate", 'env | grep -c "^LOADGATE_HISTORY_URL=" >> "$0.env"; exit 0')  # fmt: skip

    def gate(**env: str) -> list[str]:
        (tmp_path / ".venv" / "loadgate.calls").unlink(missing_ok=True)
        done, _ = run_step("Gate", tmp_path, LOADGATE_HISTORY_URL=URL, **env)
        assert done.returncode == 0, done.stdout + done.stderr
        return calls(tmp_path / ".venv", "loadgate")

    assert gate(HISTORY_KIND="file") == [f"run scenarios/ci.yaml --history {FILE}"]
    assert gate(HISTORY_KIND="url") == [f"run scenarios/ci.yaml --history {URL}"]
    assert gate(HISTORY_KIND="none") == ["run scenarios/ci.yaml"]
    assert gate(HISTORY_KIND="file", GATE_MODE="baseline", BASELINE="/b/main.json",
                GITHUB_EVENT_NAME="pull_request") == [
        f"run scenarios/ci.yaml --baseline /b/main.json --history {FILE}"
    ]  # fmt: skip
    assert gate(HISTORY_KIND="url", BASE_CHECKOUT="/tmp/main", GITHUB_EVENT_NAME="pull_request") == [
        "run scenarios/ci.yaml --duet-baseline-checkout /tmp/main"
    ]  # fmt: skip
    inherited = (tmp_path / ".venv" / "bin" / "loadgate.env").read_text().split()
    assert set(inherited) == {"0"}  # the secret reached no process's environment


def test_the_step_summary_shows_main_s_trend_or_says_why_not(tmp_path: Path) -> None:
    writes_markdown = 'for ((i = 1; i <= $#; i++)); do [ "${!i}" = --markdown ] && j=$((i + 1)) && echo "## Run history" > "${!j}"; done; exit 0'  # fmt: skip
    stub(tmp_path / ".venv", "loadgate", writes_markdown)
    done, _ = run_step("Show main's run history", tmp_path, HISTORY_KIND="url", LOADGATE_HISTORY_URL=URL)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert calls(tmp_path / ".venv", "loadgate") == [
        f"history show --history {URL} --scenario ci --branch main --markdown "
        f"{tmp_path}/history.md --html reports/history.html"
    ]
    assert (tmp_path / "summary.md").read_text() == "## Run history\n"

    stub(tmp_path / ".venv", "loadgate", "exit 3")
    done, _ = run_step("Show main's run history", tmp_path, HISTORY_KIND="file")
    assert done.returncode == 0
    assert "::warning::loadgate history show exited 3" in done.stdout


def test_main_keeps_its_history_whatever_the_verdict_and_pull_requests_only_read_it() -> None:
    steps = gate_steps()
    find_at, find = step_named(steps, "Find main's run history")
    gate_at, gate = step_named(steps, "Gate")
    show_at, show = step_named(steps, "Show main's run history")
    keep_at, keep = step_named(steps, "Keep main's run history")
    assert find_at < gate_at < show_at < keep_at
    assert "if" not in find and gate["env"]["HISTORY_KIND"] == "${{ steps.history.outputs.kind }}"
    assert show["if"].startswith("always() && ")
    assert keep["if"] == (
        "always() && github.event_name == 'push' && steps.history.outputs.kind == 'file' "
        "&& hashFiles(env.HISTORY_FILE) != ''"
    )
    assert keep["uses"].startswith("actions/upload-artifact@")
    assert keep["with"]["name"] == "${{ env.HISTORY_ARTIFACT }}"
    assert keep["with"]["path"] == "${{ env.HISTORY_FILE }}"
    [show_args] = list(invocations(show["run"]))
    assert show_args[:2] == ["history", "show"] and "--markdown" in show_args


def test_the_workflow_runs_the_history_commands() -> None:
    commands = [args for _, args in loadgate_commands()]
    assert sum(1 for args in commands if args[0] == "run" and "--history" in args) >= 2
    assert any(args[:2] == ["history", "show"] for args in commands)
