"""``loadgate page --state-file PATH``: what ``loadgate page`` last told PagerDuty about each alert.

The Events API cannot be asked whether an alert is open, so the pager remembers it: with a state
file, a passing run (``--action auto``) resolves only an alert whose last recorded event was a
trigger. CI keeps the file between runs (the stability gate restores it from the Actions cache).

    {"schema": 1, "alerts": {"loadgate/gate/ci": {"state": "triggered", "run_id": "…", "at": "…"}}}

Fail closed, in the direction that never leaves a page open: an alert the file does not know
(no file yet, a cache that expired, another scenario) is resolved as before; a trigger is
recorded *before* it is sent, so one that may have arrived despite an error is resolved later.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, cast

from harness.errors import InputError, Problem
from harness.run_folder import write_atomically

__all__ = ["STATE_SCHEMA", "AlertState", "read_states", "record_state"]

STATE_SCHEMA = 1
AlertState = Literal["triggered", "resolved"]
STATES: tuple[AlertState, ...] = ("triggered", "resolved")
ALLOWED = 'allowed: a state file written by loadgate page, {"schema": 1, "alerts": {…}}'


def read_states(path: Path) -> dict[str, AlertState]:
    """Each dedup key's last recorded state; ``{}`` when the file does not exist yet.

    A file that exists but is not one ``loadgate page`` wrote is invalid input (exit 2), read
    before anything is sent: guessing would either leave a page open or resolve blindly.
    """

    def problem(field: str, message: str) -> InputError:
        return InputError([Problem(str(path), field, f"{message}; {ALLOWED}")])

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise problem("(file)", f"cannot read it ({exc})") from None
    except json.JSONDecodeError as exc:
        raise problem("(file)", f"not JSON ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(document, dict):
        raise problem("(file)", "not a JSON object")
    if document.get("schema") != STATE_SCHEMA:
        raise problem("schema", f"{document.get('schema')!r} is not {STATE_SCHEMA}")
    alerts = document.get("alerts")
    if not isinstance(alerts, dict):
        raise problem("alerts", f"{alerts!r} is not an object of dedup keys")
    states: dict[str, AlertState] = {}
    for key, entry in alerts.items():
        state = entry.get("state") if isinstance(entry, dict) else None
        if state not in STATES:
            raise problem(f"alerts.{key}.state", f"{state!r} is not one of {', '.join(STATES)}")
        states[key] = cast(AlertState, state)
    return states


def record_state(path: Path, dedup_key: str, state: AlertState, run_id: str | None) -> None:
    """Record ``dedup_key``'s new state, keeping the other alerts'; written atomically, so a job
    killed mid-write leaves the previous file, never half of one."""
    read_states(path)  # never overwrite a file that is not ours
    alerts: dict[str, object] = {}
    document: dict[str, object] = {"schema": STATE_SCHEMA, "alerts": alerts}
    if path.exists():  # read_states checked its shape: a mapping with an "alerts" mapping
        document = json.loads(path.read_text(encoding="utf-8"))
        alerts = cast(dict[str, object], document["alerts"])
    alerts[dedup_key] = {
        "state": state,
        "run_id": run_id,
        "at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
    }
    write_atomically(path, json.dumps(document, indent=2, sort_keys=True) + "\n")
