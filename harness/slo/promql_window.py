"""A PromQL query written without ``{{window}}``, evaluated over the load window — or refused.

OpenSLO's own examples, and most SLO files in the wild, write queries as a dashboard would:
``sum(rate(http_requests_total{code!~"5.."}[5m]))``, or with ``counter: true`` a bare counter
``sum(http_requests_total{code!~"5.."})``. loadgate measures over the load window (and alerts
over each burn window), so it rewrites such a query into one with the placeholder, by two rules
it can state and test:

1. **Range selectors that all span one duration** take the window instead:
   ``rate(x[5m])`` becomes ``rate(x[{{window}}])``. One duration throughout is what "the SLI over
   a window" looks like; the author's 5m was a dashboard's resolution, not part of the SLI. Only
   where the function reading the range aggregates over all of it (``RANGE_AGGREGATES``): rate,
   increase, delta and deriv (a counter's or a gauge's change over the range), changes and resets
   (counted over the range) and the ``*_over_time`` aggregations. ``irate``/``idelta`` (the last
   two samples), ``last_over_time`` (the last one), ``present_over_time``/``absent_over_time``
   (whether a sample exists), ``predict_linear`` (a forecast) and the rest read a point of the
   range, not the range: with the window in their brackets the SLI would still not be measured
   over the window, so they are refused, naming the function.
2. **No range selector, and the metric is a counter** (OpenSLO's ``ratioMetric.counter: true``):
   each series selector counts its events over the window, ``x{…}`` becoming
   ``increase(x{…}[{{window}}])``. A counter's value at one instant is its count since the
   process started, which no SLI means.

Everything else is refused, because any reading of it would be a guess: ranges of different
durations (which one is the SLO's?), subqueries (they sample an expression at a resolution of
their own), ``offset`` and ``@`` wherever they stand (they move the range away from the window),
a selector read at one instant beside ranges, and an instant query over a gauge (no value over a
window exists). A ratio's queries are read together (``ratio_problem``): both by one rule, over
one duration, and both per-second rates or both counts.

The query is edited in place (promql_lexer.py says why): only the brackets of a range, or the
text around a selector, change; strings, comments and spacing stay as written. Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from harness.slo.promql_lexer import PromQLSyntaxError, Token, matching, tokens
from harness.values.slo import WINDOW_PLACEHOLDER

__all__ = ["RANGE_AGGREGATES", "WindowRewrite", "over_window", "ratio_problem", "reading"]

WINDOW = "{{window}}"
ALLOWED = (
    f"the {WINDOW} placeholder where the window belongs, e.g. "
    f"sum(increase(http_requests_total[{WINDOW}])); or range selectors that all span one "
    "duration (each then spans the window); or, with counter: true, counters read at an instant "
    f"(each then counted as increase(…[{WINDOW}]))"
)
# Words that are PromQL's own and never a metric: operators, modifiers and number literals.
_KEYWORDS = {"and", "or", "unless", "bool", "atan2", "offset", "inf", "nan"}
# Keywords followed by a list of label names in parentheses (group_left and group_right may not be).
_LABEL_LISTS = {"by", "without", "on", "ignoring", "group_left", "group_right"}
_DURATION = re.compile(r"(?:\d+(?:ms|[smhdwy]))+")
_UNIT_S = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
# Functions whose result aggregates over the whole of their range: with the window as the range,
# they measure the window. (delta and deriv suit gauges; changes and resets count over the range.)
RANGE_AGGREGATES = frozenset(
    {
        "rate",
        "increase",
        "delta",
        "deriv",
        "changes",
        "resets",
        *(
            f"{what}_over_time"
            for what in ("avg", "min", "max", "sum", "count", "quantile", "stddev", "stdvar", "mad")
        ),
    }
)
# Why a function that takes a range does not measure it, for its message.
_POINT_READERS = {
    "irate": "the last two samples of its range",
    "idelta": "the last two samples of its range",
    "last_over_time": "the last sample of its range",
    "first_over_time": "the first sample of its range",
    "present_over_time": "whether its range holds a sample",
    "absent_over_time": "whether its range holds no sample",
    "predict_linear": "a forecast of a later value",
    "holt_winters": "a smoothed value weighted to the range's end",
    "double_exponential_smoothing": "a smoothed value weighted to the range's end",
}
# What a query's result is, by the functions reading its ranges: events per second, or a count.
_PER_SECOND = frozenset({"rate", "irate", "deriv"})
_COUNTS = frozenset({"increase", "changes", "resets", "count_over_time"})


@dataclass(frozen=True)
class WindowRewrite:
    """The query with ``{{window}}``, and one sentence saying what was changed and why."""

    query: str
    how: str
    rule: str = "range"  # which rule: "range" (rule 1) or "counter" (rule 2)
    span: str = ""  # rule 1: the duration its ranges spanned, as written (5m)
    seconds: float = 0.0  # … and in seconds
    written: str = ""  # the query as written, for messages


@dataclass(frozen=True)
class _Selector:
    start: int  # the selector's text: its name and matchers
    end: int
    range: tuple[Token, Token] | None  # the brackets of its range, when it has one
    function: str | None = None  # the function whose argument it is, when in one


def over_window(query: str, counter: bool | None) -> WindowRewrite:
    """``query`` (written without ``{{window}}``) made to read the window; ``ValueError`` saying
    why it cannot be, and what is allowed, when no rule above applies. ``counter``: the metric's
    OpenSLO ``counter``, None where it does not apply (a raw ratio)."""
    try:
        found = tokens(query)
    except PromQLSyntaxError as exc:
        raise ValueError(f"it cannot be read as PromQL ({exc}); allowed: {ALLOWED}") from None
    selectors, subquery, moved = _selectors(query, found)
    if moved:
        raise ValueError(
            f"{moved} moves the query's range away from the load window, which loadgate "
            f"cannot then measure over; allowed: no offset or @, and {ALLOWED}"
        )
    if subquery:
        raise ValueError(
            f"{subquery} is a subquery: it samples an expression at a resolution of its own, not "
            f"the events of the window; allowed: {ALLOWED}"
        )
    ranged = [s for s in selectors if s.range is not None]
    if ranged:
        return _ranges_to_window(query, selectors, ranged)
    if not selectors:
        raise ValueError(f"it reads no series, so nothing can be measured; allowed: {ALLOWED}")
    if counter is None:  # a raw ratio: OpenSLO ignores counter there
        raise ValueError(
            "it is an instant query, and a raw ratio read at one instant is no ratio over the "
            f"window; allowed: {ALLOWED}"
        )
    if not counter:
        raise ValueError(
            "it is an instant query and its metric is not declared a counter (counter: true), "
            "so it has no value over a window — a gauge's value at the window's end is no SLI; "
            f"allowed: {ALLOWED}"
        )
    rewritten = query
    for selector in reversed(selectors):  # from the end, so earlier offsets stay right
        text = query[selector.start : selector.end]
        rewritten = (
            f"{rewritten[: selector.start]}increase({text}[{WINDOW}]){rewritten[selector.end :]}"
        )
    return WindowRewrite(
        rewritten,
        "counter: true and no range, so each series is counted over the load window "
        f"(increase(…[{WINDOW}]))",
        rule="counter",
        written=query,
    )


def _ranges_to_window(
    query: str, selectors: list[_Selector], ranged: list[_Selector]
) -> WindowRewrite:
    spans: dict[str, float | None] = {}
    for selector in ranged:
        assert selector.range is not None
        opening, closing = selector.range
        spans.setdefault(query[opening.end : closing.start].strip(), None)
    for text in spans:
        spans[text] = _seconds(text)
        if spans[text] is None:
            raise ValueError(
                f"the range [{text}] is not a plain duration such as 5m or 1h30m; allowed: {ALLOWED}"
            )
    if len(set(spans.values())) > 1:
        shown = ", ".join(f"[{text}]" for text in spans)
        raise ValueError(
            f"its range selectors span different durations ({shown}), so which one is the SLO's "
            f"window is not said; allowed: {ALLOWED}"
        )
    for selector in ranged:
        function = selector.function or "(no function)"
        if function not in RANGE_AGGREGATES:
            assert selector.range is not None
            what = _POINT_READERS.get(function)
            does = f"reads {what}, not the whole range" if what else "does not aggregate over it"
            raise ValueError(
                f"{function}({query[selector.start : selector.range[1].end]}) {does}: with the "
                "window as its range, the SLI would still not be "
                f"measured over the window; allowed: {ALLOWED}, each read by a function that "
                f"aggregates over its range ({', '.join(sorted(RANGE_AGGREGATES))})"
            )
    instant = [s for s in selectors if s.range is None]
    if instant:
        raise ValueError(
            f"{query[instant[0].start : instant[0].end]} is read at one instant, beside range "
            f"selectors over [{next(iter(spans))}]; allowed: {ALLOWED}"
        )
    rewritten = query
    for selector in reversed(ranged):
        assert selector.range is not None
        opening, closing = selector.range
        rewritten = f"{rewritten[: opening.start]}[{WINDOW}]{rewritten[closing.end :]}"
    span = next(iter(spans))
    return WindowRewrite(
        rewritten,
        f"its range selectors all span [{span}], so each spans the load window instead",
        rule="range",
        span=span,
        seconds=spans[span] or 0.0,
        written=query,
    )


def _selectors(query: str, found: list[Token]) -> tuple[list[_Selector], str | None, str | None]:
    """Every series selector of the query; the first subquery's text and the first modifier
    (``offset``, ``@``) of a selector, or None. (Inside ``{…}`` and after ``by``, words are label
    names: ``offset`` there is no modifier.)"""
    selectors: list[_Selector] = []
    calls: list[str | None] = []  # per open parenthesis, the function it calls (None: grouping)
    i = 0
    while i < len(found):
        token, after = found[i], found[i + 1] if i + 1 < len(found) else None
        opens = after is not None and after.text == "("
        if (token.kind == "ident" and token.text.lower() == "offset") or _is(token, "@"):
            # after a function or an aggregation as after a selector (rate(x[5m]) @ 100):
            # Prometheus refuses some of these, and loadgate refuses them all, alike
            return selectors, None, token.text
        if token.kind == "ident" and token.text.lower() in _LABEL_LISTS:
            i = matching(found, i + 1) + 1 if opens else i + 1  # label names, not metrics
        elif token.kind == "ident" and (
            token.text.lower() in _KEYWORDS
            or opens  # a function or an aggregation: sum(...)
            or (after is not None and after.text in ("by", "without"))  # sum by (job) (...)
        ):
            i += 1
        elif token.kind == "ident" or _is(token, "{"):  # a series selector: name{matchers}
            if token.kind == "ident":
                end = matching(found, i + 1) if _is(after, "{") else i
            else:
                end = matching(found, i)  # {__name__="x"}, or a UTF-8 name {"my.metric"}
            selector_end = found[end].end
            i = end + 1
            bracket = None
            if i < len(found) and found[i].text == "[":
                closing = matching(found, i)
                if any(t.text == ":" for t in found[i + 1 : closing]):
                    return selectors, query[token.start : found[closing].end], None
                bracket = (found[i], found[closing])
                i = closing + 1
            function = calls[-1] if calls else None
            selectors.append(_Selector(token.start, selector_end, bracket, function))
        elif _is(token, "["):  # a bracket after an expression: a subquery
            return selectors, query[token.start : found[matching(found, i)].end], None
        else:
            if _is(token, "("):
                before = found[i - 1] if i else None
                calls.append(before.text if before is not None and before.kind == "ident" else None)
            elif _is(token, ")") and calls:
                calls.pop()
            i += 1
    return selectors, None, None


def _is(token: Token | None, text: str) -> bool:
    return token is not None and token.kind == "punct" and token.text == text


def _seconds(text: str) -> float | None:
    """A PromQL range's length: ``5m``, ``1h30m``, ``500ms``, or (Prometheus 3) seconds ``300``."""
    if _DURATION.fullmatch(text):
        return sum(
            int(number) * _UNIT_S[unit] for number, unit in re.findall(r"(\d+)(ms|[smhdwy])", text)
        )
    try:
        return float(text)
    except ValueError:
        return None


