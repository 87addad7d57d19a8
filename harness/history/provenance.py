"""Which code a run tested: the commit, the branch and the CI run, as far as loadgate can tell.

Found when the run starts and written into its result.json (``provenance``), so the history
learns it from the file — also when the file is imported long after, from another checkout,
where asking git then would name the wrong commit. Each field on its own:

- in GitHub Actions: ``GITHUB_SHA`` (on a pull request, the merge commit the workflow checked
  out: the code that ran); the branch is ``GITHUB_HEAD_REF`` (a pull request's) or else
  ``GITHUB_REF_NAME``; the run's page is ``GITHUB_SERVER_URL/GITHUB_REPOSITORY/actions/runs/GITHUB_RUN_ID``;
- else git in the working directory, when it is a checkout (a detached HEAD has no branch);
- else ``None``: not known, never guessed.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path

from harness.values.result_doc import ProvenanceDoc

__all__ = ["GIT_TIMEOUT_S", "detect_provenance"]

GIT_TIMEOUT_S = 5.0


def detect_provenance(environ: Mapping[str, str], cwd: Path) -> ProvenanceDoc:
    commit = environ.get("GITHUB_SHA") or _git(cwd, "rev-parse", "--verify", "HEAD")
    branch = (
        environ.get("GITHUB_HEAD_REF")  # set, non-empty, on pull requests only
        or environ.get("GITHUB_REF_NAME")
        or _git(cwd, "symbolic-ref", "--quiet", "--short", "HEAD")
    )
    return {"commit": commit, "branch": branch, "ci_url": _actions_run_url(environ)}


def _actions_run_url(environ: Mapping[str, str]) -> str | None:
    parts = [
        environ.get(name, "")
        for name in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")
    ]
    if not all(parts):
        return None
    server, repository, run_id = parts
    return f"{server.rstrip('/')}/{repository}/actions/runs/{run_id}"


def _git(cwd: Path, *args: str) -> str | None:
    """git's one-line answer, or ``None``: not a checkout, no git, no answer in time."""
    try:
        done = subprocess.run(
            ["git", "-C", str(cwd), *args],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    answer = done.stdout.strip()
    return answer if done.returncode == 0 and answer else None
