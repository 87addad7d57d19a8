"""PromQL written without {{window}} (#15, point 7): read over the load window by two stated rules,
everything else refused; the query edited in place, strings and comments untouched."""

from __future__ import annotations

import pytest

from harness.slo.promql_lexer import PromQLSyntaxError, tokens
from harness.slo.promql_window import over_window

W = "{{window}}"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sum(rate(http_requests_total[5m]))", f"sum(rate(http_requests_total[{W}]))"),
        (  # every range takes the window; 5m and 300s are one duration
            "sum(rate(ok_total{a='1'}[5m])) / sum(rate(all_total[300s]))",
            f"sum(rate(ok_total{{a='1'}}[{W}])) / sum(rate(all_total[{W}]))",
        ),
        (  # aggregation clauses keep their label names; a spaced range keeps its spacing outside
            "sum by (code) (increase(x[ 1h30m ])) / ignoring(code) group_left sum(increase(y[90m]))",
            f"sum by (code) (increase(x[{W}])) / ignoring(code) group_left sum(increase(y[{W}]))",
        ),
        (
            "histogram_quantile(0.99, sum(rate(b_bucket[5m])) by (le))",
            f"histogram_quantile(0.99, sum(rate(b_bucket[{W}])) by (le))",
        ),
    ],
)
def test_range_selectors_of_one_duration_span_the_window(query: str, expected: str) -> None:
    rewrite = over_window(query, counter=False)

    assert rewrite.query == expected
    assert "span the load window" in rewrite.how or "spans the load window" in rewrite.how


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (  # OpenSLO's README: a counter read at an instant, with counter: true
            'sum(localhost_server_requests{code=~"2xx|3xx",host="*"})',
            f'sum(increase(localhost_server_requests{{code=~"2xx|3xx",host="*"}}[{W}]))',
        ),
        ('requests{code="total"}', f'increase(requests{{code="total"}}[{W}])'),
        ("sum(ok) / sum(all)", f"sum(increase(ok[{W}])) / sum(increase(all[{W}]))"),
        ('{"my.dotted.metric", job="a"}', f'increase({{"my.dotted.metric", job="a"}}[{W}])'),
        (
            'sum without (offset) (x{offset="1"})',
            f'sum without (offset) (increase(x{{offset="1"}}[{W}]))',
        ),
    ],
)
def test_counters_read_at_an_instant_count_their_increase_over_the_window(
    query: str, expected: str
) -> None:
    rewrite = over_window(query, counter=True)

    assert rewrite.query == expected
    assert "counter: true" in rewrite.how


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (  # braces and brackets inside a label value are text, not PromQL
            'sum(rate(x{path="/a{b}[5m]"}[5m]))',
            f'sum(rate(x{{path="/a{{b}}[5m]"}}[{W}]))',
        ),
        (  # an escaped quote does not end the string
            r'sum(rate(x{a="say \"}[1h]\""}[5m]))',
            r'sum(rate(x{a="say \"}[1h]\""}' + f"[{W}]))",
        ),
        (  # in backticks a backslash escapes nothing: the string ends at the next backtick
            "sum(rate(x{a=`C:\\dir}[1h]`}[5m]))",
            f"sum(rate(x{{a=`C:\\dir}}[1h]`}}[{W}]))",
        ),
        (  # a comment keeps its brackets, and its line
            "sum(rate(x[5m])) # not [1h]\n/ sum(rate(y[5m]))",
            f"sum(rate(x[{W}])) # not [1h]\n/ sum(rate(y[{W}]))",
        ),
        ("sum(rate(x{a='it\\'s'}[5m]))", f"sum(rate(x{{a='it\\'s'}}[{W}]))"),
    ],
    ids=["braces in a value", "escaped quote", "raw string", "comment", "single quotes"],
)
def test_strings_and_comments_are_left_as_written(query: str, expected: str) -> None:
    assert over_window(query, counter=False).query == expected


