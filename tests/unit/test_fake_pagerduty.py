"""The fake PagerDuty Events API v2 holds senders to the documented rules, and the real client works with it."""

from __future__ import annotations

import json
import logging
import ssl
import threading
from collections.abc import Iterator
from typing import Any

import pagerduty
import pytest
import requests

from tests.fakes.pagerduty import ALERT_PATH, CHANGE_PATH, MAX_BODY_BYTES, FakePagerDuty

KEY = "R0UT1NGKEY0123456789abcdefABCDEF"  # 32 characters, as PagerDuty's integration keys
OTHER_KEY = "0THERKEY0123456789abcdefABCDEFGH"
assert len(KEY) == len(OTHER_KEY) == 32


def trigger(dedup_key: str | None = "disk-full", **payload: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "routing_key": KEY,
        "event_action": "trigger",
        "payload": {
            "summary": "Disk full on db-1",
            "source": "db-1.example.com",
            "severity": "critical",
            "timestamp": "2015-07-17T08:42:58.315+0000",
            **payload,
        },
    }
    if dedup_key is not None:
        event["dedup_key"] = dedup_key
    return event


def action(name: str, dedup_key: str, routing_key: str = KEY) -> dict[str, Any]:
    return {"routing_key": routing_key, "event_action": name, "dedup_key": dedup_key}


def change(**payload: Any) -> dict[str, Any]:
    return {
        "routing_key": KEY,
        "payload": {"summary": "Deployed build 42", "source": "ci", **payload},
        "links": [{"href": "https://ci.example.com/42", "text": "build"}],
    }


def without(event: dict[str, Any], *path: str) -> dict[str, Any]:
    event = json.loads(json.dumps(event))
    parent = event
    for part in path[:-1]:
        parent = parent[part]
    del parent[path[-1]]
    return event


def post(
    fake: FakePagerDuty, path: str, body: dict[str, Any] | bytes, method: str = "POST"
) -> requests.Response:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return requests.request(
        method,
        fake.url + path,
        data=data,
        headers={"Content-Type": "application/json"},
        verify=str(fake.ca_file) if fake.tls else True,
        timeout=10,
    )


@pytest.fixture(scope="module")
def shared_fake() -> Iterator[FakePagerDuty]:
    """For tests that only look at one answer and leave no open alert behind."""
    with FakePagerDuty() as fake:
        yield fake


@pytest.fixture
def fake() -> Iterator[FakePagerDuty]:
    with FakePagerDuty() as running:
        yield running


BIG = "x" * (MAX_BODY_BYTES + 1)

