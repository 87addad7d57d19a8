"""The latency percentiles are named once (harness/values/run_result.py, PERCENTILE_KEYS): the
dataclasses, the typed document, its schema and every report follow that one list."""

from __future__ import annotations

import io
import re
from dataclasses import fields
from pathlib import Path

from rich.console import Console

from harness.json_shape import typed_fields
from harness.load.results import percentiles
from harness.report.console import print_report
from harness.report.html_report import render_html
from harness.report.summary_md import render_summary
from harness.values.result_doc import PercentilesDoc
from harness.values.run_result import (
    PERCENTILE_KEYS,
    PERCENTILE_RANKS,
    EndpointStats,
    Percentiles,
    percentile_label,
)
from harness.values.samples import METRICS, WINDOW_PERCENTILES
from tests.result_schema import schema
from tests.unit.test_report import result

HARNESS = Path(__file__).resolve().parents[2] / "harness"


def test_the_types_have_one_field_per_key_in_its_order() -> None:
    assert PERCENTILE_KEYS == ("p50_ms", "p90_ms", "p95_ms", "p99_ms", "p999_ms", "max_ms")
    assert tuple(f.name for f in fields(Percentiles)) == PERCENTILE_KEYS
    assert tuple(f.name for f in fields(EndpointStats))[4:10] == PERCENTILE_KEYS
    assert tuple(typed_fields(PercentilesDoc)) == PERCENTILE_KEYS
    assert tuple(schema()["$defs"]["percentiles"]["required"]) == PERCENTILE_KEYS
    assert set(PERCENTILE_KEYS) <= set(schema()["$defs"]["endpoint"]["required"])


def test_each_key_has_its_rank_and_label() -> None:
    labels = [percentile_label(key) for key in PERCENTILE_KEYS]
    assert labels == ["p50", "p90", "p95", "p99", "p99.9", "max"]
    assert WINDOW_PERCENTILES == ("p50_ms", "p95_ms", "p99_ms")
    assert METRICS[:3] == WINDOW_PERCENTILES and PERCENTILE_RANKS["max_ms"] is None


def test_an_empty_histogram_has_no_percentile() -> None:
    from hdrh.histogram import HdrHistogram

    assert percentiles(HdrHistogram(1, 60_000_000, 3)) == Percentiles(*([None] * 6))


def test_the_keys_are_spelled_only_where_one_metric_is_meant() -> None:
    """Beside the definition, a key appears only where one metric is meant: the default
    relative criteria (p50, p99), the duet's default percentiles, the p99 drift, the baseline's p99 line, the tables' choice,
    the history criterion's default metrics (p50, p99)."""
    spelled = {
        f"{path.relative_to(HARNESS)}: {line.strip()}"
        for path in HARNESS.rglob("*.py")
        for line in path.read_text(encoding="utf-8").splitlines()
        if re.search(r'"(p50|p90|p95|p99|p999|max)_ms"', line)
    }
    assert len([s for s in spelled if s.startswith("values/run_result.py")]) == 1
    assert len(spelled) <= 10, "\n".join(sorted(spelled))


def test_every_report_heads_its_columns_from_the_labels() -> None:
    document = result()
    output = io.StringIO()
    print_report(Console(file=output, width=200, color_system=None), document, "r.json")
    shown = ["p50", "p95", "p99", "p99.9", "max"]
    header = r"[\s┃]+".join(["endpoint", "requests", "failures", *map(re.escape, shown)])
    assert re.search(header, output.getvalue())
    assert "".join(f"<th>{label}</th>" for label in shown) in render_html(document)
    assert "| endpoint | requests | failures | p50 | p95 | p99 | max |" in render_summary(document)
