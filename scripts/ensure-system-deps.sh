#!/usr/bin/env bash
# Make sure the system programs loadgate runs for real are installed: Prometheus (with promtool)
# and Alertmanager (with amtool), for the gate and for testing generated alerting.
# As root it installs what is missing from Debian's packages; as another user it says exactly
# what to install and fails, rather than letting a run fail later with a vaguer message.
set -euo pipefail

packages=()
command -v prometheus >/dev/null 2>&1 || packages+=(prometheus)
command -v prometheus-alertmanager >/dev/null 2>&1 || packages+=(prometheus-alertmanager)
if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  packages+=(python3-venv)
fi

if [ ${#packages[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "loadgate needs these Debian packages: ${packages[*]}" >&2
  echo "install them, then run make again:  sudo apt-get install -y --no-install-recommends ${packages[*]}" >&2
  exit 1
fi

echo "installing Debian packages: ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# --no-install-recommends: no node exporter or other daemons come along. Debian's policy-rc.d in
# containers keeps the packaged prometheus service from starting; loadgate starts its own per run.
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
command -v prometheus >/dev/null
