"""Pagers: send an event, get a ``Delivery`` back — never an exception.

A failure to reach PagerDuty must not stop what is being measured (a soak keeps soaking), so
``Pager.send`` logs it and returns ``ok=False`` with a scrubbed ``detail``. Three pagers:

- ``PagerDutyPager`` — the Events API v2, every retry bounded (see ``harness.alert.transport``:
  at most 55 s per event);
- ``DryRunPager`` — prints the JSON each event would send, routing key shown as ``<redacted>``;
- ``RecordingPager`` — paging off: only records what would have been sent.

``make_pager`` builds one from the paging configuration (docs/architecture.md, "Paging
configuration").
"""

from __future__ import annotations

import json
import logging
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import pagerduty

from harness.alert.events import AlertEvent, Event, endpoint_path, event_body, event_kind
from harness.alert.transport import (
    DEADLINE_S,
    SLEEP_TIMER_S,
    BoundedEventsClient,
    DeadlineExceeded,
    base_url,
    tls_verify,
)
from harness.errors import COMMAND_LINE, InputError, Problem
from harness.secret import REDACTED, RoutingKey, load_routing_key, routing_key_configured
from harness.values.soak_doc import DeliveryDoc, EventKind

__all__ = [
    "Delivery",
    "DryRunPager",
    "Pager",
    "PagerDutyPager",
    "PagingMode",
    "RecordingPager",
    "make_pager",
]

log = logging.getLogger(__name__)

PagingMode = Literal["page", "dry-run", "off"]


@dataclass(frozen=True)
class Delivery:
    """What became of one event. ``detail`` never holds the routing key."""

    kind: EventKind
    dedup_key: str | None  # None for change events
    ok: bool
    attempts: int  # HTTP requests made (0 for dry runs and when paging is off)
    detail: str

    def as_dict(self) -> DeliveryDoc:
        """As result.json keeps it."""
        return {
            "kind": self.kind,
            "dedup_key": self.dedup_key,
            "ok": self.ok,
            "attempts": self.attempts,
            "detail": self.detail,
        }


class Pager(ABC):
    """Sends events; ``send`` never raises, and every delivery is kept in ``deliveries``."""

    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []
        self._lock = threading.Lock()  # one event at a time, in order: a trigger before its resolve

    def send(self, event: Event) -> Delivery:
        with self._lock:
            try:
                delivery = self._deliver(event)
            except Exception as exc:  # the contract: a paging failure is reported, never raised
                delivery = self._failed(event, 0, f"{type(exc).__name__}: {exc}")
            self.deliveries.append(delivery)
        if not delivery.ok:
            log.warning(
                "PagerDuty %s %s not delivered: %s",
                delivery.kind,
                delivery.dedup_key or "",
                delivery.detail,
            )
        return delivery

    def close(self) -> None:  # noqa: B027 — optional for subclasses, not abstract
        """Release connections (nothing to release by default)."""

    def __enter__(self) -> Pager:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @abstractmethod
    def _deliver(self, event: Event) -> Delivery: ...

    def _scrub(self, text: str) -> str:
        return text

    def _failed(self, event: Event, attempts: int, detail: str) -> Delivery:
        return Delivery(event_kind(event), _key_of(event), False, attempts, self._scrub(detail))


