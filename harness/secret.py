"""The PagerDuty routing key: loaded once, validated, and kept out of every message and log line.

A routing key lets anyone who holds it open incidents on the service it belongs to, so it is held
by ``RoutingKey``, whose ``repr``/``str``/``format`` say ``<redacted>``. The one place that hands it
to the PagerDuty client calls ``reveal()``; text that might contain it (the client's error
messages, which print its last four characters as ``*XXXX``) goes through ``scrub()`` first.

Sources (the paging contract in docs/architecture.md): the file named by
``--pagerduty-routing-key-file`` wins over the environment variable ``LOADGATE_PAGERDUTY_ROUTING_KEY``.
Every error names the source and what is allowed — never the value.
"""

from __future__ import annotations

import logging
import stat
from collections.abc import Mapping
from pathlib import Path

from harness.errors import InputError, Problem

__all__ = [
    "KEY_ENV",
    "KEY_FILE_FLAG",
    "KEY_LENGTH",
    "REDACTED",
    "RoutingKey",
    "load_routing_key",
    "routing_key_configured",
]

log = logging.getLogger(__name__)

KEY_ENV = "LOADGATE_PAGERDUTY_ROUTING_KEY"
KEY_FILE_FLAG = "--pagerduty-routing-key-file"
KEY_LENGTH = 32  # the Events API v2 integration key
REDACTED = "<redacted>"
MIN_SCRUBBED = 4  # the client prints the last 4 characters of a key; shorter runs are noise
ALLOWED = (
    f"allowed: the {KEY_LENGTH}-character Events API v2 integration key "
    "(surrounding whitespace is ignored)"
)


class RoutingKey:
    """A PagerDuty Events API v2 routing key that never prints itself."""

    __slots__ = ("__value", "_fragments")

    def __init__(self, value: str) -> None:
        self.__value = value
        # Every substring of at least MIN_SCRUBBED characters, so that any piece of the key the
        # client might print (its "*XXXX" form, a truncated body echoing it) is found.
        self._fragments = frozenset(
            value[start:end]
            for start in range(len(value))
            for end in range(start + MIN_SCRUBBED, len(value) + 1)
        )

    def reveal(self) -> str:
        """The key itself: only for handing to the PagerDuty client."""
        return self.__value

    def scrub(self, text: str) -> str:
        """``text`` with the key, and any run of ≥ 4 of its characters, replaced by ``<redacted>``."""
        if not self._fragments:
            return text
        longest = len(self.__value)
        out: list[str] = []
        i = 0
        while i < len(text):
            match = next(
                (
                    length
                    for length in range(min(longest, len(text) - i), MIN_SCRUBBED - 1, -1)
                    if text[i : i + length] in self._fragments
                ),
                0,
            )
            if match:
                out.append(REDACTED)
                i += match
            else:
                out.append(text[i])
                i += 1
        return "".join(out)

    def __repr__(self) -> str:
        return REDACTED

    def __str__(self) -> str:
        return REDACTED

    def __format__(self, format_spec: str) -> str:
        return REDACTED

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RoutingKey) and other.__value == self.__value

    def __hash__(self) -> int:
        return hash(self.__value)

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("a RoutingKey is not pickled (it would carry the key with it)")


def routing_key_configured(file: Path | None, environ: Mapping[str, str]) -> bool:
    """Whether a key was given at all: a key file, or the environment variable (set, non-empty)."""
    return file is not None or bool(environ.get(KEY_ENV, "").strip())


def load_routing_key(file: Path | None, environ: Mapping[str, str]) -> RoutingKey:
    """The routing key from ``file`` if given, else from ``LOADGATE_PAGERDUTY_ROUTING_KEY``.

    Raises InputError naming the source (never the value) when neither is set or the key is not
    32 characters. A key file that group or others can read is used, with a warning.
    """
    if file is not None:
        return _validated(_read_key_file(file), str(file), KEY_FILE_FLAG)
    if KEY_ENV not in environ:
        raise InputError(
            [
                Problem(
                    "environment",
                    KEY_ENV,
                    f"no PagerDuty routing key: set {KEY_ENV} or pass {KEY_FILE_FLAG} PATH; "
                    + ALLOWED,
                )
            ]
        )
    return _validated(environ[KEY_ENV], "environment", KEY_ENV)


def _read_key_file(file: Path) -> str:
    try:
        mode = file.stat().st_mode
        if not stat.S_ISREG(mode):
            raise IsADirectoryError("not a regular file")
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc.args[0])
        if isinstance(exc, UnicodeDecodeError):
            reason = "not UTF-8 text"
        raise InputError(
            [
                Problem(
                    str(file),
                    KEY_FILE_FLAG,
                    f"cannot read the routing key file ({reason}); {ALLOWED}",
                )
            ]
        ) from None
    if stat.S_IMODE(mode) & 0o077:
        log.warning(
            "%s is accessible by group or others (mode %04o): anyone who can read it can open "
            "incidents; run: chmod 600 %s",
            file,
            stat.S_IMODE(mode),
            file,
        )
    return text


def _validated(raw: str, source: str, field: str) -> RoutingKey:
    value = raw.strip()
    if not value:
        problem = "is empty" + (" (a CI secret that is not defined?)" if field == KEY_ENV else "")
    elif len(value) != KEY_LENGTH:
        problem = f"holds {len(value)} characters, not {KEY_LENGTH}"
    elif not value.isascii() or not value.isprintable() or any(c.isspace() for c in value):
        problem = "holds whitespace, control or non-ASCII characters"
    else:
        return RoutingKey(value)
    raise InputError([Problem(source, field, f"the routing key {problem}; {ALLOWED}")])
