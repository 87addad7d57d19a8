"""``loadgate history show`` as text: the terminal (rich) and markdown (a CI step summary).

One table per scenario and traffic — a row per series with its sparkline, newest last — then each
change point on its own line naming its first run, then creep, each a sentence
(harness/history/sentences.py writes them all, so both outputs say the same).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from harness.history.sentences import SERIES_HEADERS, findings_lines, series_cells, traffic_title
from harness.history.trends import TrafficGroup

__all__ = ["print_history", "render_history_markdown"]

NUMBERS = ("runs", "latest", "vs first")  # right-aligned columns
STYLES = {"change point": "bold", "creep": "yellow"}
ICONS = {"change point": "📍", "creep": "📈"}


def print_history(console: Console, groups: Sequence[TrafficGroup], min_runs: int) -> None:
    for group in groups:
        table = Table(title=traffic_title(group), title_justify="left")
        for header in SERIES_HEADERS:
            table.add_column(header, justify="right" if header in NUMBERS else "left")
        for series in group.series:
            table.add_row(*series_cells(series))
        console.print(table)
        for kind, line in findings_lines(group, min_runs):
            label = f"[{STYLES[kind]}]{kind}[/] " if kind in STYLES else ""
            console.print(f"  {label}{escape(line)}", highlight=False, soft_wrap=True)


def render_history_markdown(
    groups: Sequence[TrafficGroup], min_runs: int, title: str = "Run history"
) -> str:
    """The same as markdown: a heading per traffic, its table, its findings as a list."""
    lines = [f"## {title}", ""]
    for group in groups:
        lines += [f"### {_cell(traffic_title(group))}", ""]
        if group.series:
            lines.append("| " + " | ".join(SERIES_HEADERS) + " |")
            lines.append(
                "|" + "|".join("---:" if h in NUMBERS else "---" for h in SERIES_HEADERS) + "|"
            )
            lines += ["| " + " | ".join(map(_cell, series_cells(s))) + " |" for s in group.series]
            lines.append("")
        for kind, line in findings_lines(group, min_runs):
            label = f"{ICONS[kind]} **{kind}**: " if kind in ICONS else ""
            lines.append(f"- {label}{_cell(line)}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _cell(text: str) -> str:
    """Markdown that stays text: a pipe would end a cell, `<` could start HTML."""
    return text.replace("|", "\\|").replace("<", "&lt;")
