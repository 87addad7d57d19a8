"""How one event reaches PagerDuty: the Events API client with every retry bounded.

The ``pagerduty`` 7.2.0 client retries a 429 forever, 5xx up to six times with doubling sleeps
from 3 s, and network errors three times — minutes, for a soak loop that must keep measuring.
Here every path is bounded:

=====================  ==================================================================
HTTP status retries    429: 3 · 500, 502, 503, 504: 2 each · at most 4 in all
                       (``max_http_attempts = 3``: the client stops once more than 3 were made)
network retries        2 (``max_network_attempts = 2``: the third failure raises)
sleeps                 1 s × 1.5ⁿ, no jitter: 1.5, 2.25, 3.4, 5.1, 7.6, 11.4 s (≤ 6 sleeps: 31.2 s)
timeout                10 s for each phase of an attempt (connect, send, each read)
deadline               no attempt starts more than 25 s after ``send()``; a retryable failure
                       after that ends the send without sleeping
=====================  ==================================================================

Worst case for one event, therefore: the last attempt starts before 25 s and lasts at most one
connect, one send and one read timeout (30 s): **≤ 55 s** (``WORST_CASE_S``). Typical failures are
much shorter: 429 forever is 4 attempts and 7.1 s of sleep; an unreachable host 3 attempts in
3.75 s of sleep plus three connect timeouts. (DNS lookups follow the system resolver's timeouts; a
server trickling its answer a byte at a time could stretch the last read.)
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx2
from pagerduty import EventsApiV2Client

from harness.errors import COMMAND_LINE, InputError, Problem

__all__ = [
    "DEADLINE_S",
    "DEFAULT_URL",
    "MAX_HTTP_ATTEMPTS",
    "MAX_NETWORK_ATTEMPTS",
    "RETRY",
    "SLEEP_TIMER_BASE",
    "SLEEP_TIMER_S",
    "TIMEOUT_S",
    "URL_ENV",
    "URL_FLAG",
    "WORST_CASE_S",
    "BoundedEventsClient",
    "DeadlineExceeded",
    "base_url",
    "tls_verify",
]

DEFAULT_URL = "https://events.pagerduty.com"
URL_ENV = "LOADGATE_PAGERDUTY_URL"
URL_FLAG = "--pagerduty-url"
CERT_ENV = "SSL_CERT_FILE"

RETRY = {429: 3, 500: 2, 502: 2, 503: 2, 504: 2}
MAX_HTTP_ATTEMPTS = 3
MAX_NETWORK_ATTEMPTS = 2
SLEEP_TIMER_S = 1.0
SLEEP_TIMER_BASE = 1.5
TIMEOUT_S = 10.0
DEADLINE_S = 25.0
PHASES = 3  # connect, send, read: each bounded by TIMEOUT_S
WORST_CASE_S = DEADLINE_S + PHASES * TIMEOUT_S


class DeadlineExceeded(Exception):  # noqa: N818 — reads as what happened
    """The per-event deadline passed; carries the last HTTP status, if there was one."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class BoundedEventsClient(EventsApiV2Client):
    """``EventsApiV2Client`` with bounded retries, a per-event deadline and an attempt count.

    ``send`` is httpx's per-request hook: the client's retry loop calls it once per attempt,
    whatever the transport (a real one, a proxy, or a test's ``MockTransport``).
    """

    def __init__(
        self,
        routing_key: str,
        url: str,
        *,
        sleep_timer: float = SLEEP_TIMER_S,
        deadline_s: float = DEADLINE_S,
        **client_kwargs: Any,
    ) -> None:
        super().__init__(routing_key, base_url=url, **client_kwargs)
        self.retry = dict(RETRY)  # replaces the client's 500:2, 502:4, 503:6, 504:6 and 429 forever
        self.max_http_attempts = MAX_HTTP_ATTEMPTS
        self.max_network_attempts = MAX_NETWORK_ATTEMPTS
        self.sleep_timer = sleep_timer
        self.sleep_timer_base = SLEEP_TIMER_BASE  # type: ignore[assignment]  # int in the stubs; floats work
        self.stagger_cooldown = 0
        self.timeout = TIMEOUT_S  # type: ignore[assignment]  # likewise
        self.deadline_s = deadline_s
        self.attempts = 0
        self.last_status: int | None = None
        self._deadline = float("inf")

    def start_event(self) -> None:
        """Reset the attempt count and start the deadline: call before each event."""
        self.attempts = 0
        self.last_status = None
        self._deadline = time.monotonic() + self.deadline_s

    def send(self, request: httpx2.Request, **kwargs: Any) -> httpx2.Response:
        if time.monotonic() >= self._deadline:
            raise DeadlineExceeded(self._gave_up(), self.last_status)
        self.attempts += 1
        try:
            response = super().send(request, **kwargs)
        except httpx2.TransportError as exc:
            self.last_status = None
            if time.monotonic() >= self._deadline:
                raise DeadlineExceeded(
                    f"{type(exc).__name__}: {exc}; {self._gave_up()}", None
                ) from exc
            raise
        self.last_status = response.status_code
        if response.status_code in self.retry and time.monotonic() >= self._deadline:
            raise DeadlineExceeded(
                f"HTTP {response.status_code}; {self._gave_up()}", response.status_code
            )
        return response

    def _gave_up(self) -> str:
        return f"gave up: the {self.deadline_s:g} s deadline for one event passed"


def base_url(flag_value: str | None, environ: Mapping[str, str]) -> str:
    """The Events API base URL: ``--pagerduty-url``, else ``LOADGATE_PAGERDUTY_URL``, else PagerDuty's.

    Must be https:// (the client refuses anything else). A full enqueue URL as Alertmanager takes
    it (``…/v2/enqueue``) is accepted and cut back to its base.
    """
    if flag_value:
        value, source, field = flag_value, COMMAND_LINE, URL_FLAG
    elif environ.get(URL_ENV, "").strip():
        value, source, field = environ[URL_ENV], "environment", URL_ENV
    else:
        return DEFAULT_URL
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname:
        raise InputError(
            [
                Problem(
                    source,
                    field,
                    f"{value!r} is not allowed: the Events API base URL must be https://HOST[:PORT] "
                    f"(the PagerDuty client refuses other schemes), e.g. {DEFAULT_URL}",
                )
            ]
        )
    value = value.rstrip("/")
    for suffix in ("/v2/change/enqueue", "/v2/enqueue"):
        value = value.removesuffix(suffix)
    return value


def tls_verify(environ: Mapping[str, str]) -> ssl.SSLContext | bool:
    """Trust ``SSL_CERT_FILE`` alone when it is set (a local fake, a proxy's CA); else the default."""
    cafile = environ.get(CERT_ENV, "").strip()
    if not cafile:
        return True
    try:
        return ssl.create_default_context(cafile=cafile)
    except (OSError, ssl.SSLError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InputError(
            [
                Problem(
                    "environment",
                    CERT_ENV,
                    f"cannot load CA certificates from {cafile!r} ({reason}); allowed: a PEM file "
                    "of CA certificates, or unset to use the system's",
                )
            ]
        ) from None
