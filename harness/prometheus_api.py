"""The one adapter between the harness and Prometheus's HTTP API (through prometheus-api-client).

Every call has an explicit timeout and a bounded retry, and failures become harness errors:
Prometheus unreachable, failing (5xx) or silent → ``InconclusiveError``; a query it rejects
(400, 422) → ``QueryError``; several series where one number is expected → ``SeveralSeriesError``
(a ``QueryError``). A query unanswered for ``QUERY_TIMEOUT_S`` is not retried, so a Prometheus that
accepts queries and never answers ends a run within that time.
An empty result, NaN or ±Inf is ``None`` ("no data"), never a number: missing data is not success.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import requests
from prometheus_api_client import PrometheusConnect
from prometheus_api_client.exceptions import PrometheusApiClientException
from urllib3.util.retry import Retry

from harness.errors import InconclusiveError, LoadgateError

__all__ = ["PrometheusAPI", "QueryError", "SeveralSeriesError", "on_steps", "several_series"]

QUERY_TIMEOUT_S = 10
# What Prometheus answers to a query it will not run: 400 (bad_data) and 422 (execution). Anything
# else — a 5xx, a 404 from something that is not Prometheus, an auth proxy's 401 — is a
# Prometheus that did not measure, not a wrong query.
REJECTED = frozenset({400, 422})
_STATUS = re.compile(r"HTTP Status Code (\d{3})")  # the client's only message for a non-200


class QueryError(LoadgateError):
    """Prometheus rejected a query (bad PromQL), or it returned something that is not one number."""


class SeveralSeriesError(QueryError):
    """A query returned several series where one is expected: the query is wrong (it lacks an
    aggregation), not Prometheus. ``problem`` says so without the query, for callers that name it."""

    SHOWN = 3  # series whose labels are listed; the labels they differ in name the rest

    def __init__(self, query: str, series: list[dict[str, Any]]) -> None:
        self.labels = [dict(s.get("metric", {})) for s in series]
        super().__init__(f"the query {query!r} {self.problem}")

    @property
    def problem(self) -> str:
        shown = ", ".join(_selector(labels) for labels in self.labels[: self.SHOWN])
        more = len(self.labels) - self.SHOWN
        keys = sorted({key for labels in self.labels for key in labels})
        differ = [k for k in keys if len({labels.get(k) for labels in self.labels}) > 1]
        return (
            f"returned {len(self.labels)} series where one is expected: {shown}"
            + (f" and {more} more" if more > 0 else "")
            + (f" (they differ in {', '.join(differ)})" if differ else "")
            + "; aggregate them into one, e.g. sum(...)"
        )


def several_series(query: str, result: list[Any]) -> None:
    """Raise ``SeveralSeriesError`` when an instant or range result holds more than one series."""
    series = [s for s in result if isinstance(s, dict)]  # a scalar result is [time, value]
    if len(series) > 1:
        raise SeveralSeriesError(query, series)


def _selector(labels: dict[str, str]) -> str:
    """Labels as PromQL writes them, so they can be pasted into a matcher."""
    return "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"


def on_steps(
    points: list[tuple[float, float]], start: float, end: float, step_s: float
) -> list[float | None]:
    """Place (timestamp, value) points on the steps ``start + k·step_s`` up to ``end``.

    Prometheus evaluates a range query exactly at those steps; a step it has no value for is
    missing from its answer. Without this, later values would slide into the gap's place and a
    chart or a trend would compress time.
    """
    count = int((end - start) / step_s + 1e-9) + 1 if end >= start else 0
    values: list[float | None] = [None] * count
    for timestamp, value in points:
        k = round((timestamp - start) / step_s)
        if 0 <= k < count and math.isfinite(value):
            values[k] = value
    return values


class PrometheusAPI:
    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self._client = PrometheusConnect(
            url=self.url,
            disable_ssl=False,
            # read=False: a query unanswered for QUERY_TIMEOUT_S (or cut off) is not sent again —
            # retries would triple a hung Prometheus's cost; refused connections and 502–504
            # are still retried twice.
            retry=Retry(
                total=2,
                read=False,
                backoff_factor=0.1,
                status_forcelist=[502, 503, 504],
                raise_on_status=False,
            ),
            timeout=QUERY_TIMEOUT_S,
        )

    def ready(self) -> bool:
        """True when Prometheus answers ``/-/ready`` with 200 (any other server does not)."""
        try:
            response = requests.get(f"{self.url}/-/ready", timeout=(2, 2))
        except requests.RequestException:
            return False
        return response.status_code == 200

    def vector(self, query: str, at: float | None = None) -> list[dict[str, Any]]:
        """The raw instant-vector result of ``query`` evaluated at Unix time ``at``."""
        params = {"time": f"{at:.3f}"} if at is not None else None
        with self._errors(query):
            result = self._client.custom_query(query, params=params)
        if not isinstance(result, list):
            raise QueryError(f"the query {query!r} must return an instant vector")
        return result

    def value(self, query: str, at: float | None = None) -> float | None:
        """The single number ``query`` returns at ``at``; ``None`` when there is no data.

        More than one series is an error in the query (``SeveralSeriesError``).
        """
        result = self.vector(query, at)
        if not result:
            return None
        several_series(query, result)
        number = float(result[0]["value"][1])
        return number if math.isfinite(number) else None

    def range_values(
        self, query: str, start: float, end: float, step_s: float
    ) -> list[float | None]:
        """A single-series ``query`` at each step from ``start`` to ``end``: one entry per step,
        ``None`` where Prometheus had no finite value (it leaves such steps out of its answer).
        Several series is an error in the query (``SeveralSeriesError``), as for ``value``."""
        # The client sends whole seconds; rounded here, the steps it asks for are the ones we place.
        first, last = round(start), round(end)
        with self._errors(query):
            result = self._client.custom_query_range(
                query,
                start_time=datetime.fromtimestamp(first, UTC),
                end_time=datetime.fromtimestamp(last, UTC),
                step=f"{step_s:g}s",
            )
        several_series(query, result)
        points = result[0].get("values", []) if result else []
        return on_steps([(float(t), float(v)) for t, v in points], first, last, step_s)

    @contextmanager
    def _errors(self, query: str) -> Iterator[None]:
        """The client's exceptions, as the harness's: a bad query, or Prometheus not answering."""
        try:
            yield
        except PrometheusApiClientException as exc:
            status = _STATUS.match(str(exc))
            if status is not None and int(status.group(1)) not in REJECTED:
                raise InconclusiveError(
                    f"Prometheus at {self.url} answered HTTP {status.group(1)} to a query"
                ) from None
            raise QueryError(f"Prometheus rejected the query {query!r}: {_short(exc)}") from None
        except requests.Timeout:
            raise InconclusiveError(
                f"Prometheus at {self.url} did not answer a query within {QUERY_TIMEOUT_S}s "
                "(timed out)"
            ) from None
        except (requests.RequestException, json.JSONDecodeError) as exc:
            raise InconclusiveError(
                f"Prometheus at {self.url} did not answer: {_os_error(exc) or _short(exc)}"
            ) from None


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:300]


def _os_error(exc: BaseException) -> str | None:
    """The cause at the bottom of urllib3's retries ("Connection refused"), not its long story."""
    found = re.search(r"\[Errno -?\d+\] ([^'\"()]+)", str(exc))
    return found.group(1).strip() if found else None