REJECTED = [
    # id, path, body, status, the error each answer must name
    ("unknown path", "/v2/enqueue/x", trigger(), 404, None),
    ("events API v1 path", "/generic/2010-04-15/create_event.json", trigger(), 404, None),
    ("not JSON", ALERT_PATH, b"{routing_key: nope", 400, "Invalid JSON"),
    ("empty body", ALERT_PATH, b"", 400, "Invalid JSON"),
    ("JSON but not an object", ALERT_PATH, b'["trigger"]', 400, "Invalid JSON"),
    ("no routing key", ALERT_PATH, without(trigger(), "routing_key"), 400, "Invalid routing key"),
    ("routing key of 31", ALERT_PATH, {**trigger(), "routing_key": KEY[:31]}, 400, "Invalid routing key"),
    ("routing key of 33", ALERT_PATH, {**trigger(), "routing_key": KEY + "x"}, 400, "Invalid routing key"),
    ("routing key with a newline", ALERT_PATH, {**trigger(), "routing_key": KEY + "\n"}, 400, "Invalid routing key"),
    ("routing key not a string", ALERT_PATH, {**trigger(), "routing_key": 12345}, 400, "Invalid routing key"),
    ("no event_action", ALERT_PATH, without(trigger(), "event_action"), 400, "Invalid event_action"),
    ("unknown event_action", ALERT_PATH, {**trigger(), "event_action": "create"}, 400, "Invalid event_action"),
    ("trigger without payload", ALERT_PATH, without(trigger(), "payload"), 400, "Invalid payload"),
    ("payload not an object", ALERT_PATH, {**trigger(), "payload": "disk full"}, 400, "Invalid payload"),
    ("no summary", ALERT_PATH, without(trigger(), "payload", "summary"), 400, "Invalid payload.summary"),
    ("empty summary", ALERT_PATH, trigger(summary=""), 400, "Invalid payload.summary"),
    ("summary of 1025", ALERT_PATH, trigger(summary="s" * 1025), 400, "Invalid payload.summary"),
    ("summary not a string", ALERT_PATH, trigger(summary=["disk"]), 400, "Invalid payload.summary"),
    ("no source", ALERT_PATH, without(trigger(), "payload", "source"), 400, "Invalid payload.source"),
    ("empty source", ALERT_PATH, trigger(source=""), 400, "Invalid payload.source"),
    ("no severity", ALERT_PATH, without(trigger(), "payload", "severity"), 400, "Invalid payload.severity"),
    ("severity page", ALERT_PATH, trigger(severity="page"), 400, "Invalid payload.severity"),
    ("severity in capitals", ALERT_PATH, trigger(severity="CRITICAL"), 400, "Invalid payload.severity"),
    ("timestamp not ISO 8601", ALERT_PATH, trigger(timestamp="yesterday"), 400, "Invalid payload.timestamp"),
    ("timestamp +00:00Z", ALERT_PATH, trigger(timestamp="2026-01-01T00:00:00+00:00Z"), 400, "Invalid payload.timestamp"),
    ("timestamp a date only", ALERT_PATH, trigger(timestamp="2026-01-01"), 400, "Invalid payload.timestamp"),
    ("timestamp a number", ALERT_PATH, trigger(timestamp=1700000000), 400, "Invalid payload.timestamp"),
    ("component not a string", ALERT_PATH, trigger(component=3), 400, "Invalid payload.component"),
    ("dedup_key of 256", ALERT_PATH, trigger(dedup_key="d" * 256), 400, "Invalid dedup_key"),
    ("dedup_key not a string", ALERT_PATH, {**trigger(), "dedup_key": 7}, 400, "Invalid dedup_key"),
    ("acknowledge without dedup_key", ALERT_PATH, without(action("acknowledge", "k"), "dedup_key"), 400, "Invalid dedup_key"),
    ("resolve without dedup_key", ALERT_PATH, without(action("resolve", "k"), "dedup_key"), 400, "Invalid dedup_key"),
    ("resolve with an empty dedup_key", ALERT_PATH, action("resolve", ""), 400, "Invalid dedup_key"),
    ("link without href", ALERT_PATH, {**trigger(), "links": [{"text": "runbook"}]}, 400, "Invalid links"),
    ("image without src", ALERT_PATH, {**trigger(), "images": [{"alt": "graph"}]}, 400, "Invalid images"),
    ("event over 512 KB", ALERT_PATH, trigger(custom_details={"log": BIG}), 413, "Payload too large"),
    ("change: no routing key", CHANGE_PATH, without(change(), "routing_key"), 400, "Invalid routing key"),
    ("change: routing key of 31", CHANGE_PATH, {**change(), "routing_key": KEY[:31]}, 400, "Invalid routing key"),
    ("change: no payload", CHANGE_PATH, without(change(), "payload"), 400, "Invalid payload"),
    ("change: no summary", CHANGE_PATH, without(change(), "payload", "summary"), 400, "Invalid payload.summary"),
    ("change: summary of 1025", CHANGE_PATH, change(summary="s" * 1025), 400, "Invalid payload.summary"),
    ("change: bad timestamp", CHANGE_PATH, change(timestamp="now"), 400, "Invalid payload.timestamp"),
    ("change: over 512 KB", CHANGE_PATH, change(custom_details={"diff": BIG}), 413, "Payload too large"),
    ("change: not JSON", CHANGE_PATH, b"deployed", 400, "Invalid JSON"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "body", "status", "message"),
    [case[1:] for case in REJECTED],
    ids=[case[0] for case in REJECTED],
)
def test_each_rule_is_enforced_with_the_documented_answer(
    shared_fake: FakePagerDuty,
    path: str,
    body: dict[str, Any] | bytes,
    status: int,
    message: str | None,
) -> None:
    accepted_before = len(shared_fake.accepted)

    response = post(shared_fake, path, body)

    assert response.status_code == status
    received = shared_fake.received[-1]
    assert (received.path, received.status) == (path, status)
    assert received.error
    assert len(shared_fake.accepted) == accepted_before
    if message is not None:
        answer = response.json()
        assert answer["status"] == "invalid event"
        assert answer["message"] == "Event object is invalid"
        assert any(error.startswith(message) for error in answer["errors"]), answer["errors"]
        assert message in received.error
        assert KEY not in response.text  # a rejection never echoes the key


