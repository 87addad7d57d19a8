"""The building blocks of ``report.html``, shared by the run's page and its soak section.

Escaping lives here: every cell and note is escaped unless it is ``Markup`` built from escaped
parts. The pages are built from the typed result document (harness/values/result_doc.py), so
they read it as its types say; what a run could not measure is null there, and shown as "–" or a
sentence.
"""

from __future__ import annotations

from html import escape

__all__ = ["COLOURS", "CONFIG", "NEUTRAL", "Markup", "badge", "note", "table"]

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


def badge(text: str, tone: str | None = None) -> Markup:
    """``text`` on a coloured pill; the colour is the tone's (by default the text's own)."""
    colour = COLOURS.get(tone if tone is not None else text, NEUTRAL)
    return Markup(f'<span class="badge" style="--c: {colour}">{escape(text)}</span>')


def note(text: str) -> str:
    return f'<p class="note">{escape(text)}</p>'
