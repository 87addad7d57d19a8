"""Where a history lives: a file path (SQLite) or a ``postgresql://`` URL, and how it is shown.

A URL may carry a password (``postgresql://ci:s3cret@db/loadgate``, or ``?password=…``). It is
needed to connect and nowhere else: every message, report line and exception names the location
through ``redact`` (``postgresql://ci:***@db/loadgate``), and text from the driver goes through
``scrub`` before anyone sees it.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from harness.errors import Problem

__all__ = [
    "DEFAULT_HISTORY",
    "HISTORY_HELP",
    "REDACTED",
    "is_postgres_url",
    "is_url",
    "location_problems",
    "redact",
    "scrub",
]

# Where `loadgate history import|show` look when no --history is given: beside the run folders
# that `loadgate run` writes under reports/ by default.
DEFAULT_HISTORY = "reports/history.sqlite"
HISTORY_HELP = (
    "the run history: a file (SQLite; created when missing) or a postgresql://user@host/db URL"
)
REDACTED = "***"
POSTGRES_SCHEMES = ("postgresql", "postgres")  # the two spellings libpq accepts
ALLOWED = (
    "allowed: a file path (an SQLite history, created when missing) or a "
    "postgresql://user[:password]@host[:port]/database URL"
)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")
_PASSWORD_PARAMETER = re.compile(r"(?i)((?:^|&)password=)[^&]*")


def is_url(location: str) -> bool:
    """A ``scheme://…`` location (of any scheme): never a path."""
    return _SCHEME.match(location) is not None


def is_postgres_url(location: str) -> bool:
    match = _SCHEME.match(location)
    return match is not None and match.group(1).lower() in POSTGRES_SCHEMES


def location_problems(location: str, source: str, field: str) -> list[Problem]:
    """What is wrong with a location as written, before anything is opened: an empty one, a URL
    of another database, a path that is a folder. ``source``/``field`` say where it was given."""
    shown = redact(location)
    if not location.strip():
        return [Problem(source, field, f"is empty; {ALLOWED}")]
    scheme = _SCHEME.match(location)
    if scheme and not is_postgres_url(location):
        return [Problem(source, field, f"{shown!r}: {scheme.group(1)}:// is not a history "
                        f"loadgate can keep; {ALLOWED}")]  # fmt: skip
    if scheme:
        try:
            urlsplit(location).port  # noqa: B018 - reading it checks it
        except ValueError as exc:
            return [Problem(source, field, f"{shown!r}: {exc}; {ALLOWED}")]
        return []
    if Path(location).is_dir():
        return [Problem(source, field, f"{shown!r} is a folder; {ALLOWED}, e.g. {DEFAULT_HISTORY}")]
    return []


def redact(location: str) -> str:
    """The location as it may be shown: a URL's password (in its user part or its query) becomes
    ``***``; a path is shown as it is."""
    if not _SCHEME.match(location):
        return location
    scheme, rest = location.split("://", 1)
    authority, slash, tail = rest.partition("/")
    if "@" in authority:
        user_info, host = authority.rsplit("@", 1)
        if ":" in user_info:
            authority = f"{user_info.split(':', 1)[0]}:{REDACTED}@{host}"
    path, question, query = tail.partition("?")
    query = _PASSWORD_PARAMETER.sub(lambda m: m.group(1) + REDACTED, query)
    return f"{scheme}://{authority}{slash}{path}{question}{query}"


def scrub(text: str, location: str) -> str:
    """``text`` (a driver's error message, say) with the location's password taken out, in
    whichever spelling it appears: as written in the URL or percent-decoded."""
    text = text.replace(location, redact(location))
    for secret in _passwords(location):
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def _passwords(location: str) -> set[str]:
    if not _SCHEME.match(location):
        return set()
    found: set[str] = set()
    authority = location.split("://", 1)[1].partition("/")[0]
    if "@" in authority:
        user_info = authority.rsplit("@", 1)[0]
        if ":" in user_info:
            found.add(user_info.split(":", 1)[1])
    for match in re.finditer(r"(?i)(?:^|[?&])password=([^&]*)", location):
        found.add(match.group(1))
    return found | {unquote(secret) for secret in found}