def test_other_methods_are_not_found(shared_fake: FakePagerDuty) -> None:
    assert post(shared_fake, ALERT_PATH, trigger(), method="GET").status_code == 404
    assert post(shared_fake, CHANGE_PATH, change(), method="PUT").status_code == 404


ACCEPTED = [
    ("summary of 1024", ALERT_PATH, trigger(summary="s" * 1024, dedup_key="b-1")),
    ("dedup_key of 255", ALERT_PATH, trigger(dedup_key="d" * 255)),
    ("severity error", ALERT_PATH, trigger(severity="error", dedup_key="b-2")),
    ("severity warning", ALERT_PATH, trigger(severity="warning", dedup_key="b-3")),
    ("severity info", ALERT_PATH, trigger(severity="info", dedup_key="b-4")),
    ("timestamp Z", ALERT_PATH, trigger(timestamp="2026-11-02T10:00:00Z", dedup_key="b-5")),
    ("timestamp RFC 3339 nanoseconds", ALERT_PATH, trigger(timestamp="2026-11-02T10:00:00.123456789+01:00", dedup_key="b-6")),
    ("no timestamp", ALERT_PATH, without(trigger(dedup_key="b-7"), "payload", "timestamp")),
    ("every optional field", ALERT_PATH, {
        **trigger(component="mysql", group="prod", custom_details={"free": "1%"}, dedup_key="b-8", **{"class": "disk"}),
        "client": "loadgate", "client_url": "https://ci.example.com",
        "links": [{"href": "https://runbook.example.com"}],
        "images": [{"src": "https://graph.example.com/1.png", "alt": "graph"}],
    }),
    ("change event, summary only", CHANGE_PATH, {"routing_key": KEY, "payload": {"summary": "Deployed"}}),
    ("change event, full", CHANGE_PATH, change(timestamp="2020-07-17T08:42:58.315+0000", custom_details={"n": 2})),
]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "body"), [case[1:] for case in ACCEPTED], ids=[case[0] for case in ACCEPTED]
)
def test_valid_events_at_the_limits_are_accepted(
    shared_fake: FakePagerDuty, path: str, body: dict[str, Any]
) -> None:
    response = post(shared_fake, path, body)

    assert response.status_code == 202, response.text
    answer = response.json()
    assert answer["status"] == "success"
    assert shared_fake.accepted[-1] == body
    assert shared_fake.received[-1].error is None
    if path == ALERT_PATH:
        assert answer["message"] == "Event processed"
        assert answer["dedup_key"] == body["dedup_key"]
    else:
        assert "dedup_key" not in answer
        assert shared_fake.change_events()[-1] == body
    # Leave no alert open for the next test.
    if path == ALERT_PATH:
        assert post(shared_fake, path, action("resolve", body["dedup_key"])).status_code == 202


def test_a_trigger_resolve_and_change_event_are_accepted_and_sorted(fake: FakePagerDuty) -> None:
    assert post(fake, ALERT_PATH, trigger()).status_code == 202
    assert fake.open_alerts(KEY) == {"disk-full": trigger()}
    assert post(fake, ALERT_PATH, action("resolve", "disk-full")).status_code == 202
    assert post(fake, CHANGE_PATH, change()).status_code == 202

    assert fake.triggers() == [trigger()]
    assert fake.resolves() == [action("resolve", "disk-full")]
    assert fake.change_events() == [change()]
    assert fake.accepted == [trigger(), action("resolve", "disk-full"), change()]
    assert fake.open_alerts(KEY) == {}
    assert [(r.path, r.status, r.error) for r in fake.received] == [
        (ALERT_PATH, 202, None),
        (ALERT_PATH, 202, None),
        (CHANGE_PATH, 202, None),
    ]