class PagerDutyPager(Pager):
    """Sends to the PagerDuty Events API v2 with bounded retries.

    ``client_kwargs`` go to the httpx client underneath (tests pass ``transport=``).
    ``environ`` is where ``SSL_CERT_FILE`` is looked up (default: the process environment).
    """

    def __init__(
        self,
        key: RoutingKey,
        url: str | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        sleep_timer: float = SLEEP_TIMER_S,
        deadline_s: float = DEADLINE_S,
        **client_kwargs: Any,
    ) -> None:
        super().__init__()
        self._key = key
        environ = os.environ if environ is None else environ
        self.url = base_url(url, {})  # validates an explicit URL; the default when None
        client_kwargs.setdefault("verify", tls_verify(environ))
        self._client = BoundedEventsClient(
            key.reveal(), self.url, sleep_timer=sleep_timer, deadline_s=deadline_s, **client_kwargs
        )

    def _deliver(self, event: Event) -> Delivery:
        client = self._client
        client.start_event()
        body = event_body(event)
        try:
            if isinstance(event, AlertEvent):
                action = body.pop("event_action")
                client.send_event(action, **body)
            else:
                client.send_change_event(payload=body["payload"], links=body.get("links"))
        except DeadlineExceeded as exc:
            return self._failed(event, client.attempts, f"{exc} (after {_n(client.attempts)})")
        except pagerduty.HttpError as exc:  # a final 4xx/5xx (after retries, where retried)
            status = exc.response.status_code if exc.response is not None else None
            return self._failed(
                event, client.attempts, f"{_status(status)}after {_n(client.attempts)}: {exc}"
            )
        except pagerduty.Error as exc:  # network errors past the bounded retries, and the like
            cause = exc.__cause__
            reason = f"{type(cause).__name__}: {cause}" if cause else str(exc)
            return self._failed(
                event,
                client.attempts,
                f"PagerDuty unreachable after {_n(client.attempts)} ({reason}) at {self.url}",
            )
        status = client.last_status
        return Delivery(
            event_kind(event),
            _key_of(event),
            True,
            client.attempts,
            f"accepted (HTTP {status}) after {_n(client.attempts)}",
        )

    def _scrub(self, text: str) -> str:
        return self._key.scrub(text)

    def close(self) -> None:
        self._client.close()

    def __repr__(self) -> str:
        return f"PagerDutyPager(url={self.url!r}, key={REDACTED})"


class DryRunPager(Pager):
    """Prints each event's endpoint and JSON body instead of sending it."""

    def __init__(self, print_line: Callable[[str], None], url: str | None = None) -> None:
        super().__init__()
        self._print = print_line
        self.url = url or base_url(None, {})

    def _deliver(self, event: Event) -> Delivery:
        body = {"routing_key": REDACTED, **event_body(event)}
        self._print(f"dry run: would POST {self.url}{endpoint_path(event)}")
        self._print(json.dumps(body, ensure_ascii=False))
        return Delivery(event_kind(event), _key_of(event), True, 0, "dry run")

    def __repr__(self) -> str:
        return f"DryRunPager(url={self.url!r})"


class RecordingPager(Pager):
    """Paging off: records each event as delivered, sends nothing, prints nothing."""

    def _deliver(self, event: Event) -> Delivery:
        return Delivery(event_kind(event), _key_of(event), True, 0, "paging off")

    def __repr__(self) -> str:
        return "RecordingPager()"


def make_pager(
    mode: PagingMode,
    key_file: Path | None,
    url: str | None,
    environ: Mapping[str, str],
    print_line: Callable[[str], None],
    **client_kwargs: Any,
) -> Pager:
    """The pager for ``mode``. ``page`` requires a routing key; ``dry-run`` checks one if given.

    Raises InputError (naming the flag, file or variable, never the key) for bad configuration.
    """
    if mode == "off":
        return RecordingPager()
    resolved_url = base_url(url, environ)
    if mode == "dry-run":
        if routing_key_configured(key_file, environ):
            load_routing_key(key_file, environ)  # a dry run in CI proves the configuration too
        return DryRunPager(print_line, resolved_url)
    if mode != "page":
        raise InputError(
            [Problem(COMMAND_LINE, "paging mode", f"{mode!r}: allowed page, dry-run, off")]
        )
    key = load_routing_key(key_file, environ)
    return PagerDutyPager(key, resolved_url, environ=environ, **client_kwargs)


def _key_of(event: Event) -> str | None:
    return event.dedup_key if isinstance(event, AlertEvent) else None


def _status(status: int | None) -> str:
    return f"HTTP {status} " if status is not None else ""


def _n(attempts: int) -> str:
    return f"{attempts} attempt{'s' if attempts != 1 else ''}"
