"""The building blocks of ``report.html``, shared by the run's page and its soak section.

Escaping lives here: every cell and note is escaped unless it is ``Markup`` built from escaped
parts. The readers are forgiving because result.json may come from an older or interrupted run:
a value of the wrong type reads as missing, and missing data is shown as "–" or a sentence.
"""

from __future__ import annotations

from html import escape
from typing import Any

from harness.values.samples import is_number

__all__ = [
    "COLOURS",
    "CONFIG",
    "NEUTRAL",
    "Markup",
    "badge",
    "dicts",
    "finite",
    "mapping",
    "note",
    "table",
]

COLOURS = {"pass": "#1a7f37", "met": "#1a7f37", "warn": "#9a6700", "fail": "#cf222e"}
COLOURS |= {"breached": "#cf222e", "inconclusive": "#8250df", "no_data": "#8250df"}
NEUTRAL = "#59636e"
# Plotly's mode bar without its logo and without links that would leave the page.
CONFIG = {"displaylogo": False, "responsive": True, "showLink": False, "showSendToCloud": False}


class Markup(str):
    """HTML built from escaped parts: the one kind of cell ``table`` does not escape."""


def table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{c if isinstance(c, Markup) else escape(c)}</td>" for c in row)
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def badge(text: Any, tone: str | None = None) -> Markup:
    """``text`` on a coloured pill; the colour is the tone's (by default the text's own)."""
    colour = COLOURS.get(tone if tone is not None else str(text), NEUTRAL)
    return Markup(f'<span class="badge" style="--c: {colour}">{escape(str(text))}</span>')


def note(text: str) -> str:
    return f'<p class="note">{escape(text)}</p>'


def mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def finite(values: Any) -> list[float | None]:
    """Numbers as they are; anything else (null, NaN, text) as a gap in the line."""
    if not isinstance(values, list):
        return []
    return [float(v) if is_number(v) else None for v in values]
