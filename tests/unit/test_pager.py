"""Paging without a network: the exact JSON sent, bounded retries, and a routing key that never leaks.

The PagerDuty client runs for real over ``httpx2.MockTransport``; only the sleeps are shortened.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest

from harness.alert.events import (
    MAX_DEDUP_KEY,
    MAX_SUMMARY,
    AlertEvent,
    ChangeEvent,
    dedup_key,
    fit_summary,
    gate_dedup_key,
    severity_for,
    utc_timestamp,
)
from harness.alert.pager import DryRunPager, PagerDutyPager, RecordingPager, make_pager
from harness.alert.transport import (
    DEADLINE_S,
    MAX_HTTP_ATTEMPTS,
    MAX_NETWORK_ATTEMPTS,
    RETRY,
    SLEEP_TIMER_BASE,
    SLEEP_TIMER_S,
    TIMEOUT_S,
    URL_ENV,
    WORST_CASE_S,
)
from harness.errors import InputError
from harness.secret import KEY_ENV, RoutingKey, load_routing_key

KEY = "R0uT1nGkEyX9q8w7e6r5t4y3u2i1o0pZ"  # 32 characters, not a real key
URL = "https://events.example.test"
ACCEPTED = {"status": "success", "message": "Event processed", "dedup_key": "k"}


class FakeEventsApi:
    """A MockTransport handler: records each request, answers with ``respond(n)``."""

    def __init__(self, respond: Callable[[int], httpx2.Response] | None = None) -> None:
        self.requests: list[httpx2.Request] = []
        self.respond = respond or (lambda n: httpx2.Response(202, json=ACCEPTED))

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        return self.respond(len(self.requests))

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]


def pager_over(api: FakeEventsApi, **kwargs: Any) -> PagerDutyPager:
    kwargs.setdefault("sleep_timer", 0.001)
    return PagerDutyPager(
        RoutingKey(KEY), URL, environ={}, transport=httpx2.MockTransport(api), **kwargs
    )


def trigger(summary: str = "home latency burning", **kwargs: Any) -> AlertEvent:
    return AlertEvent(
        "trigger",
        dedup_key("recommender", "home-latency", "page"),
        summary,
        "loadgate-soak",
        severity=severity_for("page"),
        custom_details={"slo": "home-latency", "burn_rate": 14.9},
        links=[{"href": "https://ci.example.test/run/1", "text": "report"}],
        timestamp="2026-11-27T12:58:58.743Z",
        **kwargs,
    )


# --- the JSON on the wire --------------------------------------------------------------------


def test_trigger_sends_exactly_the_events_api_body() -> None:
    api = FakeEventsApi()
    pager = pager_over(api)
    delivery = pager.send(trigger("x" * 3000, component="recommender", group="ci", class_="slo"))
    assert delivery.ok and delivery.attempts == 1 and delivery.kind == "trigger"
    assert str(api.requests[0].url) == f"{URL}/v2/enqueue"
    body = api.bodies()[0]
    summary = body["payload"].pop("summary")
    assert len(summary) == MAX_SUMMARY and summary.endswith("…")
    assert body == {
        "routing_key": KEY,
        "event_action": "trigger",
        "dedup_key": "loadgate/recommender/home-latency/page",
        "payload": {
            "source": "loadgate-soak",
            "severity": "critical",
            "timestamp": "2026-11-27T12:58:58.743Z",
            "component": "recommender",
            "group": "ci",
            "class": "slo",
            "custom_details": {"slo": "home-latency", "burn_rate": 14.9},
        },
        "links": [{"href": "https://ci.example.test/run/1", "text": "report"}],
    }
    assert pager.deliveries == [delivery]


def test_resolve_sends_only_the_action_and_key() -> None:
    api = FakeEventsApi()
    delivery = pager_over(api).send(
        AlertEvent("resolve", "loadgate/gate/ci", "resolved", "loadgate")
    )
    assert delivery.ok and delivery.dedup_key == "loadgate/gate/ci"
    assert api.bodies() == [
        {"routing_key": KEY, "event_action": "resolve", "dedup_key": "loadgate/gate/ci"}
    ]


def test_change_event_goes_to_the_change_endpoint_with_a_timestamp() -> None:
    api = FakeEventsApi(lambda n: httpx2.Response(202, json={"status": "success"}))
    event = ChangeEvent(
        "soak started", "loadgate-soak", {"duration_s": 3600}, [{"href": "https://x", "text": "r"}]
    )
    delivery = pager_over(api).send(event)
    assert delivery.ok and delivery.kind == "change" and delivery.dedup_key is None
    assert str(api.requests[0].url) == f"{URL}/v2/change/enqueue"
    assert api.bodies() == [
        {
            "routing_key": KEY,
            "payload": {
                "summary": "soak started",
                "source": "loadgate-soak",
                "timestamp": event.timestamp,
                "custom_details": {"duration_s": 3600},
            },
            "links": [{"href": "https://x", "text": "r"}],
        }
    ]
    assert event.timestamp.endswith("Z")


# --- bounded retries -------------------------------------------------------------------------


def test_retry_settings_replace_the_clients_unbounded_defaults() -> None:
    client = pager_over(FakeEventsApi())._client
    assert client.retry == RETRY == {429: 3, 500: 2, 502: 2, 503: 2, 504: 2}
    assert client.max_http_attempts == MAX_HTTP_ATTEMPTS
    assert client.max_network_attempts == MAX_NETWORK_ATTEMPTS == 2
    assert client.timeout == TIMEOUT_S == 10
    # The documented worst case: nothing starts after the deadline, so the last thing to finish is
    # an attempt (≤ 3 phases × 10 s) or a sleep (1 s × 1.5ⁿ, ≤ 6 of them) begun before it.
    longest_sleep = max(SLEEP_TIMER_S * SLEEP_TIMER_BASE**n for n in range(1, 7))
    assert longest_sleep < 3 * TIMEOUT_S
    assert WORST_CASE_S == DEADLINE_S + 3 * TIMEOUT_S == 55 < 60


@pytest.mark.parametrize(("status", "attempts"), [(429, 4), (500, 3), (502, 3), (503, 3), (504, 3)])
def test_a_status_forever_gives_up_after_the_bounded_attempts(status: int, attempts: int) -> None:
    api = FakeEventsApi(lambda n: httpx2.Response(status, json={"status": "error"}))
    started = time.monotonic()
    delivery = pager_over(api).send(trigger())
    assert time.monotonic() - started < 2
    assert not delivery.ok
    assert delivery.attempts == len(api.requests) == attempts
    assert f"HTTP {status}" in delivery.detail


def test_mixed_statuses_are_bounded_in_total() -> None:
    statuses = [429, 429, 429, 500, 500, 502, 502, 503, 503, 504, 504]
    api = FakeEventsApi(lambda n: httpx2.Response(statuses[min(n, len(statuses)) - 1]))
    delivery = pager_over(api).send(trigger())
    assert not delivery.ok
    assert len(api.requests) == MAX_HTTP_ATTEMPTS + 2  # the client stops once > 3 retries were made


def test_a_network_error_gives_up_after_the_bounded_attempts() -> None:
    def refuse(n: int) -> httpx2.Response:
        raise httpx2.ConnectError("connection refused")

    api = FakeEventsApi(refuse)
    started = time.monotonic()
    delivery = pager_over(api).send(trigger())
    assert time.monotonic() - started < 2
    assert not delivery.ok
    assert delivery.attempts == len(api.requests) == MAX_NETWORK_ATTEMPTS + 1
    assert "unreachable" in delivery.detail and "ConnectError" in delivery.detail


def test_the_deadline_stops_retries_however_they_are_spent() -> None:
    def slow_503(n: int) -> httpx2.Response:
        time.sleep(0.05)
        return httpx2.Response(503)

    api = FakeEventsApi(slow_503)
    started = time.monotonic()
    delivery = pager_over(api, deadline_s=0.08).send(trigger())
    assert time.monotonic() - started < 0.5
    assert not delivery.ok and len(api.requests) == 2
    assert "deadline" in delivery.detail and "HTTP 503" in delivery.detail


def test_a_recovery_within_the_retries_is_delivered() -> None:
    api = FakeEventsApi(
        lambda n: httpx2.Response(503) if n < 3 else httpx2.Response(202, json=ACCEPTED)
    )
    delivery = pager_over(api).send(trigger())
    assert delivery.ok and delivery.attempts == 3 and "HTTP 202" in delivery.detail


def test_a_rejected_event_is_not_retried() -> None:
    api = FakeEventsApi(lambda n: httpx2.Response(400, json={"errors": ["bad"]}))
    delivery = pager_over(api).send(trigger())
    assert not delivery.ok and delivery.attempts == 1 and "HTTP 400" in delivery.detail


def test_send_never_raises() -> None:
    def explode(n: int) -> httpx2.Response:
        raise RuntimeError("something unexpected")

    pager = pager_over(FakeEventsApi(explode))
    delivery = pager.send(trigger())
    assert not delivery.ok and "RuntimeError" in delivery.detail
    assert pager.deliveries == [delivery]


# --- the routing key never leaks ---------------------------------------------------------------


def test_a_401_is_reported_without_the_key(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    echo = f"invalid routing key {KEY} (*{KEY[-4:]})"
    api = FakeEventsApi(lambda n: httpx2.Response(401, text=echo))
    pager = pager_over(api)
    delivery = pager.send(trigger())
    assert not delivery.ok and delivery.attempts == 1 and "HTTP 401" in delivery.detail
    assert "<redacted>" in delivery.detail
    for text in (delivery.detail, caplog.text, repr(pager), repr(delivery), str(pager.deliveries)):
        assert KEY not in text
        assert KEY[-4:] not in text
    assert "not delivered" in caplog.text


def test_routing_key_redacts_itself() -> None:
    key = RoutingKey(KEY)
    assert repr(key) == str(key) == f"{key}" == f"{key:>40}" == "<redacted>"
    assert key.reveal() == KEY
    assert key.scrub(f"a {KEY} b *{KEY[-4:]} c {KEY[5:15]} d") == (
        "a <redacted> b *<redacted> c <redacted> d"
    )
    assert key.scrub("nothing to hide here") == "nothing to hide here"
    assert key.scrub(KEY[:3]) == KEY[:3]  # fewer than 4 characters is not the key


# --- where the key comes from ------------------------------------------------------------------


def test_key_file_wins_and_whitespace_is_stripped(tmp_path: Path) -> None:
    path = tmp_path / "key"
    path.write_text(f"  {KEY}\n")
    path.chmod(0o600)
    assert load_routing_key(path, {KEY_ENV: "E" * 32}).reveal() == KEY


def test_key_from_the_environment() -> None:
    assert load_routing_key(None, {KEY_ENV: f"{KEY}\n"}).reveal() == KEY


@pytest.mark.parametrize("content", [KEY[:31], KEY + "x", "", f"{KEY[:16]} {KEY[17:]}"])
def test_a_bad_key_file_names_the_file_not_the_content(tmp_path: Path, content: str) -> None:
    path = tmp_path / "key"
    path.write_text(content)
    path.chmod(0o600)
    with pytest.raises(InputError) as error:
        load_routing_key(path, {})
    (problem,) = error.value.problems
    assert problem.source == str(path)
    assert "32" in problem.message
    if content:
        assert content.strip()[:8] not in str(error.value)


def test_a_missing_key_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "absent"
    with pytest.raises(InputError) as error:
        load_routing_key(path, {KEY_ENV: KEY})
    assert error.value.problems[0].source == str(path)
    assert "No such file" in str(error.value) and KEY not in str(error.value)


def test_a_bad_environment_key_names_the_variable() -> None:
    for value in ("", "short"):
        with pytest.raises(InputError) as error:
            load_routing_key(None, {KEY_ENV: value})
        assert error.value.problems[0].field == KEY_ENV
        assert "short" not in str(error.value)
    with pytest.raises(InputError, match=KEY_ENV):
        load_routing_key(None, {})


def test_a_key_file_others_can_read_warns(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "key"
    path.write_text(KEY)
    path.chmod(0o644)
    assert load_routing_key(path, {}).reveal() == KEY
    assert "chmod 600" in caplog.text and KEY not in caplog.text
    caplog.clear()
    path.chmod(0o600)
    load_routing_key(path, {})
    assert caplog.text == ""


# --- building pagers ---------------------------------------------------------------------------


def test_http_urls_are_refused_naming_the_source() -> None:
    with pytest.raises(InputError) as error:
        make_pager("page", None, "http://events.example.test", {KEY_ENV: KEY}, print)
    assert error.value.problems[0].field == "--pagerduty-url"
    assert "https://" in error.value.problems[0].message
    with pytest.raises(InputError) as error:
        make_pager("dry-run", None, None, {URL_ENV: "http://x"}, print)
    assert error.value.problems[0].field == URL_ENV


def test_url_from_the_environment_and_an_enqueue_url_is_cut_to_its_base() -> None:
    environ = {KEY_ENV: KEY, URL_ENV: "https://pd.example.test:8443/v2/enqueue"}
    pager = make_pager("page", None, None, environ, print)
    assert isinstance(pager, PagerDutyPager) and pager.url == "https://pd.example.test:8443"
    assert KEY not in repr(pager)
    pager.close()


def test_page_mode_requires_a_key_and_off_only_records() -> None:
    with pytest.raises(InputError, match=KEY_ENV):
        make_pager("page", None, None, {}, print)
    pager = make_pager("off", None, None, {}, print)
    assert isinstance(pager, RecordingPager)
    delivery = pager.send(trigger())
    assert delivery.ok and delivery.attempts == 0 and pager.deliveries == [delivery]


def test_a_missing_ssl_cert_file_is_invalid_input(tmp_path: Path) -> None:
    environ = {KEY_ENV: KEY, "SSL_CERT_FILE": str(tmp_path / "none.pem")}
    with pytest.raises(InputError, match="SSL_CERT_FILE"):
        make_pager("page", None, None, environ, print)


def test_dry_run_prints_the_json_without_the_key() -> None:
    lines: list[str] = []
    pager = make_pager("dry-run", None, None, {KEY_ENV: KEY}, lines.append)
    assert isinstance(pager, DryRunPager)
    delivery = pager.send(trigger())
    assert delivery.ok and delivery.detail == "dry run" and delivery.attempts == 0
    assert lines[0] == "dry run: would POST https://events.pagerduty.com/v2/enqueue"
    body = json.loads(lines[1])
    assert body["routing_key"] == "<redacted>"
    assert body["event_action"] == "trigger" and body["payload"]["severity"] == "critical"
    assert all(KEY not in line for line in lines)


# --- pure helpers ------------------------------------------------------------------------------


def test_dedup_keys_are_stable_and_bounded() -> None:
    assert dedup_key("recommender", "home-latency", "page") == (
        "loadgate/recommender/home-latency/page"
    )
    assert gate_dedup_key("ci") == "loadgate/gate/ci"
    long_a, long_b = dedup_key("s", "a" * 300, "page"), dedup_key("s", "a" * 301, "page")
    assert len(long_a) == len(long_b) == MAX_DEDUP_KEY and long_a != long_b
    assert long_a == dedup_key("s", "a" * 300, "page")


def test_summary_severity_and_timestamp_helpers() -> None:
    assert fit_summary("a\nb   c") == "a b c"
    assert len(fit_summary("y" * 5000)) == MAX_SUMMARY
    assert [severity_for(s) for s in ("page", "ticket", "other")] == [
        "critical",
        "warning",
        "error",
    ]
    stamp = utc_timestamp()
    assert stamp.endswith("Z") and "T" in stamp and len(stamp) == len("2026-11-27T12:58:58.743Z")
