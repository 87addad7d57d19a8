#!/usr/bin/env bash
# Make sure the programs the benchmarks run (benchmarks/, `make bench`) are installed, beyond
# those of scripts/ensure-system-deps.sh: wrk (the service's saturation throughput), taskset
# (every benchmark pins its processes to a core) and ss (the distributed benchmark reads the
# master's TCP byte counts). None is needed by `make test` or `make demo`.
# As root it installs what is missing from Debian's packages; as another user it says exactly
# what to install and fails, rather than letting a benchmark fail later with a vaguer message.
set -euo pipefail

packages=()
command -v wrk >/dev/null 2>&1 || packages+=(wrk)
command -v taskset >/dev/null 2>&1 || packages+=(util-linux)
command -v ss >/dev/null 2>&1 || packages+=(iproute2)

if [ ${#packages[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "the benchmarks need these Debian packages: ${packages[*]}" >&2
  echo "install them, then run make bench again:  sudo apt-get install -y --no-install-recommends ${packages[*]}" >&2
  exit 1
fi

# No daemon comes with these packages: no policy-rc.d dance as in ensure-system-deps.sh.
echo "installing Debian packages: ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
command -v wrk >/dev/null && command -v taskset >/dev/null && command -v ss >/dev/null
