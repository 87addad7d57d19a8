#!/usr/bin/env bash
# `make lock`: requirements.lock from pyproject.toml, every dependency pinned with its hashes.
#
# pip-compile pins what pyproject.toml declares and everything that needs — except the packages
# in WITHOUT_DEPS, which are locked without their own dependencies (`make install` installs the
# lock with --no-deps). pip-compile cannot leave one package's dependencies out (pip-tools#817),
# so it runs on a copy of pyproject.toml without them, and each is put back after, pinned as
# pyproject.toml pins it (exactly), with the hashes of its files on PyPI.
#
# apache-otava: loadgate imports only its otava.analysis (numpy and scipy). Its declared
# numpy==2.2.0.* and scipy<1.17 would move our numpy and scipy back, and its command line's
# clients (google-cloud-bigquery, slack-sdk, pg8000, …) add some 27 packages loadgate never
# imports: docs/history.md, "Change-point detection".
#
# Usage: scripts/lock.sh VENV_BIN [pip-compile options …]
set -euo pipefail

WITHOUT_DEPS=(apache-otava)

bin=$(cd "$1" && pwd)
shift
repo=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

pins=()
filtered="$work/pyproject.toml"
cp pyproject.toml "$filtered"
for name in "${WITHOUT_DEPS[@]}"; do
  pin=$(grep -o "\"$name==[^\"]*\"" pyproject.toml | tr -d '"') || {
    echo "lock: pyproject.toml must pin $name exactly (\"$name==VERSION\"): it is locked without its dependencies" >&2
    exit 1
  }
  pins+=("$pin")
  grep -v "\"$name==" "$filtered" > "$work/next" && mv "$work/next" "$filtered"
done

# The copy builds like the original (its readme is read); the existing pins are kept as they are.
cp README.md requirements.lock "$work/"
(cd "$work" && "$bin/pip-compile" "$@" --output-file requirements.lock pyproject.toml)

for pin in "${pins[@]}"; do
  mkdir -p "$work/files"
  "$bin/python" -m pip download --quiet --no-deps --dest "$work/files" "$pin"
  "$bin/python" -m pip download --quiet --no-deps --no-binary :all: --dest "$work/files" "$pin"
done
# Each pin goes where pip-compile's alphabetical order puts it, in pip-compile's own format.
"$bin/python" - "$work/requirements.lock" "$work/files" "${pins[@]}" <<'PYTHON'
import hashlib, re, sys
from pathlib import Path
from packaging.utils import canonicalize_name

lock, files, pins = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
text = lock.read_text()
for pin in pins:
    name, version = pin.split("==")
    stem = f"{canonicalize_name(name).replace('-', '_')}-{version}"
    stem = stem.lower().replace("-", "_")
    found = sorted(p for p in files.iterdir() if p.name.lower().replace("-", "_").startswith(stem))
    if not found:
        sys.exit(f"lock: no file of {pin} was downloaded")
    hashes = sorted(hashlib.sha256(p.read_bytes()).hexdigest() for p in found)
    entry = f"{name}=={version} \\\n" + " \\\n".join(f"    --hash=sha256:{h}" for h in hashes)
    entry += "\n    # via loadgate (pyproject.toml)\n"
    names = [(m.start(), canonicalize_name(m.group(1)))
             for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==", text, re.MULTILINE)]
    after = next((start for start, other in names if other > canonicalize_name(name)), None)
    at = text.index("# The following packages are considered to be unsafe")
    at = min(after, at) if after is not None else at
    text = text[:at] + entry + text[at:]
lock.write_text(text)
PYTHON
cp "$work/requirements.lock" "$repo/requirements.lock"
