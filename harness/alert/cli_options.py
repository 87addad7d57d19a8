"""The paging flags, shared by every command that can page (``loadgate page``, ``loadgate soak``).

    --page | --dry-run                   send to PagerDuty, or print what would be sent
    --pagerduty-routing-key-file PATH    else LOADGATE_PAGERDUTY_ROUTING_KEY
    --pagerduty-url URL                  else LOADGATE_PAGERDUTY_URL, else PagerDuty's (https only)

Neither ``--page`` nor ``--dry-run`` means paging is off: each command decides whether that is
allowed (``loadgate page`` refuses; a soak just records).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.alert.pager import Pager, PagingMode, make_pager
from harness.alert.transport import URL_ENV, URL_FLAG, WORST_CASE_S
from harness.secret import KEY_ENV, KEY_FILE_FLAG

__all__ = ["PagingOptions", "add_paging_arguments", "pager_for", "paging_mode", "paging_options"]


def add_paging_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--page``/``--dry-run`` (mutually exclusive), the key file and the URL to ``parser``."""
    group = parser.add_argument_group(
        "paging (see docs/paging.md)",
        f"The routing key comes from {KEY_FILE_FLAG} or ${KEY_ENV}; it is never printed.",
    )
    mode = group.add_mutually_exclusive_group()
    mode.add_argument(
        "--page",
        action="store_true",
        help=f"send events to PagerDuty (bounded retries: at most {WORST_CASE_S:g} s per event)",
    )
    mode.add_argument(
        "--dry-run",
        action="store_true",
        help="print the JSON each event would send (routing key redacted); send nothing",
    )
    group.add_argument(
        KEY_FILE_FLAG,
        dest="pagerduty_routing_key_file",
        type=Path,
        metavar="PATH",
        help=f"file holding the 32-character routing key (default: ${KEY_ENV}); chmod 600 it",
    )
    group.add_argument(
        URL_FLAG,
        dest="pagerduty_url",
        metavar="URL",
        help=f"Events API base URL, https only (default: ${URL_ENV}, else PagerDuty's)",
    )


@dataclass(frozen=True)
class PagingOptions:
    """The paging flags, as given (``mode`` from ``--page``/``--dry-run``; neither is ``off``)."""

    mode: PagingMode = "off"
    routing_key_file: Path | None = None
    url: str | None = None


def paging_options(args: argparse.Namespace) -> PagingOptions:
    return PagingOptions(
        mode=paging_mode(args),
        routing_key_file=getattr(args, "pagerduty_routing_key_file", None),
        url=getattr(args, "pagerduty_url", None),
    )


def paging_mode(args: argparse.Namespace) -> PagingMode:
    if getattr(args, "page", False):
        return "page"
    if getattr(args, "dry_run", False):
        return "dry-run"
    return "off"


def pager_for(
    options: PagingOptions,
    environ: Mapping[str, str],
    print_line: Callable[[str], None],
    **client_kwargs: Any,
) -> Pager:
    """The pager the flags ask for (raises InputError on bad configuration, naming the source)."""
    return make_pager(
        options.mode, options.routing_key_file, options.url, environ, print_line, **client_kwargs
    )
