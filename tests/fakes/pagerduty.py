"""A local fake of PagerDuty's Events API v2, strict where the real one is.

It serves ``POST /v2/enqueue`` (alert events) and ``POST /v2/change/enqueue`` (change events) on
127.0.0.1, a free port, over TLS with a throwaway CA (or plain HTTP with ``tls=False``), and
enforces the documented rules (developer.pagerduty.com: "Events API v2 Overview", "Send an Alert
Event", "Send a Change Event"):

- anything but those two POSTs is 404; a body that is not a JSON object is 400 "Invalid JSON";
  a body over 512 KB is 413;
- ``routing_key``: a string of exactly 32 characters ("Invalid routing key");
- alert events: ``event_action`` trigger|acknowledge|resolve; ``dedup_key`` a string of at most
  255 characters, required for acknowledge and resolve; a trigger needs ``payload.summary``
  (1–1024 characters), ``payload.source`` (non-empty) and ``payload.severity``
  (critical|error|warning|info); ``payload.timestamp``, when present, an ISO 8601 date-time;
  ``payload.component|group|class`` strings; ``links[].href`` and ``images[].src`` present;
- change events: ``payload.summary`` (1–1024 characters); ``payload.source`` a string and
  ``payload.timestamp`` an ISO 8601 date-time when present; ``links[].href`` present.

Accepted: 202 ``{"status": "success", "message": "Event processed", "dedup_key": …}`` (a trigger
without a dedup_key gets a generated one; change events answer "Change event processed" and have
no dedup_key). Rejected: 400 (or 413) ``{"status": "invalid event", "message": "Event object is
invalid", "errors": [...]}``, each error starting with a stable phrase ("Invalid JSON", "Invalid
routing key", "Invalid event_action", "Invalid dedup_key", "Invalid payload", "Invalid
payload.summary", …, "Payload too large") that tests can match.

Alerts are kept per routing key and dedup key as PagerDuty keeps them: a trigger for an open alert
updates it, resolve closes it, a later trigger opens a new one; acknowledge and resolve of a key
with no open alert are accepted and change nothing. ``fail_next`` makes the next requests answer
429 or 5xx without ingesting them.

The fake never logs: requests carry routing keys. ``ReceivedEvent``'s repr redacts them too.
"""

from __future__ import annotations

import contextlib
import copy
import json
import re
import secrets
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

__all__ = ["ALERT_PATH", "CHANGE_PATH", "MAX_BODY_BYTES", "FakePagerDuty", "ReceivedEvent"]

ALERT_PATH = "/v2/enqueue"
CHANGE_PATH = "/v2/change/enqueue"
MAX_BODY_BYTES = 512 * 1024
ROUTING_KEY_LENGTH = 32
MAX_SUMMARY = 1024
MAX_DEDUP_KEY = 255
EVENT_ACTIONS = ("trigger", "acknowledge", "resolve")
SEVERITIES = ("critical", "error", "warning", "info")
REDACTED = "<redacted>"

# An ISO 8601 date and time (extended or basic form); datetime.fromisoformat then checks the values.
_ISO_DATETIME = re.compile(r"^\d{4}-?\d{2}-?\d{2}[T ]\d{2}")


@dataclass(repr=False)
class ReceivedEvent:
    """One request as the fake saw it: accepted, rejected or failed on purpose."""

    path: str
    status: int
    body: dict[str, Any] | str  # the parsed JSON object, else the raw text
    error: str | None  # why it was not accepted; None when it was

    def __repr__(self) -> str:
        body = self.body
        if isinstance(body, dict) and "routing_key" in body:
            body = {**body, "routing_key": REDACTED}
        return (
            f"ReceivedEvent(path={self.path!r}, status={self.status}, body={body!r}, "
            f"error={self.error!r})"
        )


@dataclass
class _Alert:
    last_trigger: dict[str, Any]
    acknowledged: bool = False


