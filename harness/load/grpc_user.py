"""``GrpcUser``: a Locust user that calls a gRPC service through its generated stub, every call
reported as a Locust request, so loadgate's plugin measures it exactly as it measures HTTP (the
client metrics, the window's HDR histograms, the open model and its coordinated-omission
correction all work from Locust's ``request`` event, whatever sent it).

    from harness.load.grpc_user import GrpcUser
    from mypackage import shop_pb2, shop_pb2_grpc

    class Shopper(GrpcUser):
        stub_class = shop_pb2_grpc.ShopStub

        @task
        def home(self) -> None:
            self.call(self.stub.Home, shop_pb2.HomeRequest(user_id=1))

* **Target**: ``LOADGATE_GRPC_TARGET`` (``host:port``; loadgate sets it), else Locust's ``--host``
  as ``grpc://host:port`` or ``host:port``. Plaintext channels, one per user.
* **Name**: each request is named by its RPC, ``package.Service/Method`` (the server's
  ``rpc_method``); its type is ``grpc``.
* **Deadlines**: a call without ``timeout=`` gets ``timeout_s`` (5 s): gRPC has no default
  deadline, and a call that never ends would hold a user forever.
* **Failures**: ``failure_codes``, by default every status but OK. A load test sends calls it
  expects to succeed, so any other answer is a call the service did not serve — as Locust's
  HttpUser counts every 4xx and 5xx. DEADLINE_EXCEEDED is a failure like any other. A user
  that expects some code (e.g. NOT_FOUND for a probe of a deleted item) sets
  ``failure_codes = DEFAULT_FAILURE_CODES - {grpc.StatusCode.NOT_FOUND}``.
* **gevent**: grpcio's own threads block gevent's loop unless ``init_gevent()`` runs before any
  channel exists (locust#1800, #2339; grpc#27340). Importing this module does it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, NamedTuple

import grpc
from grpc.experimental import gevent as grpc_gevent
from locust import User
from locust.env import Environment

from harness.values.client_metrics import ENV_GRPC_TARGET

__all__ = [
    "DEFAULT_FAILURE_CODES",
    "DEFAULT_TIMEOUT_S",
    "REQUEST_TYPE",
    "GrpcStatusFailure",
    "GrpcUser",
    "LocustInterceptor",
    "grpc_target",
    "stub_methods",
    "unserved_methods",
]

grpc_gevent.init_gevent()  # before any channel: see the module's docstring

REQUEST_TYPE = "grpc"
DEFAULT_TIMEOUT_S = 5.0
DEFAULT_FAILURE_CODES = frozenset(code for code in grpc.StatusCode if code != grpc.StatusCode.OK)


class GrpcStatusFailure(Exception):  # noqa: N818 (Locust shows it as the failure's text)
    """A call answered with a status its user counts as a failure. Its text is the code's name
    alone: Locust groups failures by their text, and details often hold ids (one row each)."""

    def __init__(self, code: grpc.StatusCode, details: str | None) -> None:
        super().__init__(code.name)
        self.code = code
        self.details = details


class _CallDetails(NamedTuple):
    method: str
    timeout: float | None
    metadata: Any
    credentials: Any
    wait_for_ready: bool | None
    compression: Any


class LocustInterceptor(grpc.UnaryUnaryClientInterceptor):  # type: ignore[misc]
    """Fires Locust's ``request`` event for every unary call, after giving it a deadline."""

    def __init__(
        self, environment: Environment, timeout_s: float, failure_codes: Iterable[grpc.StatusCode]
    ) -> None:
        self._events = environment.events
        self._timeout_s = timeout_s
        self._failure_codes = frozenset(failure_codes)

    def intercept_unary_unary(
        self, continuation: Callable[[Any, Any], Any], details: Any, request: Any
    ) -> Any:
        if details.timeout is None:
            details = _CallDetails(
                details.method,
                self._timeout_s,
                details.metadata,
                details.credentials,
                details.wait_for_ready,
                details.compression,
            )
        started = time.time()
        clock = time.perf_counter()
        outcome = continuation(details, request)  # blocking: done, successful or not
        code = outcome.code()
        elapsed_ms = (time.perf_counter() - clock) * 1000.0
        ok = code == grpc.StatusCode.OK
        self._events.request.fire(
            request_type=REQUEST_TYPE,
            name=details.method.lstrip("/"),
            response_time=elapsed_ms,
            response_length=outcome.result().ByteSize() if ok else 0,
            exception=GrpcStatusFailure(code, outcome.details())
            if code in self._failure_codes
            else None,
            context={"grpc_status": code.name},
            start_time=started,
            url=None,
        )
        return outcome


