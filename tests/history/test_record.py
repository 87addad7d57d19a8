"""What a run records: its numbers read from result.json (a real one, a duet of the ci scenario),
and the code it tested, from GitHub Actions' variables or git."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from harness.history import history_run
from harness.history.provenance import detect_provenance
from harness.history.record import fingerprint_digest
from harness.values.history import SeriesKey
from tests.history.conftest import duet_result

HOME = "GET /v1/recommendations/home"


def test_each_endpoint_and_all_get_the_whole_run_s_client_numbers() -> None:
    result = duet_result()
    run = history_run(result, "reports/20261201T000145Z-ci-bcd8")
    total, seconds = result["client"]["total"], result["run"]["load_window"]["seconds"]
    home = next(e for e in result["client"]["endpoints"] if e["name"] == "/v1/recommendations/home")

    assert run.values[SeriesKey("all", "p99_ms")] == total["p99_ms"]
    assert run.values[SeriesKey("all", "throughput")] == pytest.approx(3696 / 45.103)
    assert run.values[SeriesKey("all", "error_ratio")] == 0.0
    assert run.values[SeriesKey(HOME, "p50_ms")] == home["p50_ms"]
    assert run.values[SeriesKey(HOME, "p95_ms")] == home["p95_ms"]
    assert run.values[SeriesKey(HOME, "throughput")] == pytest.approx(1676 / seconds)
    subjects = {key.subject for key in run.values}
    assert subjects >= {"all", HOME, "POST /v1/events", "GET /v1/recommendations/trending"}
    assert {key.metric for key in run.values if key.subject == HOME} == {
        "p50_ms", "p95_ms", "p99_ms", "error_ratio", "throughput"
    }  # fmt: skip


def test_the_error_ratio_is_failures_over_requests() -> None:
    result = duet_result()
    result["client"]["total"]["failures"] = 37
    assert history_run(result, None).values[SeriesKey("all", "error_ratio")] == 37 / 3696


def test_each_slo_gets_its_sli_and_burn_rate_and_an_slo_without_data_gets_none() -> None:
    result = duet_result()
    result["slos"][0] |= {"sli": None, "burn_rate": None, "status": "no_data"}
    run = history_run(result, None)

    latency = next(s for s in result["slos"] if s["name"] == "home-latency-client")
    assert run.values[SeriesKey("slo:home-latency-client", "sli")] == latency["sli"]
    assert run.values[SeriesKey("slo:home-latency-client", "burn_rate")] == latency["burn_rate"]
    first = f"slo:{result['slos'][0]['name']}"
    assert not [key for key in run.values if key.subject == first]


def test_the_run_s_identity_verdict_mode_and_scenario_are_kept() -> None:
    run = history_run(duet_result(), "reports/x")
    assert (run.run_id, run.started_at) == ("20261201T000145Z-ci-bcd8", "2026-12-01T00:01:45.808Z")
    assert (run.scenario, run.verdict, run.mode, run.run_dir) == ("ci", "fail", "duet", "reports/x")


def test_a_run_without_client_results_keeps_its_slos_and_no_endpoint_number() -> None:
    result = duet_result() | {"client": None}
    result["run"]["load_window"] = None
    run = history_run(result, None)
    assert run.values and all(key.subject.startswith("slo:") for key in run.values)


def test_a_result_written_before_mode_and_provenance_reads_as_unknown_code() -> None:
    result = {k: v for k, v in duet_result().items() if k not in ("mode", "provenance", "duet")}
    run = history_run(result, None)
    assert (run.mode, run.commit, run.branch, run.ci_url) == ("single", None, None, None)


def test_the_code_under_test_comes_from_the_result_s_provenance() -> None:
    provenance = {"commit": "9" * 40, "branch": "main", "ci_url": "https://ci/runs/1"}
    run = history_run(duet_result() | {"provenance": provenance}, None)
    assert (run.commit, run.branch, run.ci_url) == ("9" * 40, "main", "https://ci/runs/1")


def test_the_fingerprint_digest_is_stable_and_ignores_the_machine() -> None:
    fingerprint: dict[str, Any] = duet_result()["fingerprint"]
    digest = fingerprint_digest(fingerprint)
    reordered = dict(reversed(list(fingerprint.items())))
    elsewhere = fingerprint | {"environment": {"cpus": 64, "python": "3.13.0"}}
    more_users = fingerprint | {"users": fingerprint["users"] + 1}

    assert len(digest) == 16 and int(digest, 16) >= 0
    assert fingerprint_digest(reordered) == digest == fingerprint_digest(elsewhere)
    assert fingerprint_digest(more_users) != digest
    assert history_run(duet_result(), None).fingerprint == digest
    # Pinned: a change in how the digest is made would split every history's series in two.
    assert digest == fingerprint_digest(
        {"name": "ci", "locustfile_sha256": "beb60b0a31513b0c", "model": "closed", "users": 20,
         "arrival_rate": None, "parameters": fingerprint["parameters"]}
    )  # fmt: skip


def test_a_result_without_run_id_is_refused() -> None:
    with pytest.raises(ValueError, match=r"run\.id"):
        history_run({"verdict": "pass", "run": {}}, None)


GITHUB_PUSH = {
    "GITHUB_ACTIONS": "true",
    "GITHUB_SHA": "a" * 40,
    "GITHUB_REF_NAME": "main",
    "GITHUB_HEAD_REF": "",
    "GITHUB_SERVER_URL": "https://github.com",
    "GITHUB_REPOSITORY": "acme/shop",
    "GITHUB_RUN_ID": "4242",
}


def test_in_github_actions_the_commit_branch_and_run_page_come_from_its_variables(
    tmp_path: Path,
) -> None:
    assert detect_provenance(GITHUB_PUSH, tmp_path) == {
        "commit": "a" * 40,
        "branch": "main",
        "ci_url": "https://github.com/acme/shop/actions/runs/4242",
    }
    pull_request = GITHUB_PUSH | {"GITHUB_REF_NAME": "17/merge", "GITHUB_HEAD_REF": "faster-home"}
    assert detect_provenance(pull_request, tmp_path)["branch"] == "faster-home"


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True,
                          check=True, env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
                                           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t",
                                           "HOME": str(folder), "PATH": "/usr/bin:/bin"})  # fmt: skip
    return done.stdout.strip()


def test_elsewhere_git_in_the_working_directory_says_the_commit_and_branch(tmp_path: Path) -> None:
    git(tmp_path, "init", "--quiet", "--initial-branch", "trunk")
    git(tmp_path, "commit", "--quiet", "--allow-empty", "--message", "first")
    head = git(tmp_path, "rev-parse", "HEAD")

    assert detect_provenance({}, tmp_path) == {"commit": head, "branch": "trunk", "ci_url": None}
    git(tmp_path, "checkout", "--quiet", "--detach")
    assert detect_provenance({}, tmp_path) == {"commit": head, "branch": None, "ci_url": None}


def test_outside_ci_and_outside_a_checkout_nothing_is_known(tmp_path: Path) -> None:
    assert detect_provenance({}, tmp_path) == {"commit": None, "branch": None, "ci_url": None}
