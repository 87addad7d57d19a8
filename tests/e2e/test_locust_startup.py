"""How loadgate starts and follows Locust, with the real CLI: a locustfile that cannot run is
refused before anything starts (exit 2), Locust's own options pass through or are refused, a
start-up crash shows its cause, a chatty locustfile's log is bounded, and what was measured
survives a ``LoadTestShape`` that slipped past the check."""

from __future__ import annotations

import contextlib
import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from harness.load import locustfile_check
from tests.conftest import REPO, CliRun, home_requests, leftover_processes, run_cli, wait_for, write
from tests.e2e.slo_texts import client_availability_slo
from tests.result_schema import check_result

HOME = """
from locust import FastHttpUser, constant, tag, task

class Shopper(FastHttpUser):
    wait_time = constant(0.05)

    @tag("home")
    @task
    def home(self):
        self.client.get("/v1/recommendations/home?user_id=3&n=5", name="/v1/recommendations/home")

    @tag("trending")
    @task
    def trending(self):
        self.client.get("/v1/recommendations/trending?n=5", name="/v1/recommendations/trending")
"""
SHAPE = """
class Ramp(LoadTestShape):
    def tick(self):
        return (2, 2)  # forever: Locust would never end on its own
"""


def scenario(folder: Path, locustfile: str, load: str = "") -> Path:
    write(folder / "load.py", locustfile)
    write(folder / "slo.yaml", client_availability_slo("home-availability", 0.9))
    return write(
        folder / "scenario.yaml",
        "name: startup\nload:\n  locustfile: load.py\n  users: 2\n  spawn_rate: 2\n"
        f"  warmup: 1s\n  duration: 3s\n{load}slos: [slo.yaml]\ngate:\n  min_events: 20\n",
    )


def refused(run: CliRun, *fragments: str) -> None:
    assert run.returncode == 2, run.stdout + run.stderr
    for fragment in fragments:
        assert fragment in run.stderr, f"{fragment!r} missing from:\n{run.stderr}"
    assert not run.out_dir.exists(), "nothing may start for invalid input"
    assert processes_naming(run.out_dir.parent) == [], "the check left a process behind"


def processes_naming(folder: Path) -> list[str]:
    """Processes whose command line names a file in ``folder`` (the locustfile's probe)."""
    found = []
    for process in psutil.process_iter(["pid", "cmdline"]):
        with contextlib.suppress(psutil.Error):
            if process.status() != psutil.STATUS_ZOMBIE and str(folder) in " ".join(
                process.info["cmdline"] or []
            ):
                found.append(f"{process.pid}: {' '.join(process.info['cmdline'])[:120]}")
    return found


