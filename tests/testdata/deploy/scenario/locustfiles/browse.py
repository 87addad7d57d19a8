"""The golden files' locustfile (tests/testdata/deploy/README.md): one page, named by the module
beside it, which a deployment must therefore carry too."""

from locust import HttpUser, constant, task
from pages import HOME, HOME_NAME, THINK_TIME_S


class Browser(HttpUser):
    wait_time = constant(THINK_TIME_S)

    @task
    def home(self) -> None:
        self.client.get(HOME, name=HOME_NAME)
