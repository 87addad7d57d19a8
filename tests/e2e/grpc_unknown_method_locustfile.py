"""A stub generated from another version of the .proto: it calls Homepage, which the reference
service does not serve (a hand-written stand-in for such a generated stub)."""

from locust import constant, task

from harness.load.grpc_user import GrpcUser
from services_under_test.recommender.protos import recommendations_pb2 as pb


class NewerRecommendationsStub:
    def __init__(self, channel: object) -> None:
        self.Home = channel.unary_unary(  # type: ignore[attr-defined]
            "/loadgate.recommender.v1.Recommendations/Home",
            request_serializer=pb.HomeRequest.SerializeToString,
            response_deserializer=pb.ItemList.FromString,
        )
        self.Homepage = channel.unary_unary(  # type: ignore[attr-defined]
            "/loadgate.recommender.v1.Recommendations/Homepage",
            request_serializer=pb.HomeRequest.SerializeToString,
            response_deserializer=pb.ItemList.FromString,
        )


class OutOfDate(GrpcUser):
    stub_class = NewerRecommendationsStub
    wait_time = constant(0.05)

    @task
    def homepage(self) -> None:
        self.call(self.stub.Homepage, pb.HomeRequest(user_id=11))
