"""Home-page requests only, about 20 a second per user: for tests that count one endpoint."""

from locust import FastHttpUser, constant, task


class HomeOnly(FastHttpUser):
    wait_time = constant(0.05)
    network_timeout = 10.0
    connection_timeout = 5.0

    @task
    def home(self) -> None:
        self.client.get("/v1/recommendations/home?user_id=11&n=10", name="/v1/recommendations/home")
