"""The baseline gRPC target for generator benchmarks: the reference service's Home method
answering a fixed 10-item ItemList, serialized once, from grpc.aio — as cheap as a gRPC server
in Python gets, so the generator is what saturates."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

import grpc

from services_under_test.recommender.protos import recommendations_pb2 as pb

ANSWER: bytes = pb.ItemList(
    items=[
        pb.Item(item_id=i, category=i % 7, price_cents=100 * i, in_stock=True) for i in range(10)
    ]
).SerializeToString()
HOME = "/loadgate.recommender.v1.Recommendations/Home"


async def home(request: bytes, context: Any) -> bytes:
    return ANSWER


class Hello(grpc.GenericRpcHandler):  # type: ignore[misc]
    def service(self, details: Any) -> Any:
        if details.method != HOME:
            return None
        return grpc.unary_unary_rpc_method_handler(home)  # bytes in, bytes out: no parsing


async def serve(port: int) -> None:
    server = grpc.aio.server()
    server.add_generic_rpc_handlers((Hello(),))
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    await server.wait_for_termination()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    asyncio.run(serve(parser.parse_args().port))


if __name__ == "__main__":
    main()