def test_dedup_keys_update_close_and_reopen_alerts_per_routing_key(fake: FakePagerDuty) -> None:
    first, again = trigger(summary="Disk 95 %"), trigger(summary="Disk 99 %")
    post(fake, ALERT_PATH, first)
    post(fake, ALERT_PATH, again)
    assert fake.open_alerts(KEY) == {"disk-full": again}  # updated, not a second alert

    other = {**trigger(summary="elsewhere"), "routing_key": OTHER_KEY}
    post(fake, ALERT_PATH, other)
    assert fake.open_alerts(OTHER_KEY) == {"disk-full": other}
    assert list(fake.open_alerts(KEY)) == ["disk-full"]

    assert post(fake, ALERT_PATH, action("acknowledge", "disk-full")).status_code == 202
    assert fake.open_alerts(KEY) == {"disk-full": again}  # acknowledged is still open
    # A resolve through another routing key does not touch this key's alert.
    post(fake, ALERT_PATH, action("resolve", "disk-full", routing_key=OTHER_KEY))
    assert fake.open_alerts(OTHER_KEY) == {}
    assert list(fake.open_alerts(KEY)) == ["disk-full"]

    post(fake, ALERT_PATH, action("resolve", "disk-full"))
    assert fake.open_alerts(KEY) == {}
    # Resolving or acknowledging what is not open is accepted and does nothing, as PagerDuty does.
    for name, dedup in (("resolve", "disk-full"), ("acknowledge", "never-triggered")):
        response = post(fake, ALERT_PATH, action(name, dedup))
        assert response.status_code == 202
        assert response.json()["dedup_key"] == dedup
    assert fake.open_alerts(KEY) == {}

    reopened = trigger(summary="Disk full again")
    post(fake, ALERT_PATH, reopened)
    assert fake.open_alerts(KEY) == {"disk-full": reopened}
    assert len(fake.triggers()) == 4
    assert len(fake.resolves()) == 3


def test_a_trigger_without_dedup_key_gets_a_new_one_each_time(fake: FakePagerDuty) -> None:
    keys = [post(fake, ALERT_PATH, trigger(dedup_key=None)).json()["dedup_key"] for _ in range(2)]

    assert keys[0] != keys[1]
    assert all(keys)
    assert sorted(fake.open_alerts(KEY)) == sorted(keys)
    assert post(fake, ALERT_PATH, action("resolve", keys[0])).status_code == 202
    assert list(fake.open_alerts(KEY)) == [keys[1]]


def test_fail_next_answers_429_and_5xx_without_ingesting(fake: FakePagerDuty) -> None:
    fake.fail_next(429, count=2, retry_after=1.5)
    fake.fail_next(503)

    answers = [post(fake, ALERT_PATH, trigger()) for _ in range(4)]

    assert [a.status_code for a in answers] == [429, 429, 503, 202]
    assert answers[0].headers["Retry-After"] == "1.5"
    assert "Retry-After" not in answers[2].headers
    assert [r.status for r in fake.received] == [429, 429, 503, 202]
    assert all(r.error and "injected" in r.error for r in fake.received[:3])
    assert fake.accepted == [trigger()]  # only the fourth was ingested
    assert len(fake.open_alerts(KEY)) == 1


def test_fail_next_applies_even_to_an_invalid_event(fake: FakePagerDuty) -> None:
    fake.fail_next(500)

    assert post(fake, ALERT_PATH, trigger(severity="fatal")).status_code == 500
    assert post(fake, ALERT_PATH, trigger(severity="fatal")).status_code == 400


@pytest.mark.parametrize(("status", "count"), [(202, 1), (302, 1), (429, 0)])
def test_fail_next_refuses_what_is_not_a_failure(
    fake: FakePagerDuty, status: int, count: int
) -> None:
    with pytest.raises(ValueError):
        fake.fail_next(status, count)


def test_wait_for_wakes_on_a_request_and_times_out_otherwise(fake: FakePagerDuty) -> None:
    assert fake.wait_for(lambda f: len(f.triggers()) == 1, timeout=0.05) is False

    sender = threading.Thread(target=post, args=(fake, ALERT_PATH, trigger()))
    sender.start()
    try:
        assert fake.wait_for(lambda f: len(f.triggers()) == 1, timeout=10) is True
    finally:
        sender.join(timeout=10)


