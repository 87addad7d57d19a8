"""PromQL read into tokens, each with its place in the text, so a query can be edited in place.

Why a lexer of our own: the one maintained Python PromQL parser (promql-parser, Rust bindings)
prints its tree back as different text, and in 0.12 that text was wrong in two ways that matter
here: an escaped quote in a label value came back unescaped (``x{a="\\"}"}`` as ``x{a=""}"}``,
no longer PromQL) and the subquery ``x[5m:]`` came back as the range ``x[5m]``. loadgate edits
the query as the user wrote it instead — a range's brackets, or a selector wrapped — and leaves
every other character alone, so what it needs is where strings, comments and brackets are.

The tokens follow Prometheus's lexer: strings in ``"…"`` and ``'…'`` with backslash escapes or
in backticks without; ``#`` comments to the end of the line; identifiers (metric names hold
``:``); numbers and durations (``5m``, ``1h30m``, ``0x1f``, ``1e-3``); punctuation. Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["PromQLSyntaxError", "Token", "matching", "tokens"]


class PromQLSyntaxError(ValueError):
    """The text cannot be PromQL (an unterminated string, unbalanced brackets): nothing to edit."""


@dataclass(frozen=True)
class Token:
    kind: str  # "ident", "number", "string" or "punct"
    text: str
    start: int  # offset in the query
    end: int  # offset just past it


_IDENT = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
# A number or a duration: hex, or digits with a fraction and an exponent (its sign belongs to the
# number: 1e-3 is no subtraction), then the units of a duration (5m, 1h30m, 500ms).
_NUMBER = re.compile(r"0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?(?:[a-zA-Z]\w*)?")
# Longest first, so "=~" is one token and not "=" then "~".
_PUNCT = re.compile(r"=~|!~|!=|==|<=|>=|[-+*/%^<>=(){}\[\],:@]")
_PAIRS = {"(": ")", "{": "}", "[": "]"}


def tokens(query: str) -> list[Token]:
    """The tokens of ``query``, comments and whitespace left out; ``PromQLSyntaxError`` if it
    cannot be PromQL."""
    found: list[Token] = []
    i = 0
    square = 0  # inside [...] (a range or subquery) ':' separates durations, as in Prometheus
    while i < len(query):
        char = query[i]
        square += (char == "[") - (char == "]")
        if char.isspace():
            i += 1
        elif char == "#":  # a comment runs to the end of its line
            newline = query.find("\n", i)
            i = len(query) if newline < 0 else newline + 1
        elif char in "\"'`":
            end = _string_end(query, i)
            found.append(Token("string", query[i:end], i, end))
            i = end
        elif match := _NUMBER.match(query, i):
            found.append(Token("number", match.group(), i, match.end()))
            i = match.end()
        elif char == ":" and square > 0:
            found.append(Token("punct", ":", i, i + 1))
            i += 1
        elif match := _IDENT.match(query, i):
            found.append(Token("ident", match.group(), i, match.end()))
            i = match.end()
        elif match := _PUNCT.match(query, i):
            found.append(Token("punct", match.group(), i, match.end()))
            i = match.end()
        else:
            raise PromQLSyntaxError(f"{char!r} at character {i + 1} is no PromQL")
    _check_balanced(found)
    return found


def _string_end(query: str, start: int) -> int:
    """Just past the string opening at ``start``: a backslash escapes the next character,
    except in backticks (raw strings); a string does not span lines unless in backticks."""
    quote = query[start]
    i = start + 1
    while i < len(query):
        char = query[i]
        if char == "\\" and quote != "`":
            i += 2
            continue
        if char == quote:
            return i + 1
        if char == "\n" and quote != "`":
            break
        i += 1
    raise PromQLSyntaxError(f"the string opened at character {start + 1} is not closed")


def _check_balanced(found: list[Token]) -> None:
    stack: list[Token] = []
    for token in found:
        if token.kind != "punct":
            continue
        if token.text in _PAIRS:
            stack.append(token)
        elif token.text in _PAIRS.values():
            if not stack or _PAIRS[stack[-1].text] != token.text:
                raise PromQLSyntaxError(
                    f"{token.text!r} at character {token.start + 1} closes nothing it opened"
                )
            stack.pop()
    if stack:
        raise PromQLSyntaxError(
            f"{stack[-1].text!r} at character {stack[-1].start + 1} is not closed"
        )


def matching(found: list[Token], opening: int) -> int:
    """The index of the token closing the bracket at ``opening``. The tokens are balanced
    (``tokens`` checked), so the closing one is there: the loop ends at it."""
    depth = 0
    i = opening
    while True:
        token = found[i]
        if token.kind == "punct" and token.text in _PAIRS:
            depth += 1
        elif token.kind == "punct" and token.text in _PAIRS.values():
            depth -= 1
            if depth == 0:
                return i
        i += 1
