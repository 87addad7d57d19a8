"""A gRPC target must be serving before any load: asked with the standard health service
(``grpc.health.v1.Health/Check`` for the whole server, ``""``), bounded in time.

Runs in the harness's own process, which never imports gevent: plain grpcio is safe here.
"""

from __future__ import annotations

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from harness.errors import InconclusiveError

__all__ = ["CHECK_TIMEOUT_S", "check_grpc_serving"]

CHECK_TIMEOUT_S = 3.0  # as long as an HTTP target gets to answer (service.check_target_answers)


def check_grpc_serving(target: str, what: str = "the gRPC target") -> None:
    """Returns when ``target`` (``host:port``) says SERVING; else ``InconclusiveError`` naming
    it and what it answered: there would be nothing to measure."""
    with grpc.insecure_channel(target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        try:
            answer = stub.Check(
                health_pb2.HealthCheckRequest(service=""),
                timeout=CHECK_TIMEOUT_S,
                wait_for_ready=True,  # a connection still being made is not yet a refusal
            )
        except grpc.RpcError as exc:
            code = exc.code()
            reason = (
                f"does not answer within {CHECK_TIMEOUT_S:g}s"
                if code == grpc.StatusCode.DEADLINE_EXCEEDED
                else f"answered {code.name} ({exc.details()})"
            )
            if code == grpc.StatusCode.UNIMPLEMENTED:
                reason += "; it needs the standard health service, grpc.health.v1"
            raise InconclusiveError(f"{what} {target} {reason}") from None
    if answer.status != health_pb2.HealthCheckResponse.SERVING:
        status = health_pb2.HealthCheckResponse.ServingStatus.Name(answer.status)
        raise InconclusiveError(f"{what} {target} is not serving (health: {status})")