BROKEN = {
    "A locustfile that raises at import names the error's last line and its line.": (
        "from locust import HttpUser\nimport json\nimport no_such_module_here\n",
        ["load.py:3: import: importing it failed: ModuleNotFoundError: No module named 'no_such_module_here'"],
    ),
    "A locustfile without a User class says so.": (
        "from locust import HttpUser\n\nclass Base(HttpUser):\n    abstract = True\n",
        ["load.py: User classes: no User class found"],
    ),
    "A LoadTestShape is refused, naming the class and what to use instead.": (
        HOME.replace("import FastHttpUser", "import FastHttpUser, LoadTestShape") + SHAPE,
        ["load.py: class Ramp: is a LoadTestShape", "load.stages"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_locustfile_that_cannot_run_exits_2_before_anything_starts(
    case: str, tmp_path: Path
) -> None:
    text, expected = BROKEN[case]
    run = run_cli("run", str(scenario(tmp_path, text)), out_dir=tmp_path / "out")
    refused(run, *expected)


def test_a_locustfile_that_hangs_at_import_is_refused_at_the_probe_s_deadline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # It also starts a process of its own: the deadline stops that one too.
    hanging = write(tmp_path / "hang.py", "import subprocess, sys, time\n"
                    "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', __file__])\n"
                    "time.sleep(600)\n")  # fmt: skip
    monkeypatch.setattr(locustfile_check, "PROBE_TIMEOUT_S", 3.0)
    started = time.monotonic()

    problems = locustfile_check.check_locustfile(hanging, [], "command line", "--")

    assert time.monotonic() - started < 10
    assert [str(p) for p in problems] == [
        f"{hanging}: import: loading it did not finish within 3s; allowed: a locustfile that "
        "imports without waiting on anything (do slow set-up in on_start or a test_start listener)"
    ]
    wait_for(lambda: processes_naming(tmp_path) == [], timeout_s=5)


def test_options_loadgate_owns_are_refused_from_locust_s_own_configuration_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Locust applies LOCUST_* variables (and locust.conf) beside the command line: four worker
    # processes, or a log moved away from logs/locust.log, would change what loadgate measures.
    monkeypatch.setenv("LOCUST_PROCESSES", "4")
    monkeypatch.setenv("LOCUST_LOGFILE", str(tmp_path / "elsewhere.log"))
    monkeypatch.setenv("LOCUST_USERS", "99")  # loadgate always gives --users: the command line wins
    monkeypatch.setenv("LOCUST_TAGS", "home")  # allowed
    locustfile = write(tmp_path / "load.py", HOME)

    problems = locustfile_check.check_locustfile(locustfile, [], "command line", "--")

    assert [(p.source, p.field) for p in problems] == [
        (locustfile_check.LOCUST_CONFIG, "--processes"),
        (locustfile_check.LOCUST_CONFIG, "--logfile"),
    ]
    assert problems[0].message.startswith("sets 4, which loadgate owns")


def test_locust_options_loadgate_owns_are_refused_from_the_command_line_and_the_scenario(
    tmp_path: Path,
) -> None:
    path = scenario(tmp_path, HOME, load="  locust_args: [--tags, home, --run-time, 1h]\n")
    from_file = run_cli("run", str(path), out_dir=tmp_path / "out")
    refused(from_file, "scenario.yaml: load.locust_args: '--run-time' sets Locust's --run-time")

    # The command line's replace the scenario's: only these are judged.
    cli = run_cli("run", str(path), "--", "-u5", "--tgs", "x", out_dir=tmp_path / "out")
    refused(cli, "command line: -- (Locust options): Locust cannot parse them: unrecognized arguments: --tgs")  # fmt: skip
    owned = run_cli("run", str(path), "--", "-u5", "Nobody", out_dir=tmp_path / "out")
    refused(owned, "'-u5' sets Locust's --users, which loadgate owns (loadgate sets it from --users",
            "'Nobody' is not a User class of the locustfile; allowed: Shopper")  # fmt: skip

    other = run_cli("validate", str(path), "--", "--tags", "home", out_dir=tmp_path)
    assert other.returncode == 2 and "only with run and soak" in other.stderr


@pytest.mark.e2e
@pytest.mark.load
def test_locust_options_pass_through_and_a_chatty_locustfile_keeps_a_bounded_log(
    tmp_path: Path,
) -> None:
    # 24 MiB printed by an init listener (the probe does not fire it): beyond the 4 + 4 MiB kept.
    chatty = HOME + (
        "\nfrom locust import events\n\n@events.init.add_listener\n"
        "def shout(**_):\n    for i in range(24 * 1024):\n        print(f'{i:08d} ' + 'x' * 1014)\n"
    )
    run = run_cli("run", str(scenario(tmp_path, chatty)), "--", "--tags", "home", out_dir=tmp_path / "out")  # fmt: skip

    assert run.returncode == 0, run.stdout + run.stderr
    endpoints = {e["name"]: e["requests"] for e in run.result["client"]["endpoints"]}
    home = "/v1/recommendations/home"
    assert set(endpoints) == {home} and endpoints[home] > 0  # --tags home reached Locust
    log = next(run.out_dir.glob("*/logs/locust.log"))
    assert log.stat().st_size < 8.1 * 1024 * 1024
    text = log.read_text()
    assert "00000000 xxx" in text  # the head: how it started
    assert re.search(r"\[loadgate: [\d,]+ bytes of this log were cut here", text)
    assert "Shutting down (exit code 0)" in text.splitlines()[-1]  # the tail: how it ended
    assert leftover_processes(run.run_ids) == []


@pytest.mark.e2e
@pytest.mark.load_shared
def test_an_error_in_an_init_listener_shows_its_traceback_in_the_console_and_the_reasons(
    tmp_path: Path,
) -> None:
    crashing = HOME + (
        "\nfrom locust import events\n\n@events.init.add_listener\n"
        "def connect(**_):\n    raise ConnectionRefusedError('the fixtures database is down')\n"
    )
    run = run_cli("run", str(scenario(tmp_path, crashing)), out_dir=tmp_path / "out")

    assert run.returncode == 3, run.stdout + run.stderr
    [reason] = run.result["reasons"]
    assert reason.startswith("the load generator exited (exit code 1) without a measured window")
    assert "\n" not in reason and "ConnectionRefusedError: the fixtures database is down" in reason
    assert "in connect" in reason  # the traceback's frame: where in the locustfile
    # The console: the reason in the report, and the log's last lines as they are.
    assert "ConnectionRefusedError: the fixtures database is down" in run.stdout
    assert "loadgate   ConnectionRefusedError: the fixtures database is down" in run.stderr
    assert leftover_processes(run.run_ids) == []


@pytest.mark.e2e
@pytest.mark.load
def test_a_shape_that_slipped_past_the_check_loses_nothing_measured_when_stopped_early(
    tmp_path: Path,
) -> None:
    # The shape exists only under the harness (not in the probe): Locust follows it, not the
    # 4 s loadgate asked for, and blocks on it before installing its SIGTERM handler.
    sneaky = (
        HOME.replace("import FastHttpUser", "import FastHttpUser, LoadTestShape")
        + "\nimport os\nif os.environ.get('LOADGATE_RESULTS_DIR'):\n"
        + SHAPE.replace("\n", "\n    ")
    )
    # Two processes: the master runs the shape, its forked workers the users; stopped early,
    # each worker's results must still reach the master.
    path = scenario(tmp_path, sneaky, load="  processes: 2\n").read_text()
    path = path.replace("duration: 3s", "duration: 60s")
    out_dir = tmp_path / "out"
    stderr_path = tmp_path / "stderr.txt"
    with stderr_path.open("w") as stderr_file:
        gate = subprocess.Popen(
            [sys.executable, "-m", "harness", "run", str(write(tmp_path / "scenario.yaml", path)),
             "--out", str(out_dir)],
            cwd=REPO, stdout=subprocess.PIPE, stderr=stderr_file, text=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )  # fmt: skip
        try:
            wait_for(lambda: "target: " in stderr_path.read_text(), timeout_s=60)
            target = stderr_path.read_text().split("target: ")[1].split()[0]
            wait_for(lambda: "measured window opened" in _locust_log(out_dir), timeout_s=60)
            wait_for(lambda: home_requests(target) > 50, timeout_s=30)
            gate.send_signal(signal.SIGINT)  # Ctrl-C: the harness stops Locust early
            stdout, _ = gate.communicate(timeout=90)
        finally:
            gate.kill()

    assert gate.returncode == 3, stdout + stderr_path.read_text()
    files = list(out_dir.glob("*/result.json"))
    result = json.loads(files[0].read_text())
    check_result(result, str(files[0]))
    assert result["run"]["load_window"] is not None, result["reasons"]
    assert result["client"]["total"]["requests"] > 0
    assert result["reasons"] == ["interrupted before the run finished; results are partial"]
    assert len(list(files[0].parent.glob("client/client-*.json"))) == 2  # both workers' results
    assert "Shape test completed" in _locust_log(out_dir)  # Locust ran the shape, and ended it
    assert leftover_processes([files[0].parent.name]) == []


def _locust_log(out_dir: Path) -> str:
    logs = list(out_dir.glob("*/logs/locust.log"))
    return logs[0].read_text() if logs else ""
