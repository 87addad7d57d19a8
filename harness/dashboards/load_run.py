"""The load-run dashboard: what the load generator saw beside what the service reports, per
endpoint — latency percentiles, throughput, errors — with the generator's own health (users,
dropped iterations, CPU), the traffic's quality checks, a duet's two sides, and the warm-up and
the measured window marked on every chart.

The client series are loadgate's (names from ``values/client_metrics.py``); the server series
are the reference service's, a contract of docs/architecture.md ("Reference service metrics"),
which any service following OpenTelemetry's HTTP conventions also exports.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as builders

from harness.dashboards.panels import (
    DATASOURCE,
    RATE_INTERVAL,
    PanelBuilder,
    Query,
    datasource_variable,
    timeseries_panel,
)
from harness.values.client_metrics import (
    CHECK_FAILED,
    CLIENT_CHECKS_TOTAL,
    CLIENT_DROPPED_ITERATIONS,
    CLIENT_HISTOGRAM_BUCKET,
    CLIENT_PHASE,
    CLIENT_PROCESS_CPU_TOTAL,
    CLIENT_REQUESTS_TOTAL,
    CLIENT_SESSIONS,
    CLIENT_TARGET_ARRIVAL_RATE,
    CLIENT_USERS,
    OUTCOME_ERROR,
    PHASE_LABEL,
    PHASE_WARMUP,
    PHASE_WINDOW,
    SIDE_LABEL,
)

__all__ = ["LOAD_RUN_UID", "PERCENTILES", "load_run_dashboard"]

LOAD_RUN_UID = "loadgate-load-run"
PERCENTILES = (0.5, 0.95, 0.99)
# The reference service's HTTP histogram (OpenTelemetry's name) and its labels.
SERVER_HISTOGRAM_BUCKET = "http_server_request_duration_seconds_bucket"
SERVER_REQUESTS = "http_server_request_duration_seconds_count"
SERVER_ROUTE, SERVER_STATUS = "http_route", "http_response_status_code"
SERVER_NOT_5XX = f'{SERVER_REQUESTS}{{{SERVER_STATUS}!~"5.."}}'


def load_run_dashboard() -> builders.Dashboard:
    dashboard = (
        builders.Dashboard("loadgate · load run")
        .uid(LOAD_RUN_UID)
        .description(
            "A loadgate run as it happens: client against server latency, throughput and errors "
            "per endpoint, the load generator's health, quality checks and a duet's sides. The "
            "shaded regions are the warm-up and the measured window."
        )
        .tags(["loadgate", "load"])
        .time("now-15m", "now")
        .refresh("5s")
        .with_variable(datasource_variable())
        .annotation(_phase_annotation(PHASE_WARMUP, "warm-up", "yellow"))
        .annotation(_phase_annotation(PHASE_WINDOW, "measured window", "green"))
    )
    for title, panels in _rows():
        dashboard = dashboard.with_row(builders.Row(title))
        for panel in panels:
            dashboard = dashboard.with_panel(panel)
    return dashboard


def _phase_annotation(phase: str, name: str, color: str) -> builders.AnnotationQuery:
    # A region wherever some generator process reports the phase: Grafana turns the consecutive
    # points of a Prometheus annotation query into one region. The plugin knows the window; a
    # gauge read at scrape time is the only way it reaches Prometheus, and thereby Grafana.
    return (
        builders.AnnotationQuery()
        .name(name)
        .datasource(DATASOURCE)
        .enable(True)
        .icon_color(color)
        .expr(f'max({CLIENT_PHASE}{{{PHASE_LABEL}="{phase}"}}) == 1')
    )


def _quantiles(bucket: str, by: str) -> list[Query]:
    return [
        Query(
            f"histogram_quantile({q}, sum by (le, {by}) (rate({bucket}[{RATE_INTERVAL}])))",
            f"p{q * 100:g} {{{{{by}}}}}",
        )
        for q in PERCENTILES
    ]


def _share(selector: str, by: str) -> str:
    """The share of a counter's increase that ``selector`` (the counter, narrowed) holds."""
    counter = selector.split("{", 1)[0]
    return (
        f"sum by ({by}) (rate({selector}[{RATE_INTERVAL}]))\n/\n"
        f"sum by ({by}) (rate({counter}[{RATE_INTERVAL}]))"
    )


