"""``loadgate page --state-file``: a pass resolves only an alert a failing run triggered, judged
against the local fake of PagerDuty's Events API (what arrives there is what was sent)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.alert.gate_page import page_options, run_page
from harness.alert.page_state import read_states
from harness.cli import build_parser, main
from harness.secret import KEY_ENV
from tests.fakes.pagerduty import FakePagerDuty
from tests.unit.test_page_command import KEY, no_paging_environment, write_run

__all__ = ["no_paging_environment"]  # the imported autouse fixture clears paging's environment

GATE_KEY = "loadgate/gate/ci"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakePagerDuty]:
    with FakePagerDuty() as running:
        monkeypatch.setenv("SSL_CERT_FILE", str(running.ca_file))
        monkeypatch.setenv(KEY_ENV, KEY)
        yield running


def page(fake: FakePagerDuty, result: Path, state: Path, *flags: str, **client: Any) -> int:
    argv = ["page", str(result), "--pagerduty-url", fake.url, "--state-file", str(state), *flags]
    if client:  # bounded retries made quick: run_page takes the client's settings
        options = page_options(build_parser().parse_args(argv))
        return run_page(options, {KEY_ENV: KEY}, print, print, **client)
    return main(argv)


def actions(fake: FakePagerDuty) -> list[str]:
    """The alert events PagerDuty ingested, in order."""
    return [event["event_action"] for event in fake.accepted if "event_action" in event]


def test_a_pass_resolves_only_what_a_failure_triggered(
    tmp_path: Path, fake: FakePagerDuty, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "cache" / "page-state.json"
    passed, failed = write_run(tmp_path / "p", "pass"), write_run(tmp_path / "f", "fail")

    # No state yet (first run, or the cache expired): unknown, so the resolve is sent.
    assert page(fake, passed, state, "--page") == 0
    assert actions(fake) == ["resolve"] and read_states(state) == {GATE_KEY: "resolved"}

    # Passing again: nothing of ours is open, nothing is sent.
    assert page(fake, passed, state, "--page") == 0
    assert actions(fake) == ["resolve"]
    assert f"not resolving {GATE_KEY}" in capsys.readouterr().err

    # A failure triggers and is recorded; the next pass resolves it, once.
    assert page(fake, failed, state, "--page") == 0
    assert read_states(state) == {GATE_KEY: "triggered"}
    assert set(fake.open_alerts(KEY)) == {GATE_KEY}
    assert page(fake, passed, state, "--page") == 0
    assert page(fake, passed, state, "--page") == 0
    assert actions(fake) == ["resolve", "trigger", "resolve"]
    assert fake.open_alerts(KEY) == {}
    recorded = json.loads(state.read_text())["alerts"][GATE_KEY]
    assert recorded["state"] == "resolved" and recorded["run_id"] == "20261127T125858Z-ci-1cfc"


def test_a_trigger_that_was_not_delivered_is_still_resolved_by_the_next_pass(
    tmp_path: Path, fake: FakePagerDuty
) -> None:
    state = tmp_path / "page-state.json"
    passed, failed = write_run(tmp_path / "p", "pass"), write_run(tmp_path / "f", "fail")
    assert page(fake, passed, state, "--page") == 0  # recorded: resolved

    fake.fail_next(503, 3)  # PagerDuty down for all 3 bounded attempts of the trigger
    assert page(fake, failed, state, "--page", sleep_timer=0.001) == 3
    # It may have arrived despite the errors: remembered as triggered, so it cannot stay open.
    assert read_states(state) == {GATE_KEY: "triggered"}

    fake.fail_next(503, 3)  # and a resolve that is not delivered is tried again next time
    assert page(fake, passed, state, "--page", sleep_timer=0.001) == 3
    assert read_states(state) == {GATE_KEY: "triggered"}
    assert page(fake, passed, state, "--page") == 0
    assert actions(fake) == ["resolve", "resolve"] and read_states(state) == {GATE_KEY: "resolved"}


def test_an_explicit_resolve_is_sent_whatever_the_state(
    tmp_path: Path, fake: FakePagerDuty
) -> None:
    state = tmp_path / "page-state.json"
    passed = write_run(tmp_path / "p", "pass")
    assert page(fake, passed, state, "--page") == 0
    assert page(fake, passed, state, "--page", "--action", "resolve") == 0
    assert actions(fake) == ["resolve", "resolve"]


def test_a_dry_run_reads_the_state_and_writes_none(
    tmp_path: Path, fake: FakePagerDuty, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "page-state.json"
    passed, failed = write_run(tmp_path / "p", "pass"), write_run(tmp_path / "f", "fail")
    assert page(fake, failed, state, "--dry-run") == 0
    assert not state.exists() and fake.received == []
    assert page(fake, passed, state, "--page") == 0
    before = state.read_text()
    assert page(fake, passed, state, "--dry-run") == 0
    assert f"not resolving {GATE_KEY}" in capsys.readouterr().err
    assert state.read_text() == before and actions(fake) == ["resolve"]


def test_other_alerts_in_the_state_file_are_kept(tmp_path: Path, fake: FakePagerDuty) -> None:
    state = tmp_path / "page-state.json"
    other = {"state": "triggered", "run_id": "r1", "at": "2026-11-29T10:00:00Z"}
    state.write_text(json.dumps({"schema": 1, "alerts": {"loadgate/gate/nightly": other}}))
    assert page(fake, write_run(tmp_path / "f", "fail"), state, "--page") == 0
    assert read_states(state) == {"loadgate/gate/nightly": "triggered", GATE_KEY: "triggered"}
    assert json.loads(state.read_text())["alerts"]["loadgate/gate/nightly"] == other


@pytest.mark.parametrize(
    ("content", "field"),
    [
        ("{not json", "(file)"),
        ("[]", "(file)"),
        ('{"schema": 2, "alerts": {}}', "schema"),
        ('{"schema": 1}', "alerts"),
        ('{"schema": 1, "alerts": {"loadgate/gate/ci": {"state": "open"}}}', "state"),
    ],
)
def test_a_state_file_that_is_not_ours_is_invalid_input_and_nothing_is_sent(
    tmp_path: Path,
    fake: FakePagerDuty,
    capsys: pytest.CaptureFixture[str],
    content: str,
    field: str,
) -> None:
    state = tmp_path / "page-state.json"
    state.write_text(content)
    assert page(fake, write_run(tmp_path / "f", "fail"), state, "--page") == 2
    err = capsys.readouterr().err
    assert str(state) in err and field in err and "allowed" in err and "Traceback" not in err
    assert fake.received == [] and state.read_text() == content


def test_a_refused_key_writes_no_state(
    tmp_path: Path, fake: FakePagerDuty, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV, "too-short")
    state = tmp_path / "page-state.json"
    assert page(fake, write_run(tmp_path / "f", "fail"), state, "--page") == 2
    assert not state.exists() and fake.received == []