def test_plain_http_when_tls_is_off() -> None:
    with FakePagerDuty(tls=False) as fake:
        assert fake.url.startswith("http://127.0.0.1:")
        assert post(fake, ALERT_PATH, trigger()).status_code == 202
        with pytest.raises(RuntimeError):
            _ = fake.ca_file


def test_tls_is_real_and_its_files_go_away(fake: FakePagerDuty) -> None:
    assert fake.url.startswith("https://127.0.0.1:")
    with pytest.raises(requests.exceptions.SSLError):
        requests.post(fake.url + ALERT_PATH, json=trigger(), timeout=10)  # system CAs only
    ca_file = fake.ca_file
    assert ca_file.read_text().startswith("-----BEGIN CERTIFICATE-----")
    fake.__exit__(None, None, None)
    assert not ca_file.exists()


def test_the_routing_key_is_never_logged(
    fake: FakePagerDuty, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    post(fake, ALERT_PATH, trigger())
    post(fake, ALERT_PATH, trigger(severity="fatal"))
    post(fake, "/nowhere", trigger())
    fake.fail_next(429)
    post(fake, ALERT_PATH, trigger())

    captured = capfd.readouterr()
    assert KEY not in caplog.text + captured.out + captured.err
    assert KEY not in repr(fake.received)
    assert fake.received[0].body["routing_key"] == KEY  # kept for tests, only not shown


def client(fake: FakePagerDuty, routing_key: str = KEY) -> pagerduty.EventsApiV2Client:
    events = pagerduty.EventsApiV2Client(
        routing_key, base_url=fake.url, verify=ssl.create_default_context(cafile=fake.ca_file)
    )
    # Bounded retries, short sleeps: 429 would otherwise be retried forever (FACTS.md).
    events.retry[429] = 2
    events.sleep_timer = 0.01
    events.sleep_timer_base = 1
    return events


def test_the_real_client_triggers_resolves_and_sends_a_change_event(fake: FakePagerDuty) -> None:
    events = client(fake)

    dedup = events.trigger(
        "Error budget burning", "recommender", dedup_key="slo-home", severity="error"
    )
    assert fake.open_alerts(KEY)["slo-home"]["payload"]["severity"] == "error"
    generated = events.trigger("No dedup key", "recommender", severity="info")
    assert events.resolve(dedup) == "slo-home"
    events.submit("Deployed build 42", "ci", timestamp="2026-11-02T10:00:00Z")

    assert dedup == "slo-home"
    assert list(fake.open_alerts(KEY)) == [generated]
    assert [t["payload"]["summary"] for t in fake.triggers()] == [
        "Error budget burning",
        "No dedup key",
    ]
    assert fake.resolves() == [action("resolve", "slo-home")]
    assert fake.change_events()[0]["payload"] == {
        "summary": "Deployed build 42",
        "timestamp": "2026-11-02T10:00:00Z",
        "source": "ci",
    }


def test_the_real_client_retries_a_429_and_gives_up_on_lasting_5xx(fake: FakePagerDuty) -> None:
    events = client(fake)

    fake.fail_next(429)
    assert events.trigger("Throttled once", "recommender", dedup_key="t") == "t"
    assert [r.status for r in fake.received] == [429, 202]

    fake.fail_next(503, count=20)
    with pytest.raises(pagerduty.ServerHttpError):
        events.resolve("t")
    assert fake.resolves() == []
    assert list(fake.open_alerts(KEY)) == ["t"]


def test_the_real_client_sees_a_rule_violation_as_an_error(fake: FakePagerDuty) -> None:
    with pytest.raises(pagerduty.HttpError) as bad_severity:
        client(fake).trigger("Bad severity", "recommender", severity="page")
    with pytest.raises(pagerduty.HttpError) as bad_key:
        client(fake, routing_key="too-short").trigger("Bad key", "recommender")

    assert bad_severity.value.response.status_code == 400
    assert bad_severity.value.response.json()["errors"][0].startswith("Invalid payload.severity")
    assert bad_key.value.response.json()["errors"][0].startswith("Invalid routing key")
    assert fake.accepted == []