@pytest.mark.parametrize(
    ("query", "counter", "message"),
    [
        ("rate(x[5m]) / rate(y[1h])", False, "span different durations ([5m], [1h])"),
        ("max_over_time(rate(x[5m])[30m:1m])", False, "[30m:1m] is a subquery"),
        ("sum(rate(x[5m:]))", False, "x[5m:] is a subquery"),
        ("sum(increase(x{a='1'}[5m:1m]))", True, "x{a='1'}[5m:1m] is a subquery"),
        ("rate(x[5m] offset 1h)", False, "offset moves the query's range away"),
        ("sum(x @ end())", True, "@ moves the query's range away"),
        # after a function or an aggregation, not only after a selector
        ("rate(x[5m]) @ 100", False, "@ moves the query's range away"),
        ("sum(rate(x[5m])) offset 1h", False, "offset moves the query's range away"),
        ("sum(rate(x[5m])) / sum(y)", True, "y is read at one instant, beside range selectors"),
        ("sum(queue_depth)", False, "is an instant query and its metric is not declared a counter"),
        ("vector(1)", True, "it reads no series"),
        ("sum(ok_ratio)", None, "a raw ratio read at one instant is no ratio over the window"),
        ("sum(rate(x[5m+1m]))", False, "the range [5m+1m] is not a plain duration"),
        ('sum(rate(x{a="b}[5m]))', False, "it cannot be read as PromQL (the string opened at"),
        (
            "sum(rate(x[5m])",
            False,
            "it cannot be read as PromQL ('(' at character 4 is not closed)",
        ),
    ],
)
def test_what_cannot_be_rewritten_safely_is_refused_saying_what_is_allowed(
    query: str, counter: bool | None, message: str
) -> None:
    with pytest.raises(
        ValueError, match=r"; allowed: (no offset or @, and )?the \{\{window\}\}"
    ) as caught:
        over_window(query, counter)

    assert message in str(caught.value)


@pytest.mark.parametrize(
    "query",
    [
        "sum(delta(queue_bytes[5m]))",  # a gauge's change over the window
        "sum(increase(x[5m])) / sum(changes(y[5m]))",
        "sum(resets(x[5m]))",
        "avg(avg_over_time(up[5m]))",
        "quantile_over_time(0.9, latency_seconds[5m])",
        "sum(count_over_time(x[5m]))",
    ],
)
def test_functions_that_aggregate_over_their_range_take_the_window(query: str) -> None:
    assert over_window(query, counter=False).query == query.replace("[5m]", f"[{W}]")


@pytest.mark.parametrize(
    ("query", "function", "why"),
    [
        ("sum(irate(x[5m]))", "irate(x[5m])", "the last two samples of its range"),
        ("sum(idelta(queue[5m]))", "idelta(queue[5m])", "the last two samples of its range"),
        ("last_over_time(x{a='1'}[5m])", "last_over_time(x{a='1'}[5m])", "the last sample"),
        ("sum(present_over_time(up[5m]))", "present_over_time(up[5m])", "whether its range"),
        ("predict_linear(disk[5m], 3600)", "predict_linear(disk[5m])", "a forecast"),
    ],
)
def test_functions_that_read_a_point_of_their_range_are_refused_by_name(
    query: str, function: str, why: str
) -> None:
    with pytest.raises(ValueError) as caught:
        over_window(query, counter=False)

    message = str(caught.value)
    assert f"{function} reads {why}" in message
    assert "the SLI would still not be measured over the window" in message
    assert "allowed: the {{window}} placeholder" in message
    assert "(avg_over_time, changes, count_over_time, delta, deriv, increase" in message


def test_the_lexer_keeps_each_token_at_its_place() -> None:
    query = 'sum(x{a="}"}[5m]) # [1h]\n> 1e-3'

    found = tokens(query)

    texts = ["sum", "(", "x", "{", "a", "=", '"}"', "}", "[", "5m", "]", ")", ">", "1e-3"]
    assert [t.text for t in found] == texts
    assert all(query[t.start : t.end] == t.text for t in found)


def test_the_lexer_refuses_what_is_no_promql() -> None:
    with pytest.raises(PromQLSyntaxError, match="'}' at character 5 closes nothing"):
        tokens("sum(}")
