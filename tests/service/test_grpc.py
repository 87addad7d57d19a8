"""The service's gRPC face as a process: the same answers as HTTP, health and reflection, faults
and metrics on both protocols, bad input as status codes, and the drain on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections.abc import Callable

import grpc
import pytest
import requests
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from services_under_test.recommender.protos import recommendations_pb2 as pb
from services_under_test.recommender.protos import recommendations_pb2_grpc as pb_grpc
from tests.conftest import free_port, wait_for

Factory = Callable[..., tuple[str, subprocess.Popen[bytes]]]
SMALL = ("--items", "2000", "--users", "500")
SERVICE = "loadgate.recommender.v1.Recommendations"
DEADLINE_S = 5.0  # every call has one: a hung call fails the test instead of hanging it


def start(
    service_factory: Factory, *flags: str
) -> tuple[str, grpc.Channel, subprocess.Popen[bytes]]:
    port = free_port()
    url, process = service_factory(*SMALL, "--grpc-port", str(port), *flags)
    return url, grpc.insecure_channel(f"127.0.0.1:{port}"), process


def rpc_counts(url: str) -> dict[tuple[str, str], float]:
    counts = {}
    for line in requests.get(f"{url}/metrics", timeout=5).text.splitlines():
        if line.startswith("rpc_server_call_duration_seconds_count{"):
            labels = dict(
                part.split("=", 1)
                for part in line[line.index("{") + 1 : line.index("}")].split(",")
            )
            key = (labels["rpc_method"].strip('"'), labels["rpc_response_status_code"].strip('"'))
            counts[key] = float(line.rsplit(" ", 1)[1])
    return counts


def measured(url: str, expected: dict[tuple[str, str], float]) -> None:
    """The server observes a call just after its status is sent: wait (bounded) for the counts."""
    wait_for(lambda: expected.items() <= rpc_counts(url).items(), 5)


def test_grpc_answers_what_http_answers_and_is_measured(service_factory: Factory) -> None:
    url, channel, _ = start(service_factory)
    stub = pb_grpc.RecommendationsStub(channel)

    home = stub.Home(pb.HomeRequest(user_id=7, n=5), timeout=DEADLINE_S)
    similar = stub.Similar(pb.SimilarRequest(item_id=11, n=4), timeout=DEADLINE_S)
    trending = stub.Trending(pb.TrendingRequest(category=2, n=3), timeout=DEADLINE_S)
    accepted = stub.RecordEvent(pb.Event(user_id=8, item_id=3, type="view"), timeout=DEADLINE_S)

    by_http = requests.get(f"{url}/v1/recommendations/home?user_id=7&n=5", timeout=5).json()
    assert [i.item_id for i in home.items] == [i["item_id"] for i in by_http["items"]]
    by_http = requests.get(f"{url}/v1/recommendations/similar?item_id=11&n=4", timeout=5).json()
    assert [i.item_id for i in similar.items] == [i["item_id"] for i in by_http["items"]]
    assert len(trending.items) == 3
    assert all(item.category == 2 for item in trending.items)
    assert accepted.accepted
    expected = {
        (f"{SERVICE}/{m}", "OK"): 1.0 for m in ("Home", "Similar", "Trending", "RecordEvent")
    }
    measured(url, expected)


def test_bad_input_is_a_status_code_naming_the_field(service_factory: Factory) -> None:
    url, channel, _ = start(service_factory)
    stub = pb_grpc.RecommendationsStub(channel)

    with pytest.raises(grpc.RpcError) as bad_n:
        stub.Home(pb.HomeRequest(user_id=1, n=500), timeout=DEADLINE_S)
    with pytest.raises(grpc.RpcError) as unknown_item:
        stub.Similar(pb.SimilarRequest(item_id=10**6), timeout=DEADLINE_S)
    with pytest.raises(grpc.RpcError) as no_such_method:
        channel.unary_unary(f"/{SERVICE}/Homepage")(b"", timeout=DEADLINE_S)

    assert bad_n.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert bad_n.value.details() == "n: 500 is not allowed; allowed: a whole number from 1 to 100"
    assert unknown_item.value.code() == grpc.StatusCode.NOT_FOUND
    assert no_such_method.value.code() == grpc.StatusCode.UNIMPLEMENTED
    expected = {
        (f"{SERVICE}/Home", "INVALID_ARGUMENT"): 1.0,
        (f"{SERVICE}/Similar", "NOT_FOUND"): 1.0,
        ("_OTHER", "UNIMPLEMENTED"): 1.0,  # a client's typo never makes a new series
    }
    measured(url, expected)


def test_health_and_reflection_name_the_service(service_factory: Factory) -> None:
    _, channel, _ = start(service_factory)

    for name in ("", SERVICE):
        answer = health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=name), timeout=DEADLINE_S
        )
        assert answer.status == health_pb2.HealthCheckResponse.SERVING
    replies = reflection_pb2_grpc.ServerReflectionStub(channel).ServerReflectionInfo(
        iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=DEADLINE_S
    )
    listed = {s.name for reply in replies for s in reply.list_services_response.service}
    assert SERVICE in listed


@pytest.mark.parametrize(
    ("flags", "code"),
    [
        (("--fault-error-rate", "1"), grpc.StatusCode.UNAVAILABLE),
        (("--fault-store-outage",), None),  # reads fall back, as over HTTP
        (("--fault-empty-results", "1"), None),
    ],
    ids=["error", "store outage", "empty results"],
)
def test_faults_act_on_grpc_as_on_http(
    service_factory: Factory, flags: tuple[str, ...], code: grpc.StatusCode | None
) -> None:
    url, channel, _ = start(service_factory, *flags)
    stub = pb_grpc.RecommendationsStub(channel)

    try:
        answer = stub.Home(pb.HomeRequest(user_id=3), timeout=DEADLINE_S)
        got = None
    except grpc.RpcError as exc:
        got = exc.code()

    assert got == code
    if "--fault-store-outage" in flags:
        assert answer.degraded and list(answer.fallbacks) == ["store"]
    if "--fault-empty-results" in flags:
        assert len(answer.items) == 0
        assert (
            requests.get(f"{url}/v1/recommendations/home?user_id=3", timeout=5).json()["items"]
            == []
        )
    http = requests.get(f"{url}/v1/recommendations/home?user_id=3", timeout=5)
    assert (http.status_code == 500) == (code is not None)


def test_injected_latency_on_a_route_slows_its_grpc_method_only(service_factory: Factory) -> None:
    _, channel, _ = start(
        service_factory, "--fault-latency", "300@1", "--fault-route", "/v1/recommendations/home"
    )
    stub = pb_grpc.RecommendationsStub(channel)
    stub.Trending(pb.TrendingRequest(), timeout=DEADLINE_S)  # the connection is made

    started = time.perf_counter()
    stub.Home(pb.HomeRequest(user_id=3), timeout=DEADLINE_S)
    home_s = time.perf_counter() - started
    started = time.perf_counter()
    stub.Trending(pb.TrendingRequest(), timeout=DEADLINE_S)
    trending_s = time.perf_counter() - started

    assert home_s >= 0.3
    assert trending_s < 0.2


def test_the_slowdown_fault_slows_grpc_calls_in_proportion(service_factory: Factory) -> None:
    # 50 ms of injected latency, slowed by 100 %: about 100 ms a call, as over HTTP.
    _, channel, _ = start(service_factory, "--fault-latency", "50@1", "--fault-slowdown", "100%")
    stub = pb_grpc.RecommendationsStub(channel)
    stub.Trending(pb.TrendingRequest(), timeout=DEADLINE_S)  # the connection is made

    started = time.perf_counter()
    stub.Trending(pb.TrendingRequest(), timeout=DEADLINE_S)
    took = time.perf_counter() - started

    assert 0.095 <= took < 0.3, took


def test_sigterm_drains_grpc_calls_in_flight(service_factory: Factory) -> None:
    url, channel, process = start(
        service_factory, "--fault-latency", "1000@1", "--fault-route", "/v1/recommendations/home"
    )
    stub = pb_grpc.RecommendationsStub(channel)
    stub.Trending(pb.TrendingRequest(), timeout=DEADLINE_S)
    outcome: dict[str, object] = {}

    def call() -> None:
        try:
            outcome["items"] = len(stub.Home(pb.HomeRequest(user_id=3), timeout=15).items)
        except grpc.RpcError as exc:
            outcome["error"] = exc.code()

    caller = threading.Thread(target=call)
    caller.start()

    def in_flight() -> bool:
        text = requests.get(f"{url}/metrics", timeout=5).text
        return "recommender_in_flight_requests 1.0" in text

    wait_for(in_flight, 10)
    process.send_signal(signal.SIGTERM)
    caller.join(timeout=15)

    assert outcome == {"items": 10}
    assert process.wait(timeout=20) == 0
