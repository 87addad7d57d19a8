"""Home RPCs with a 50 ms deadline: against a slower service every call ends DEADLINE_EXCEEDED."""

from locust import constant, task

from harness.load.grpc_user import GrpcUser
from services_under_test.recommender.protos import recommendations_pb2 as pb
from services_under_test.recommender.protos import recommendations_pb2_grpc as pb_grpc


class GrpcImpatient(GrpcUser):
    stub_class = pb_grpc.RecommendationsStub
    wait_time = constant(0.05)
    timeout_s = 0.05

    @task
    def home(self) -> None:
        self.call(self.stub.Home, pb.HomeRequest(user_id=11, n=10))