class GrpcUser(User):
    """A Locust user over gRPC: set ``stub_class`` (a generated ``…Stub``), call ``self.stub``."""

    abstract = True
    stub_class: ClassVar[type[Any] | None] = None  # a generated …Stub class
    timeout_s: ClassVar[float] = DEFAULT_TIMEOUT_S
    failure_codes: ClassVar[frozenset[grpc.StatusCode]] = DEFAULT_FAILURE_CODES

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        if self.stub_class is None:
            raise TypeError(f"{type(self).__name__}: set stub_class to a generated gRPC stub")
        self._channel = grpc.insecure_channel(grpc_target(self.host))
        intercepted = grpc.intercept_channel(
            self._channel, LocustInterceptor(environment, self.timeout_s, self.failure_codes)
        )
        self.stub: Any = self.stub_class(intercepted)

    def call(self, method: Callable[..., Any], request: Any, **kwargs: Any) -> Any | None:
        """``method(request)``, or ``None`` when it ends in an error status: the call is already
        reported (as a failure when its code is one), and the task goes on, as an HttpUser's
        does after a 500, instead of raising (an iteration that raises is load that did not
        happen, and loadgate counts it against the run's trust)."""
        try:
            return method(request, **kwargs)
        except grpc.RpcError:
            return None

    def on_stop(self) -> None:
        """Closes the user's channel; a subclass's own ``on_stop`` calls ``super().on_stop()``."""
        self._channel.close()


def grpc_target(host: str | None) -> str:
    """``host:port`` to dial: ``LOADGATE_GRPC_TARGET``, else ``--host`` without ``grpc://``."""
    target = os.environ.get(ENV_GRPC_TARGET) or (host or "").removeprefix("grpc://").rstrip("/")
    if not target or "://" in target:
        raise ValueError(
            f"no gRPC target: {ENV_GRPC_TARGET} is unset and --host is {host!r}; allowed: "
            "host:port or grpc://host:port (loadgate: --grpc-target or the scenario's target.grpc)"
        )
    return target


class _Recorder:
    """A stand-in channel: a generated stub, built on it, names every method it can call."""

    def __init__(self) -> None:
        self.methods: list[str] = []

    def __getattr__(self, kind: str) -> Callable[..., None]:
        def record(method: str, *args: Any, **kwargs: Any) -> None:
            self.methods.append(method.lstrip("/"))

        return record


def stub_methods(stub_class: type[Any]) -> list[str]:
    """The RPCs a generated stub class calls (``package.Service/Method``), without a network."""
    recorder = _Recorder()
    stub_class(recorder)
    return recorder.methods


def unserved_methods(methods: Iterable[str], target: str, timeout_s: float = 5.0) -> list[str]:
    """Of ``methods`` (``package.Service/Method``), those the server at ``target`` does not
    serve, by its reflection service. Raises ``grpc.RpcError`` when it cannot be asked (no
    reflection, unreachable)."""
    from google.protobuf.descriptor_pool import DescriptorPool
    from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
        ProtoReflectionDescriptorDatabase,
    )

    with grpc.insecure_channel(target) as channel:
        grpc.channel_ready_future(channel).result(timeout=timeout_s)
        pool = DescriptorPool(ProtoReflectionDescriptorDatabase(channel))
        missing = []
        for method in methods:
            service, _, name = method.partition("/")
            try:
                known = pool.FindServiceByName(service).methods_by_name
            except KeyError:
                known = {}
            if name not in known:
                missing.append(method)
        return missing