class FakePagerDuty:
    """PagerDuty's Events API v2 on 127.0.0.1 for one ``with`` block."""

    def __init__(self, tls: bool = True) -> None:
        self.tls = tls
        self.received: list[ReceivedEvent] = []
        self.accepted: list[dict[str, Any]] = []
        self._accepted_paths: list[str] = []
        self._alerts: dict[tuple[str, str], _Alert] = {}
        self._failures: deque[tuple[int, float | None]] = deque()
        self._condition = threading.Condition(threading.RLock())
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._cert_dir: Path | None = None
        self._url = ""
        self._ca_file: Path | None = None

    # ── lifecycle ──────────────────────────────────────────────────────────────────────────────

    def __enter__(self) -> FakePagerDuty:
        context = None
        try:
            if self.tls:
                self._cert_dir = Path(tempfile.mkdtemp(prefix="fake-pagerduty-"))
                self._ca_file, cert, key = _make_certificates(self._cert_dir)
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                context.minimum_version = ssl.TLSVersion.TLSv1_2
                context.load_cert_chain(cert, key)
            self._server = _Server(self, context)
        except BaseException:
            self._remove_certificates()
            raise
        port = self._server.server_address[1]
        self._url = f"{'https' if self.tls else 'http'}://127.0.0.1:{port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-pagerduty",
            daemon=True,
        )
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.close_connections()
            self._server.server_close()  # joins the request threads
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._remove_certificates()

    def _remove_certificates(self) -> None:
        if self._cert_dir is not None:
            shutil.rmtree(self._cert_dir, ignore_errors=True)
            self._cert_dir = None

    @property
    def url(self) -> str:
        """``https://127.0.0.1:PORT`` (``http://`` with ``tls=False``); the base for both paths."""
        if not self._url:
            raise RuntimeError("FakePagerDuty serves only inside its `with` block")
        return self._url

    @property
    def ca_file(self) -> Path:
        """PEM of the CA that signed the server's certificate (removed when the block ends)."""
        if self._ca_file is None:
            raise RuntimeError("no CA: the fake is not running, or runs without TLS")
        return self._ca_file

    # ── controls and views ─────────────────────────────────────────────────────────────────────

    def fail_next(self, status: int, count: int = 1, retry_after: float | None = None) -> None:
        """Answer the next ``count`` requests with ``status`` (429, 500, 502, 503…), not ingesting them."""
        if not 400 <= status <= 599:
            raise ValueError(f"status must be an HTTP error status (4xx or 5xx), not {status}")
        if count < 1:
            raise ValueError("count must be at least 1")
        with self._condition:
            self._failures.extend([(status, retry_after)] * count)

    def open_alerts(self, routing_key: str) -> dict[str, dict[str, Any]]:
        """dedup_key → the alert's last trigger event, for alerts triggered and not resolved."""
        with self._condition:
            return {
                dedup: copy.deepcopy(alert.last_trigger)
                for (key, dedup), alert in self._alerts.items()
                if key == routing_key
            }

    def triggers(self) -> list[dict[str, Any]]:
        return self._accepted_alert_events("trigger")

    def resolves(self) -> list[dict[str, Any]]:
        return self._accepted_alert_events("resolve")

    def change_events(self) -> list[dict[str, Any]]:
        with self._condition:
            return [
                copy.deepcopy(event)
                for path, event in zip(self._accepted_paths, self.accepted, strict=True)
                if path == CHANGE_PATH
            ]

    def _accepted_alert_events(self, action: str) -> list[dict[str, Any]]:
        with self._condition:
            return [
                copy.deepcopy(event)
                for path, event in zip(self._accepted_paths, self.accepted, strict=True)
                if path == ALERT_PATH and event.get("event_action") == action
            ]

    def wait_for(self, predicate: Callable[[FakePagerDuty], bool], timeout: float) -> bool:
        """Wait until ``predicate(self)`` is true (re-checked after every request); False on timeout."""
        with self._condition:
            return self._condition.wait_for(lambda: predicate(self), timeout)

    # ── the API ────────────────────────────────────────────────────────────────────────────────

    def _handle(
        self, method: str, path: str, raw: bytes, too_large: bool
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """Status, JSON response and extra headers for one request; records it."""
        text = raw.decode("utf-8", errors="replace")
        parsed = _parse_object(text)
        body: dict[str, Any] | str = parsed if parsed is not None else text
        with self._condition:
            try:
                if self._failures:
                    status, retry_after = self._failures.popleft()
                    headers = {} if retry_after is None else {"Retry-After": f"{retry_after:g}"}
                    response = _failure_response(status)
                    self._record(path, status, body, f"injected failure: HTTP {status}")
                    return status, response, headers
                if method != "POST" or path not in (ALERT_PATH, CHANGE_PATH):
                    self._record(path, 404, body, f"not found: {method} {path}")
                    return 404, {"status": "not found", "message": "Not Found"}, {}
                if too_large:
                    errors = [f"Payload too large: the limit is {MAX_BODY_BYTES} bytes"]
                    return 413, self._reject(path, 413, body, errors), {}
                if parsed is None:
                    errors = ["Invalid JSON: the body must be a JSON object"]
                    return 400, self._reject(path, 400, body, errors), {}
                errors = (
                    _alert_event_errors(parsed)
                    if path == ALERT_PATH
                    else _change_event_errors(parsed)
                )
                if errors:
                    return 400, self._reject(path, 400, body, errors), {}
                return 202, self._accept(path, parsed), {}
            finally:
                self._condition.notify_all()

    def _record(
        self, path: str, status: int, body: dict[str, Any] | str, error: str | None
    ) -> None:
        self.received.append(ReceivedEvent(path, status, body, error))

    def _reject(
        self, path: str, status: int, body: dict[str, Any] | str, errors: list[str]
    ) -> dict[str, Any]:
        self._record(path, status, body, "; ".join(errors))
        return {"status": "invalid event", "message": "Event object is invalid", "errors": errors}

    def _accept(self, path: str, event: dict[str, Any]) -> dict[str, Any]:
        self._record(path, 202, event, None)
        self.accepted.append(event)
        self._accepted_paths.append(path)
        if path == CHANGE_PATH:
            return {"status": "success", "message": "Change event processed"}
        action = event["event_action"]
        dedup_key = event.get("dedup_key") or uuid.uuid4().hex
        alert_id = (event["routing_key"], dedup_key)
        if action == "trigger":
            alert = self._alerts.get(alert_id)
            if alert is None:
                self._alerts[alert_id] = _Alert(copy.deepcopy(event))
            else:
                alert.last_trigger = copy.deepcopy(event)
        elif action == "acknowledge" and alert_id in self._alerts:
            self._alerts[alert_id].acknowledged = True
        elif action == "resolve":
            self._alerts.pop(alert_id, None)
        return {"status": "success", "message": "Event processed", "dedup_key": dedup_key}


# ── validation ─────────────────────────────────────────────────────────────────────────────────


def _parse_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _routing_key_errors(event: dict[str, Any]) -> list[str]:
    key = event.get("routing_key")
    if not isinstance(key, str):
        return ["Invalid routing key: routing_key is required, a string of 32 characters"]
    if len(key) != ROUTING_KEY_LENGTH:
        # The length only: the key itself is never echoed.
        return [f"Invalid routing key: it has {len(key)} characters, must have 32"]
    return []


def _summary_errors(payload: dict[str, Any]) -> list[str]:
    summary = payload.get("summary")
    if not isinstance(summary, str) or not 1 <= len(summary) <= MAX_SUMMARY:
        return [f"Invalid payload.summary: required, a string of 1 to {MAX_SUMMARY} characters"]
    return []


def _timestamp_errors(payload: dict[str, Any]) -> list[str]:
    if "timestamp" not in payload:
        return []
    stamp = payload["timestamp"]
    if isinstance(stamp, str) and _ISO_DATETIME.match(stamp):
        with contextlib.suppress(ValueError):
            datetime.fromisoformat(stamp)
            return []
    return ["Invalid payload.timestamp: must be an ISO 8601 date-time"]


def _context_errors(event: dict[str, Any], alert: bool) -> list[str]:
    errors = []
    checks = [("links", "href")] + ([("images", "src")] if alert else [])
    for field, required in checks:
        if field not in event:
            continue
        items = event[field]
        if not isinstance(items, list) or not all(
            isinstance(item, dict) and isinstance(item.get(required), str) for item in items
        ):
            errors.append(f"Invalid {field}: a list of objects, each with a string {required!r}")
    return errors


def _alert_event_errors(event: dict[str, Any]) -> list[str]:
    errors = _routing_key_errors(event)
    action = event.get("event_action")
    if action not in EVENT_ACTIONS:
        errors.append("Invalid event_action: must be one of trigger, acknowledge, resolve")
    dedup_key = event.get("dedup_key")
    if dedup_key is not None and (not isinstance(dedup_key, str) or len(dedup_key) > MAX_DEDUP_KEY):
        errors.append(f"Invalid dedup_key: a string of at most {MAX_DEDUP_KEY} characters")
    elif action in ("acknowledge", "resolve") and not dedup_key:
        errors.append(f"Invalid dedup_key: required for {action}")
    if action != "trigger":
        return errors
    payload = event.get("payload")
    if not isinstance(payload, dict):
        return [*errors, "Invalid payload: required for trigger, an object"]
    errors += _summary_errors(payload)
    source = payload.get("source")
    if not isinstance(source, str) or not source.strip():
        errors.append("Invalid payload.source: required, a non-empty string")
    if payload.get("severity") not in SEVERITIES:
        errors.append("Invalid payload.severity: must be one of critical, error, warning, info")
    errors += _timestamp_errors(payload)
    for field in ("component", "group", "class"):
        if field in payload and not isinstance(payload[field], str):
            errors.append(f"Invalid payload.{field}: must be a string")
    return errors + _context_errors(event, alert=True)


def _change_event_errors(event: dict[str, Any]) -> list[str]:
    errors = _routing_key_errors(event)
    payload = event.get("payload")
    if not isinstance(payload, dict):
        return [*errors, "Invalid payload: required, an object"]
    errors += _summary_errors(payload)
    if "source" in payload and not isinstance(payload["source"], str):
        errors.append("Invalid payload.source: must be a string")
    errors += _timestamp_errors(payload)
    return errors + _context_errors(event, alert=False)


def _failure_response(status: int) -> dict[str, Any]:
    if status == 429:
        return {
            "status": "throttle event",
            "message": "Requests for this service are arriving too quickly. Please retry later.",
        }
    return {"status": "error", "message": f"Injected failure (HTTP {status}): not ingested"}


# ── HTTP and TLS ───────────────────────────────────────────────────────────────────────────────


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakePagerDuty, tls: ssl.SSLContext | None) -> None:
        self.fake = fake
        self.tls = tls
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = super().get_request()
        if self.tls is not None:
            # The handshake runs on first read, in the request's own thread: a client that
            # does not trust the CA cannot stall the accept loop.
            connection = self.tls.wrap_socket(
                connection, server_side=True, do_handshake_on_connect=False
            )
        with self._connections_lock:
            self._connections.add(connection)
        return connection, address

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """End kept-alive connections, so their threads end now rather than at their timeout."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # failed handshakes and dropped connections are the client's business; never log


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as PagerDuty's clients expect
    timeout = 10
    disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # never log: request bodies carry routing keys

    def do_POST(self) -> None:
        self._serve()

    do_GET = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = do_POST  # noqa: N815

    def _serve(self) -> None:
        try:
            raw, too_large = self._read_body()
        except (ValueError, OSError):
            self.send_error(400, "Bad request body")
            self.close_connection = True
            return
        path = urlsplit(self.path).path
        status, response, headers = self.server.fake._handle(self.command, path, raw, too_large)
        data = json.dumps(response).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _read_body(self) -> tuple[bytes, bool]:
        """The body (at most the limit's worth) and whether it was larger; always drained."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = iter(self._chunks, b"")
        else:
            length = int(self.headers.get("Content-Length") or 0)
            if length < 0:
                raise ValueError("negative Content-Length")
            chunks = self._fixed(length)
        kept, size = bytearray(), 0
        for chunk in chunks:
            size += len(chunk)
            if size <= MAX_BODY_BYTES:
                kept += chunk
        return (bytes(kept), False) if size <= MAX_BODY_BYTES else (b"", True)

    def _fixed(self, length: int) -> Any:
        while length > 0:
            chunk = self.rfile.read(min(length, 65536))
            if not chunk:
                raise ValueError("the body ended early")
            length -= len(chunk)
            yield chunk

    def _chunks(self) -> bytes:
        size = int(self.rfile.readline(1024).split(b";")[0].strip() or b"0", 16)
        if size == 0:
            while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b""
        chunk = self.rfile.read(size)
        self.rfile.readline(1024)
        return chunk


def _make_certificates(directory: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a server certificate for 127.0.0.1 (IP SAN), made with the openssl CLI."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError("the fake PagerDuty needs the openssl CLI for TLS (or use tls=False)")
    ca_key, ca_cert = directory / "ca.key", directory / "ca.pem"
    key, csr, cert = directory / "server.key", directory / "server.csr", directory / "server.pem"
    extensions = directory / "server.ext"
    extensions.write_text(
        "subjectAltName = IP:127.0.0.1\n"
        "basicConstraints = critical, CA:FALSE\n"
        "keyUsage = critical, digitalSignature\n"
        "extendedKeyUsage = serverAuth\n"
        "subjectKeyIdentifier = hash\n"
        "authorityKeyIdentifier = keyid, issuer\n"
    )
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

    def run(*argv: str) -> None:
        done = subprocess.run(
            [openssl, *argv], cwd=directory, capture_output=True, text=True, timeout=30
        )
        if done.returncode != 0:
            raise RuntimeError(f"openssl {argv[0]} failed: {done.stderr.strip()[-500:]}")

    run(
        "req", "-x509", *ec, "-keyout", str(ca_key), "-out", str(ca_cert), "-days", "2",
        "-subj", "/CN=loadgate fake PagerDuty CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    )  # fmt: skip
    run("req", *ec, "-keyout", str(key), "-out", str(csr), "-subj", "/CN=127.0.0.1")
    run(
        "x509", "-req", "-in", str(csr), "-CA", str(ca_cert), "-CAkey", str(ca_key),
        "-set_serial", str(secrets.randbits(63)), "-days", "2", "-out", str(cert),
        "-extfile", str(extensions),
    )  # fmt: skip
    return ca_cert, cert, key
