"""Reading an SLO's numbers: a query that returns several series is the SLO file's mistake, named
with the labels that tell the series apart; a raw ratio's events are asked for like a total.

Prometheus's answers come from a table (the real ones are in tests/e2e/test_slo_guards.py); the
harness's own reading of them — ``PrometheusAPI.value`` included — runs for real.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.errors import InputError
from harness.prometheus_api import PrometheusAPI, SeveralSeriesError
from harness.slo.measure import check_queries, measure_slo, raise_invalid
from harness.values.run_result import LoadWindow
from harness.values.slo import SLO


class TableAPI(PrometheusAPI):
    """Answers ``vector`` from a table keyed by a fragment of the query; no answer is no series."""

    def __init__(self, answers: dict[str, list[dict[str, Any]]]) -> None:
        super().__init__("http://127.0.0.1:9")
        self.answers = answers
        self.queries: list[str] = []

    def vector(self, query: str, at: float | None = None) -> list[dict[str, Any]]:
        self.queries.append(query)
        return next((a for fragment, a in self.answers.items() if fragment in query), [])


def series(value: float, **labels: str) -> dict[str, Any]:
    return {"metric": labels, "value": [0, str(value)]}


PER_ENDPOINT = [
    series(10, job="client", name=f"/{endpoint}", outcome="ok")
    for endpoint in ("home", "similar", "trending", "events")
]
UNSUMMED = SLO(
    name="unsummed",
    service="s",
    source="slo/unsummed.yaml",
    line=4,
    objective=0.99,
    good_query='increase(requests_total{outcome="ok"}[{{window}}])',
    total_query="sum(increase(requests_total[{{window}}]))",
)
WINDOW = LoadWindow(100.0, 110.0)


def test_several_series_are_listed_as_promql_labels_with_what_tells_them_apart() -> None:
    error = SeveralSeriesError("q", PER_ENDPOINT)

    assert error.problem == (
        'returned 4 series where one is expected: {job="client", name="/home", outcome="ok"}, '
        '{job="client", name="/similar", outcome="ok"}, '
        '{job="client", name="/trending", outcome="ok"} and 1 more (they differ in name); '
        "aggregate them into one, e.g. sum(...)"
    )
    assert str(error).startswith("the query 'q' returned 4 series")


def test_one_series_is_a_number_and_no_series_is_no_data() -> None:
    api = TableAPI({"one": [series(7, job="client")]})

    assert api.value("one") == 7.0
    assert api.value("missing") is None


def test_an_slo_query_with_several_series_after_the_load_is_an_input_error_naming_it() -> None:
    api = TableAPI({"increase(requests_total{": PER_ENDPOINT, "sum(": [series(40)]})

    measured = measure_slo(api, UNSUMMED, WINDOW)

    assert measured.good is None and measured.total is None
    assert measured.error is not None and "returned 4 series" in measured.error
    with pytest.raises(InputError) as caught:
        raise_invalid([measure_slo(TableAPI({}), UNSUMMED, WINDOW), measured])
    [problem] = caught.value.problems
    assert str(problem).startswith(
        "slo/unsummed.yaml:4: slo 'unsummed' → good query: returned 4 series"
    )


def test_a_raw_ratios_events_are_its_own_query_or_the_load_generators_requests() -> None:
    raw = SLO(name="r", service="s", source="f", objective=0.99, raw_query="ratio[{{window}}]")
    api = TableAPI({"ratio": [series(0.999)], "loadgate_client_requests_total": [series(420)]})

    measured = measure_slo(api, raw, WINDOW)

    assert (measured.raw, measured.total) == (0.999, 420.0)
    assert "sum(increase(loadgate_client_requests_total[10000ms]))" in api.queries
    own = SLO(
        name="o", service="s", source="f", objective=0.99, raw_query="ratio[{{window}}]",
        events_query="sum(increase(own_total[{{window}}]))",
    )  # fmt: skip
    api = TableAPI({"ratio": [series(0.999)], "own_total": PER_ENDPOINT[:2]})
    with pytest.raises(InputError, match="slo 'o' → events query: returned 2 series"):
        raise_invalid([measure_slo(api, own, WINDOW)])


def test_before_the_load_a_query_already_returning_several_series_is_an_input_error() -> None:
    api = TableAPI({"increase(requests_total{": PER_ENDPOINT})

    with pytest.raises(InputError) as caught:
        check_queries(api, (UNSUMMED,))

    [problem] = caught.value.problems
    assert problem.field == "slo 'unsummed' → good query"
    assert 'name="/home"' in problem.message and "they differ in name" in problem.message


def test_before_the_load_a_query_without_series_yet_passes() -> None:
    check_queries(TableAPI({}), (UNSUMMED,))
