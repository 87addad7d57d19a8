"""What loadgate sends to PagerDuty, as plain data (pure: no I/O, no clock unless asked).

Two kinds of event (Events API v2):

- ``AlertEvent`` — ``trigger`` opens (or updates) the alert with its ``dedup_key``; ``resolve``
  closes it. A later trigger with the same key after a resolve opens a new alert.
- ``ChangeEvent`` — an informational "something changed" record (a soak started, a deploy),
  which never pages anyone.

``event_body`` is the exact JSON each event is sent as, without the routing key (the client adds
it); the dry run prints the same body, so what you see is what would be sent.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from harness.slo.alertmanager import PAGERDUTY_SEVERITY
from harness.values.soak_doc import EventKind

__all__ = [
    "MAX_DEDUP_KEY",
    "MAX_SUMMARY",
    "Action",
    "AlertEvent",
    "ChangeEvent",
    "Event",
    "Severity",
    "dedup_key",
    "endpoint_path",
    "event_body",
    "event_kind",
    "fit_summary",
    "gate_dedup_key",
    "severity_for",
    "utc_timestamp",
]

Action = Literal["trigger", "resolve"]
Severity = Literal["critical", "error", "warning", "info"]
MAX_SUMMARY = 1024  # payload.summary, Events API v2
MAX_DEDUP_KEY = 255
ELLIPSIS = "…"
KEY_PREFIX = "loadgate"
HASH_CHARS = 16  # of a sha256, hex: what replaces the tail of a key that would be too long
SEVERITIES: tuple[Severity, ...] = ("critical", "error", "warning", "info")


@dataclass(frozen=True)
class AlertEvent:
    """A trigger or resolve. A resolve needs only ``dedup_key``; the rest is for triggers."""

    action: Action
    dedup_key: str
    summary: str
    source: str
    severity: Severity = "error"
    custom_details: dict[str, object] = field(default_factory=dict)
    links: list[dict[str, str]] = field(default_factory=list)
    component: str | None = None
    group: str | None = None
    class_: str | None = None
    timestamp: str = field(default_factory=lambda: utc_timestamp())

    def __post_init__(self) -> None:
        if self.action not in ("trigger", "resolve"):
            raise ValueError(f"action {self.action!r}: allowed trigger, resolve")
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity {self.severity!r}: allowed {', '.join(SEVERITIES)}")
        if not self.dedup_key or len(self.dedup_key) > MAX_DEDUP_KEY:
            raise ValueError(f"dedup_key must be 1–{MAX_DEDUP_KEY} characters")


@dataclass(frozen=True)
class ChangeEvent:
    """A change event: recorded on the service's timeline, never pages."""

    summary: str
    source: str
    custom_details: dict[str, object] = field(default_factory=dict)
    links: list[dict[str, str]] = field(default_factory=list)
    timestamp: str = field(default_factory=lambda: utc_timestamp())


Event = AlertEvent | ChangeEvent


def event_kind(event: Event) -> EventKind:
    """``trigger``, ``resolve`` or ``change``."""
    return event.action if isinstance(event, AlertEvent) else "change"


def endpoint_path(event: Event) -> str:
    return "/v2/enqueue" if isinstance(event, AlertEvent) else "/v2/change/enqueue"


def event_body(event: Event) -> dict[str, Any]:  # the PagerDuty client's keyword arguments
    """The JSON body sent for ``event``, minus ``routing_key`` (which the client adds)."""
    if isinstance(event, ChangeEvent):
        change: dict[str, Any] = {
            "payload": {
                "summary": fit_summary(event.summary),
                "source": event.source,
                "timestamp": event.timestamp,
                "custom_details": event.custom_details,
            }
        }
        if event.links:
            change["links"] = event.links
        return change
    if event.action == "resolve":
        return {"event_action": "resolve", "dedup_key": event.dedup_key}
    payload: dict[str, object] = {
        "summary": fit_summary(event.summary),
        "source": event.source,
        "severity": event.severity,
        "timestamp": event.timestamp,
    }
    for name, value in (
        ("component", event.component),
        ("group", event.group),
        ("class", event.class_),
    ):
        if value is not None:
            payload[name] = value
    payload["custom_details"] = event.custom_details
    body: dict[str, Any] = {
        "event_action": "trigger",
        "dedup_key": event.dedup_key,
        "payload": payload,
    }
    if event.links:
        body["links"] = event.links
    return body


def dedup_key(service: str, slo: str, severity: str) -> str:
    """``loadgate/<service>/<slo>/<severity>``: the same alert always gets the same key.

    Keys longer than 255 characters keep their readable head and end in a hash of the whole.
    """
    return _bounded_key(KEY_PREFIX, service, slo, severity)


def gate_dedup_key(scenario: str) -> str:
    """``loadgate/gate/<scenario>``: one alert per gated scenario (what ``loadgate page`` uses)."""
    return _bounded_key(KEY_PREFIX, "gate", scenario)


def _bounded_key(*parts: str) -> str:
    key = "/".join(part.strip() for part in parts)
    if len(key) <= MAX_DEDUP_KEY:
        return key
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:HASH_CHARS]
    return f"{key[: MAX_DEDUP_KEY - HASH_CHARS - 1]}~{digest}"


def fit_summary(text: str) -> str:
    """``text`` on one line, cut to PagerDuty's 1024 characters with an ellipsis."""
    line = " ".join(text.split())
    if len(line) <= MAX_SUMMARY:
        return line
    return line[: MAX_SUMMARY - len(ELLIPSIS)].rstrip() + ELLIPSIS


def severity_for(alert_severity: str) -> Severity:
    """A burn-rate policy severity in PagerDuty's terms: page → critical, ticket → warning.

    Anything else is ``error``: unknown should still be seen, but not wake anyone up as critical.
    """
    mapped = PAGERDUTY_SEVERITY.get(alert_severity)
    return next((severity for severity in SEVERITIES if severity == mapped), "error")


def utc_timestamp(moment: datetime | None = None) -> str:
    """ISO 8601 in UTC with milliseconds and a ``Z``, e.g. ``2026-11-27T12:58:58.743Z``."""
    moment = moment if moment is not None else datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no time zone; pass an aware one")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