def reading(query: str) -> str | None:
    """What ``query`` counts, by the functions reading its ranges: ``"per second"`` (rate, irate,
    deriv), ``"count"`` (increase, changes, resets, count_over_time), or None when neither or
    both (nothing to compare). The placeholder may be in it; a query that is no PromQL is None."""
    try:
        found = tokens(WINDOW_PLACEHOLDER.sub("5m", query))
    except PromQLSyntaxError:
        return None
    called = {
        token.text for token, after in pairwise(found) if token.kind == "ident" and _is(after, "(")
    }
    per_second, counts = bool(called & _PER_SECOND), bool(called & _COUNTS)
    if per_second == counts:
        return None
    return "per second" if per_second else "count"


def ratio_problem(queries: dict[str, str], rewrites: dict[str, WindowRewrite | None]) -> str | None:
    """Why a ratio's queries (``good``/``bad`` and ``total``, as loadgate will run them) cannot be
    read together, or None. ``rewrites``: each role's rewrite, None where written with the
    placeholder. Rewritten alone, one query may take rule 1 and the other rule 2, or their ranges
    differ: good ``sum(rate(ok[5m]))`` and total ``sum(all)`` would become a rate over a count,
    off by the window's length in seconds. So both take one rule over one duration, and the two
    results are both per-second rates or both counts."""
    done = {role: rewrite for role, rewrite in rewrites.items() if rewrite is not None}
    rules = {rewrite.rule for rewrite in done.values()}
    roles = list(done)
    if len(rules) > 1:
        shown = " and ".join(
            f"the {role} query {_rule_text(rewrite)}" for role, rewrite in done.items()
        )
        return (
            f"{shown}: a ratio's two queries must be read over the window by one rule, or "
            "they may measure differently (a per-second rate over a count is off by the "
            "window's length in seconds); allowed: both with range selectors of one duration, "
            f"both (counter: true) counters read at an instant, or both with the {WINDOW} "
            "placeholder"
        )
    spans = {rewrite.seconds for rewrite in done.values()}
    if rules == {"range"} and len(spans) > 1:
        shown = ", ".join(f"the {role} query {done[role].written}" for role in roles)
        return (
            f"the ratio's range selectors span different durations ({shown}), so which one is "
            f"the SLO's window is not said; allowed: one duration in both queries, or the "
            f"{WINDOW} placeholder"
        )
    readings = {role: reading(query) for role, query in queries.items()}
    if {"per second", "count"} <= set(readings.values()):
        shown = " and ".join(
            f"the {role} query {queries[role]} is {_READINGS[readings[role] or '']}"
            for role in readings
        )
        return (
            f"{shown}: a ratio of a per-second rate to a count is off by the window's length "
            "in seconds; allowed: both queries rate() or both increase()"
        )
    return None


_READINGS = {"per second": "a per-second rate", "count": "a count", "": "neither"}


def _rule_text(rewrite: WindowRewrite) -> str:
    if rewrite.rule == "range":
        return (
            f"{rewrite.written} has range selectors over [{rewrite.span}] (each would span "
            "the window)"
        )
    return (
        f"{rewrite.written} reads counters at an instant (each would be counted as "
        f"increase(…[{WINDOW}]))"
    )
