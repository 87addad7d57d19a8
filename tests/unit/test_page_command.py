"""``loadgate page RESULT_JSON``: the event built from a finished run, dry runs, and its exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx2
import pytest

from harness.alert.gate_page import gate_event, page_options, run_page
from harness.alert.transport import URL_ENV
from harness.cli import build_parser, main
from harness.secret import KEY_ENV
from tests.result_schema import check_result

KEY = "R0uT1nGkEyX9q8w7e6r5t4y3u2i1o0pZ"


def result_document(verdict: str, reasons: list[str] | None = None) -> dict[str, Any]:
    exit_code = {"pass": 0, "warn": 0, "fail": 1, "inconclusive": 3}[verdict]
    return {
        "schema": 1,
        "verdict": verdict,
        "exit_code": exit_code,
        "reasons": reasons if reasons is not None else [f"the gate said {verdict}", "second"],
        "run": {
            "id": "20261127T125858Z-ci-1cfc",
            "scenario": "scenarios/ci.yaml",
            "target": "http://127.0.0.1:41215",
            "started_at": "2026-11-27T12:58:58.743Z",
            "load_window": None,
        },
        "client": None,
        "slos": [
            {
                "name": "home-latency",
                "status": "breached" if verdict == "fail" else "met",
                "sli": 0.97,
                "objective": 0.99,
                "events": 900.0,
                "burn_rate": 3.0,
                "budget_consumed": 0.01,
                "detail": "",
            }
        ],
        "criteria": [
            {
                "name": "burn rate of home-latency", "status": "fail", "observed": 3.0,
                "threshold": 1.0, "baseline": None, "effect_pct": None,
                "confidence_interval_pct": None, "p_value": None, "weight": 1.0, "key": True,
                "detail": "burn rate 3 above 1",
            }
        ],
        "score": None,
        "steps": [],
        "breaking_point": None,
        "generator": {
            "cpu_max": 20.0, "dropped_iterations": 0, "target_arrival_rate": None,
            "achieved_arrival_rate": None, "exit_code": 0, "processes": [], "iterations": 900,
            "user_errors": 0, "problems": [], "warnings": [],
        },
        "samples": {},
        "slo_samples": {},
        "fingerprint": {
            "name": "ci", "locustfile_sha256": "0123456789abcdef", "model": "closed", "users": 20,
            "arrival_rate": None, "environment": {"cpus": 2, "python": "3.11.7"},
        },
    }  # fmt: skip


def write_run(tmp_path: Path, verdict: str, **kwargs: Any) -> Path:
    run_dir = tmp_path / "reports" / "20261127T125858Z-ci-1cfc"
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "report.html").write_text("<html></html>")
    path = run_dir / "result.json"
    document = result_document(verdict, **kwargs)
    check_result(document)  # what loadgate run writes, as its schema says
    path.write_text(json.dumps(document))
    return path


@pytest.fixture(autouse=True)
def no_paging_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (KEY_ENV, URL_ENV, "GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID"):
        monkeypatch.delenv(name, raising=False)


def dry_run_body(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert len(lines) == 1
    body: dict[str, Any] = json.loads(lines[0])
    return body


def test_a_failed_run_prints_a_trigger(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_run(tmp_path, "fail")
    assert main(["page", str(path), "--dry-run"]) == 0
    body = dry_run_body(capsys)
    assert body["routing_key"] == "<redacted>"
    assert body["event_action"] == "trigger"
    assert body["dedup_key"] == "loadgate/gate/ci"
    payload = body["payload"]
    assert payload["summary"] == "loadgate FAIL: scenarios/ci.yaml — the gate said fail"
    assert payload["severity"] == "critical"
    assert payload["timestamp"].endswith("Z")
    details = payload["custom_details"]
    assert details["verdict"] == "fail" and details["run_id"] == "20261127T125858Z-ci-1cfc"
    assert details["reasons"] == ["the gate said fail", "second"]
    assert details["slos"] == [
        {
            "name": "home-latency",
            "status": "breached",
            "sli": 0.97,
            "objective": 0.99,
            "burn_rate": 3.0,
        }
    ]
    assert details["criteria_not_passed"][0]["name"] == "burn rate of home-latency"
    hrefs = {link["text"]: link["href"] for link in body["links"]}
    assert hrefs["report.html"] == (path.parent / "report.html").resolve().as_uri()
    assert set(hrefs) == {"report.html", "result.json"}


def test_a_passing_run_prints_a_resolve(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_run(tmp_path, "pass")
    assert main(["page", str(path), "--dry-run"]) == 0
    body = dry_run_body(capsys)
    assert body == {
        "routing_key": "<redacted>",
        "event_action": "resolve",
        "dedup_key": "loadgate/gate/ci",
    }


def test_inconclusive_triggers_as_error_and_warn_resolves(tmp_path: Path) -> None:
    path = write_run(tmp_path, "inconclusive", reasons=[])
    event = gate_event(result_document("inconclusive", []), "auto", path, None, "loadgate", {})
    assert (event.action, event.severity) == ("trigger", "error")
    assert event.summary == "loadgate INCONCLUSIVE: scenarios/ci.yaml"
    warn = gate_event(result_document("warn"), "auto", path, None, "loadgate", {})
    assert warn.action == "resolve"


def test_action_report_url_and_ci_link(tmp_path: Path) -> None:
    path = write_run(tmp_path, "fail")
    environ = {
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "acme/recs",
        "GITHUB_RUN_ID": "42",
    }
    event = gate_event(
        result_document("fail"), "resolve", path, "https://ci.example.test/r/", "ci", environ
    )
    assert event.action == "resolve" and event.source == "ci"
    assert event.links == [
        {"href": "https://ci.example.test/r/report.html", "text": "report.html"},
        {"href": "https://ci.example.test/r/result.json", "text": "result.json"},
        {"href": "https://github.com/acme/recs/actions/runs/42", "text": "CI run"},
    ]


def test_a_long_reason_is_cut_to_the_summary_limit(tmp_path: Path) -> None:
    event = gate_event(result_document("fail", ["z" * 5000]), "auto", tmp_path, None, "l", {})
    assert len(event.summary) == 1024 and event.summary.endswith("…")


@pytest.mark.parametrize("content", [None, "{not json", "[]", '{"schema": 1, "verdict": "meh"}'])
def test_a_missing_or_bad_result_is_invalid_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None
) -> None:
    path = tmp_path / "result.json"
    if content is not None:
        path.write_text(content)
    assert main(["page", str(path), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "Traceback" not in err


def test_paging_must_be_explicit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_run(tmp_path, "fail")
    assert main(["page", str(path)]) == 2
    err = capsys.readouterr().err
    assert "--page" in err and "--dry-run" in err
    with pytest.raises(SystemExit) as exit_:
        main(["page", str(path), "--page", "--dry-run"])
    assert exit_.value.code == 2


def test_every_input_problem_of_a_page_is_reported_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = write_run(tmp_path, "fail").with_name("state.json")
    state.write_text("[]")  # not a state file loadgate wrote
    argv = [
        "page",
        str(tmp_path / "none.json"),
        "--page",
        "--report-url",
        "ftp://x",
        "--source",
        " ",
    ]

    assert main([*argv, "--state-file", str(state)]) == 2

    err = capsys.readouterr().err
    assert "invalid input (5 problem(s))" in err
    for named in ("--report-url", "--source", "none.json", str(state), KEY_ENV):
        assert named in err


def test_page_without_a_key_is_invalid_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_run(tmp_path, "fail")
    assert main(["page", str(path), "--page"]) == 2
    assert KEY_ENV in capsys.readouterr().err


def test_unreachable_pagerduty_exits_3_without_a_traceback(tmp_path: Path) -> None:
    path = write_run(tmp_path, "fail")
    args = page_options(build_parser().parse_args(["page", str(path), "--page"]))
    said: list[str] = []
    requests: list[httpx2.Request] = []

    def unavailable(request: httpx2.Request) -> httpx2.Response:
        requests.append(request)
        return httpx2.Response(503)

    code = run_page(
        args,
        {KEY_ENV: KEY},
        print_line=said.append,
        say=said.append,
        transport=httpx2.MockTransport(unavailable),
        sleep_timer=0.001,
    )
    assert code == 3 and len(requests) == 3
    assert (
        len(said) == 1
        and "was not delivered (PagerDuty unreachable" in said[0]
        and "HTTP 503" in said[0]
    )
    assert KEY not in said[0] and KEY[-4:] not in said[0]


def test_delivered_page_exits_0(tmp_path: Path) -> None:
    path = write_run(tmp_path, "pass")
    args = page_options(build_parser().parse_args(["page", str(path), "--page"]))
    said: list[str] = []
    bodies: list[dict[str, Any]] = []

    def accept(request: httpx2.Request) -> httpx2.Response:
        bodies.append(json.loads(request.content))
        return httpx2.Response(202, json={"status": "success", "dedup_key": "loadgate/gate/ci"})

    code = run_page(
        args, {KEY_ENV: KEY}, said.append, said.append, transport=httpx2.MockTransport(accept)
    )
    assert code == 0
    assert bodies == [
        {"routing_key": KEY, "event_action": "resolve", "dedup_key": "loadgate/gate/ci"}
    ]
    assert said == ["sent resolve loadgate/gate/ci: accepted (HTTP 202) after 1 attempt"]


def test_over_real_tls_against_the_fake_events_api(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from harness.alert.events import ChangeEvent
    from harness.alert.pager import PagerDutyPager
    from harness.secret import RoutingKey
    from tests.fakes.pagerduty import FakePagerDuty

    with FakePagerDuty() as fake:
        # Without trusting the fake's CA the certificate is refused: TLS really is verified.
        untrusting = PagerDutyPager(RoutingKey(KEY), fake.url, environ={}, sleep_timer=0.001)
        refused = untrusting.send(ChangeEvent("never arrives", "loadgate"))
        assert not refused.ok and "CERTIFICATE_VERIFY_FAILED" in refused.detail
        assert fake.accepted == []

        monkeypatch.setenv("SSL_CERT_FILE", str(fake.ca_file))
        monkeypatch.setenv(KEY_ENV, KEY)
        with PagerDutyPager(RoutingKey(KEY), fake.url, sleep_timer=0.001) as pager:
            fake.fail_next(503, 1)
            delivery = pager.send(ChangeEvent("soak started", "loadgate", {"duration_s": 60}))
            assert delivery.ok and delivery.attempts == 2
        assert fake.change_events()[0]["payload"]["summary"] == "soak started"

        failed = write_run(tmp_path / "a", "fail")
        assert main(["page", str(failed), "--page", "--pagerduty-url", fake.url]) == 0
        (opened,) = fake.triggers()
        assert opened["dedup_key"] == "loadgate/gate/ci"
        assert opened["payload"]["severity"] == "critical"
        assert set(fake.open_alerts(KEY)) == {"loadgate/gate/ci"}

        passed = write_run(tmp_path / "b", "pass")
        assert main(["page", str(passed), "--page", "--pagerduty-url", fake.url]) == 0
        assert [r["dedup_key"] for r in fake.resolves()] == ["loadgate/gate/ci"]
        assert fake.open_alerts(KEY) == {}
        assert all(event.error is None for event in fake.received[1:])
    err = capsys.readouterr().err
    assert "sent trigger loadgate/gate/ci" in err and "sent resolve loadgate/gate/ci" in err
    assert KEY not in err
