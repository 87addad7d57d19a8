"""Every command's --help prints: argparse formats help texts with %, so a stray one crashes it."""

from __future__ import annotations

import argparse

import pytest

from harness.cli import build_parser


def _every_parser(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                found += _every_parser(child)
    return found


@pytest.mark.parametrize("parser", _every_parser(build_parser()), ids=lambda p: p.prog)
def test_help_formats(parser: argparse.ArgumentParser) -> None:
    text = parser.format_help()
    assert text.startswith("usage: ") and parser.prog in text
