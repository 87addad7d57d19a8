"""The terminal report: the verdict first, then why, then the numbers behind it."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from harness.report.formats import TABLE_PERCENTILES, comparison_lines, num, traffic_lines
from harness.values.result_doc import ClientDoc, ResultDoc
from harness.values.run_result import percentile_label
from harness.values.samples import endpoint_key

__all__ = ["print_report"]

STYLES = {
    "pass": "bold green",
    "warn": "bold yellow",
    "fail": "bold red",
    "inconclusive": "bold magenta",
}
SLO_STYLES = {"met": "green", "breached": "red", "no_data": "magenta"}


def print_report(console: Console, result: ResultDoc, report_path: str) -> None:
    """Render the result document (the report sinks share one source of truth)."""
    slos = Table(title="SLOs over the load window", title_justify="left")
    for column in ("SLO", "status", "SLI", "objective", "events", "burn rate"):
        slos.add_column(column, justify="left" if column in ("SLO", "status") else "right")
    for slo in result["slos"]:
        slos.add_row(
            slo["name"],
            f"[{SLO_STYLES[slo['status']]}]{slo['status']}[/]",
            num(slo["sli"], ".3%"),
            num(slo["objective"], ".3%"),
            num(slo["events"], ",.0f"),
            num(slo["burn_rate"], ".2f", "×"),
        )
    console.print(slos)
    for slo in result["slos"]:
        # How an SLO was measured, when that is not plain (a query rewritten to read the window,
        # a raw ratio's events); a no-data SLO's detail is already among the verdict's reasons.
        if slo["detail"] and slo["status"] != "no_data":
            console.print(f"  {slo['name']}: {slo['detail']}", markup=False, highlight=False)

    duet = result.get("duet")
    if client := result["client"]:
        side = ", candidate" if duet else ""
        console.print(_client_table(f"Client-side latency{side} (exact, HDR)", client))
    if duet and (baseline := duet["client"]):
        console.print(_client_table("Client-side latency, duet baseline (exact, HDR)", baseline))
    for line in traffic_lines(result):
        console.print(line, highlight=False, markup=False)
    for warning in result["generator"]["warnings"]:
        console.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False)

    if result["steps"]:
        steps = Table(title="Steps (stress)", title_justify="left")
        for column in ("step", "arrival rate", "SLOs breached"):
            steps.add_column(column, justify="right" if column != "SLOs breached" else "left")
        for step in result["steps"]:
            breached = [s["name"] for s in step["slos"] if s["status"] == "breached"]
            steps.add_row(
                str(step["index"]), f"{step['arrival_rate']:g}/s", ", ".join(breached) or "none"
            )
        console.print(steps)
        point = result["breaking_point"]
        console.print(
            f"Breaking point: {point['arrival_rate']:g} arrivals/s"
            if point
            else "No step broke an objective.",
            highlight=False,
        )

    if result["criteria"]:
        criteria = Table(title="Gate criteria", title_justify="left")
        for column in ("criterion", "observed", "bound", "change (95 % CI)", "weight", "status"):
            criteria.add_column(column, justify="left" if column == "criterion" else "right")
        for criterion in result["criteria"]:
            weight = "key" if criterion["key"] else f"{criterion['weight']:g}"
            status = f"[{STYLES.get(criterion['status'], 'magenta')}]{criterion['status']}[/]"
            criteria.add_row(
                criterion["name"],
                num(criterion["observed"], ".4g"),
                num(criterion["threshold"], "g"),
                _change(criterion["effect_pct"], criterion["confidence_interval_pct"]),
                weight,
                status,
            )
        console.print(criteria)
        if score := result["score"]:
            console.print(
                f"Gate score: [{STYLES[score['status']]}]{score['value']:.0f}%[/] "
                f"({score['earned']:g} of {score['possible']:g} points; pass ≥ {score['pass']:g}%, "
                f"warning ≥ {score['warning']:g}%)",
                highlight=False,
            )

    for line in comparison_lines(result):
        console.print(line, highlight=False, markup=False)

    verdict = result["verdict"]
    console.print(f"[{STYLES[verdict]}]{verdict.upper()}[/] (exit {result['exit_code']})")
    for reason in result["reasons"]:
        console.print(f"  • {reason}", highlight=False)
    console.print(f"Report: {report_path}", highlight=False)


def _client_table(title: str, client: ClientDoc) -> Table:
    endpoints = Table(title=title, title_justify="left")
    for column in ("endpoint", "requests", "failures"):
        endpoints.add_column(column, justify="left" if column == "endpoint" else "right")
    for key in TABLE_PERCENTILES:
        endpoints.add_column(percentile_label(key), justify="right")
    for row in [*client["endpoints"], client["total"]]:
        endpoints.add_row(
            endpoint_key(row["method"], row["name"]),
            str(row["requests"]),
            str(row["failures"]),
            *(num(row[key], ".1f", " ms") for key in TABLE_PERCENTILES),
        )
    return endpoints


def _change(effect: float | None, interval: list[float] | None) -> str:
    if effect is None:
        return "–"
    shown = f"{effect:+.1f}%"
    return f"{shown} ({interval[0]:+.1f} to {interval[1]:+.1f})" if interval else shown
