"""A duet's two sides must serve the same endpoints: checked from their OpenAPI documents, over
real HTTP, before any load."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from harness.errors import InputError
from harness.stack.duet_sides import check_same_endpoints


def serve(document: str | None) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if document is None or self.path != "/openapi.yaml":
                self.send_error(404)
                return
            body = document.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


HOME = "paths:\n  /v1/home: {}\n  /v1/similar: {}\n"


@pytest.fixture
def home() -> Iterator[str]:
    yield from serve(HOME)


@pytest.fixture
def other() -> Iterator[str]:
    yield from serve("paths:\n  /v1/home: {}\n  /v2/new: {}\n")


@pytest.fixture
def undocumented() -> Iterator[str]:
    yield from serve(None)


def test_the_same_endpoints_pass(home: str) -> None:
    second = serve(HOME)
    url = next(second)
    try:
        check_same_endpoints(home, url)
    finally:
        second.close()


def test_different_endpoints_are_refused_naming_each_side_s_own(home: str, other: str) -> None:
    with pytest.raises(InputError) as raised:
        check_same_endpoints(home, other)
    message = raised.value.problems[0].message
    assert f"only the baseline ({home}) serves /v1/similar" in message
    assert f"only the candidate ({other}) serves /v2/new" in message


def test_a_side_without_a_document_is_not_refused(home: str, undocumented: str) -> None:
    check_same_endpoints(home, undocumented)