def _rows() -> list[tuple[str, list[PanelBuilder]]]:
    rate = RATE_INTERVAL
    latency: list[PanelBuilder] = [
        timeseries_panel(
            "Client latency per endpoint",
            "What the load generator measured, from the intended start in the open model "
            "(so queueing in the generator counts).",
            "s",
            _quantiles(CLIENT_HISTOGRAM_BUCKET, "name"),
        ),
        timeseries_panel(
            "Server latency per route",
            "What the service reports about itself; the gap to the client's is the network, "
            "the generator and queueing before the handler.",
            "s",
            _quantiles(SERVER_HISTOGRAM_BUCKET, SERVER_ROUTE),
        ),
    ]
    traffic: list[PanelBuilder] = [
        timeseries_panel(
            "Throughput",
            "Requests per second, as the client completed them and as the service counted them.",
            "reqps",
            [
                Query(f"sum by (name) (rate({CLIENT_REQUESTS_TOTAL}[{rate}]))", "client {{name}}"),
                Query(
                    f"sum by ({SERVER_ROUTE}) (rate({SERVER_REQUESTS}[{rate}]))",
                    f"server {{{{{SERVER_ROUTE}}}}}",
                ),
            ],
        ),
        timeseries_panel(
            "Errors",
            "The client's failed share per endpoint, and the service's 5xx share per route.",
            "percentunit",
            [
                Query(
                    _share(f'{CLIENT_REQUESTS_TOTAL}{{outcome="{OUTCOME_ERROR}"}}', "name"),
                    "client {{name}}",
                ),
                # 1 − the share of other statuses: a route without a 5xx has no 5xx series,
                # and should read 0, not "no data".
                Query(
                    f"1 - (\n{_share(SERVER_NOT_5XX, SERVER_ROUTE)}\n)",
                    f"server {{{{{SERVER_ROUTE}}}}}",
                ),
            ],
        ),
    ]
    generator: list[PanelBuilder] = [
        timeseries_panel(
            "Users and arrivals",
            "Users running, and the open model's target arrival rate (0 in the closed model).",
            "short",
            [
                Query(f"sum({CLIENT_USERS})", "users"),
                Query(f"sum({CLIENT_TARGET_ARRIVAL_RATE})", "target arrivals/s"),
            ],
            width=8,
        ),
        timeseries_panel(
            "Dropped iterations",
            "Open-model arrivals the generator could not start within max_lateness, per "
            "second: above 1 % of the arrivals makes a run inconclusive.",
            "short",
            [Query(f"sum(rate({CLIENT_DROPPED_ITERATIONS}_total[{rate}]))", "dropped/s")],
            width=8,
        ),
        timeseries_panel(
            "Generator CPU per process",
            "Each Locust process's CPU, % of one core: above the gate's max_generator_cpu "
            "(90 by default) the run is inconclusive — the generator, not the service, was slow.",
            "percent",
            [Query(f"100 * rate({CLIENT_PROCESS_CPU_TOTAL}[{rate}])", "{{instance}}")],
            width=8,
        ),
    ]
    quality: list[PanelBuilder] = [
        timeseries_panel(
            "Quality checks failing",
            "The share of responses each locustfile check (loadgate_check) failed: what the "
            "quality SLOs judge (full, fresh, valid recommendations).",
            "percentunit",
            [
                Query(
                    _share(f'{CLIENT_CHECKS_TOTAL}{{outcome="{CHECK_FAILED}"}}', "name, check"),
                    "{{name}} {{check}}",
                )
            ],
        ),
        timeseries_panel(
            "Sessions",
            "Shopper sessions begun per second (loadgate_session).",
            "short",
            [
                Query(
                    f"sum by ({SIDE_LABEL}) (rate({CLIENT_SESSIONS}_total[{rate}]))",
                    f"sessions {{{{{SIDE_LABEL}}}}}",
                )
            ],
        ),
    ]
    duet: list[PanelBuilder] = [
        timeseries_panel(
            "Duet: client latency per side",
            "A duet's baseline and candidate, loaded at the same time by one generator "
            "(side is empty outside a duet: one line per percentile then).",
            "s",
            _quantiles(CLIENT_HISTOGRAM_BUCKET, SIDE_LABEL),
        ),
        timeseries_panel(
            "Duet: throughput and errors per side",
            "Requests per second and failed requests per second of each side.",
            "reqps",
            [
                Query(
                    f"sum by ({SIDE_LABEL}) (rate({CLIENT_REQUESTS_TOTAL}[{rate}]))",
                    f"requests {{{{{SIDE_LABEL}}}}}",
                ),
                Query(
                    f'sum by ({SIDE_LABEL}) (rate({CLIENT_REQUESTS_TOTAL}{{outcome="{OUTCOME_ERROR}"}}[{rate}]))',
                    f"errors {{{{{SIDE_LABEL}}}}}",
                ),
            ],
        ),
    ]
    return [
        ("Latency: client and server", latency),
        ("Throughput and errors", traffic),
        ("Load generator", generator),
        ("Quality", quality),
        ("Duet sides", duet),
    ]
