"""A duet's SLO queries see one side's requests: every client selector gains a side matcher."""

from __future__ import annotations

import pytest

from harness.slo.sides import one_side


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            'sum(increase(loadgate_client_requests_total{name="/v1/home", outcome="ok"}[45s]))',
            'sum(increase(loadgate_client_requests_total{side!="baseline", name="/v1/home", outcome="ok"}[45s]))',
        ),
        (
            "sum(increase(loadgate_client_requests_total[45s]))",
            'sum(increase(loadgate_client_requests_total{side!="baseline"}[45s]))',
        ),
        (
            "histogram_quantile(0.99, sum by (le) (rate(loadgate_client_request_duration_seconds_bucket {}[1m])))",
            'histogram_quantile(0.99, sum by (le) (rate(loadgate_client_request_duration_seconds_bucket{side!="baseline"}[1m])))',
        ),
        # The service's metrics and label values that merely mention a client metric stay as written.
        (
            'sum(rate(recommender_requests_total{handler="loadgate_client_requests_total"}[1m]))',
            'sum(rate(recommender_requests_total{handler="loadgate_client_requests_total"}[1m]))',
        ),
    ],
)
def test_the_candidate_side_is_selected_in_every_client_selector(query: str, expected: str) -> None:
    assert one_side(query, "candidate") == expected


def test_the_baseline_side_matches_its_label_exactly() -> None:
    assert one_side("loadgate_client_requests_total / 2", "baseline") == (
        'loadgate_client_requests_total{side="baseline"} / 2'
    )
