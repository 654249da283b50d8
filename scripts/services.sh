#!/usr/bin/env bash
# Starts, stops or reports the real systems the notebooks compare against: PostgreSQL and Redis on
# loopback, run as the current user (as an unprivileged `sdn` account when run as root: PostgreSQL refuses
# root), with their data under .state/ (ignored by git).
#   ./scripts/services.sh start | stop | status | env
# Ports: PostgreSQL 55432, Redis 46379, and a cluster-enabled Redis on 46380 (for CLUSTER KEYSLOT).
# Override with SDN_PG_PORT, SDN_REDIS_PORT, SDN_REDIS_CLUSTER_PORT, or with the variables the library
# reads (SDN_POSTGRES "…;Port=N;…", SDN_REDIS and SDN_REDIS_CLUSTER "host:N"); SDN_STATE_DIR moves the data.
# `env` prints the SDN_POSTGRES/SDN_REDIS/SDN_REDIS_CLUSTER exports that match these ports, for
# `eval "$(./scripts/services.sh env)"` before running the tests or Jupyter on other ports.
set -euo pipefail
umask 022
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"

port_of_connection_string() { printf '%s' "${1:-}" | tr ';' '\n' | sed -n 's/^ *[Pp][Oo][Rr][Tt] *= *\([0-9][0-9]*\) *$/\1/p' | head -n 1; }
port_of_endpoint() { local first="${1%%,*}"; case "$first" in *:*) printf '%s' "${first##*:}" ;; esac; }

PG_PORT="${SDN_PG_PORT:-$(port_of_connection_string "${SDN_POSTGRES:-}")}"; PG_PORT="${PG_PORT:-55432}"
REDIS_PORT="${SDN_REDIS_PORT:-$(port_of_endpoint "${SDN_REDIS:-}")}"; REDIS_PORT="${REDIS_PORT:-46379}"
REDIS_CLUSTER_PORT="${SDN_REDIS_CLUSTER_PORT:-$(port_of_endpoint "${SDN_REDIS_CLUSTER:-}")}"; REDIS_CLUSTER_PORT="${REDIS_CLUSTER_PORT:-46380}"
for p in "$PG_PORT" "$REDIS_PORT" "$REDIS_CLUSTER_PORT"; do
  case "$p" in ''|*[!0-9]*) echo "services: '$p' is not a port number" >&2; exit 2 ;; esac
done

STATE="${SDN_STATE_DIR:-$ROOT/.state}"
case "$STATE" in /*) ;; *) STATE="$PWD/$STATE" ;; esac

if [ "$(id -u)" = 0 ]; then
  RUN_USER="${SDN_SERVICE_USER:-sdn}"
  # `cd /`: the servers must not start in a folder their account cannot enter (e.g. /root).
  as_user() { (cd / && runuser -u "$RUN_USER" -- "$@"); }
else
  RUN_USER="$(id -un)"
  as_user() { "$@"; }
fi

ensure_run_user() { # root only: the account the servers run as, and a data folder it can reach
  [ "$(id -u)" = 0 ] || return 0
  id "$RUN_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$RUN_USER"
  local d="$STATE"
  while [ ! -d "$d" ]; do d="$(dirname "$d")"; done
  if ! as_user test -x "$d"; then
    if [ -n "${SDN_STATE_DIR:-}" ]; then
      echo "services: the '$RUN_USER' account cannot enter $d; choose an SDN_STATE_DIR it can reach" >&2; exit 1
    fi
    # A clone under a private home (/root is mode 700): keep the data where the account can reach it.
    STATE="/var/lib/sdn-notebooks/$(printf '%s' "$ROOT" | sha1sum | cut -c1-12)"
    echo "services: '$RUN_USER' cannot enter $ROOT; server data goes to $STATE"
  fi
}

need() {
  if ! command -v "$1" >/dev/null 2>&1 && [ ! -x "$PG_BIN/$1" ]; then
    echo "services: $1 is missing; run ./setup.sh (it installs PostgreSQL and Redis from Debian's packages)." >&2
    exit 1
  fi
}

own() { [ "$(id -u)" = 0 ] && chown -R "$RUN_USER" "$@"; return 0; }

redis_up() { redis-cli -h 127.0.0.1 -p "$1" ping >/dev/null 2>&1; }

redis_pid() { redis-cli -h 127.0.0.1 -p "$1" info server 2>/dev/null | tr -d '\r' | sed -n 's/^process_id://p'; }

start_redis() { # port [cluster]
  local port="$1" mode="${2:-}" dir="$STATE/redis-$1"
  local extra=()
  [ "$mode" = cluster ] && extra=(--cluster-enabled yes --cluster-config-file "nodes-$port.conf")
  if redis_up "$port"; then
    echo "redis: already running on $port"
  else
    mkdir -p "$dir"; own "$dir"
    as_user redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --daemonize yes \
      --save "" --appendonly no --protected-mode yes --pidfile "$dir/redis.pid" \
      --logfile "$dir/redis.log" ${extra[@]+"${extra[@]}"}
      for _ in $(seq 50); do redis_up "$port" && break; sleep 0.1; done
    if ! redis_up "$port"; then
      echo "redis: failed to start on $port; last lines of $dir/redis.log:" >&2
      tail -n 10 "$dir/redis.log" >&2 2>/dev/null || true
      exit 1
    fi
    echo "redis: started on $port"
  fi
  # A server this script did not start may hold the port: say so now rather than let experiments fail later.
  if [ "$mode" = cluster ] && ! redis-cli -h 127.0.0.1 -p "$port" info cluster 2>/dev/null | grep -q '^cluster_enabled:1'; then
    echo "redis: the server on $port is not cluster-enabled (not one this script started); stop it or set SDN_REDIS_CLUSTER_PORT" >&2
    exit 1
  fi
}

stop_redis() { # only a server started from this state folder: others may share the machine
  local port="$1" dir="$STATE/redis-$1"
  redis_up "$port" || return 0
  if [ "$(redis_pid "$port")" != "$(cat "$dir/redis.pid" 2>/dev/null)" ]; then
    echo "redis: the server on $port was not started from $STATE; leaving it running"
    return 0
  fi
  redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || true
  for _ in $(seq 50); do redis_up "$port" || break; sleep 0.1; done
  if redis_up "$port"; then echo "redis: $port did not stop" >&2; return 1; fi
  echo "redis: stopped $port"
}

psql_sdn() { PGOPTIONS="-c client_min_messages=warning" "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U sdn "$@"; }
pg_up() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" >/dev/null 2>&1; }

start_postgres() {
  local data="$STATE/postgres"
  if pg_up; then
    echo "postgres: already running on $PG_PORT"
  else
    if [ ! -s "$data/PG_VERSION" ]; then
      mkdir -p "$data"; own "$data"; chmod 700 "$data"
      as_user "$PG_BIN/initdb" -D "$data" -U sdn --auth=trust -E UTF8 --locale=C >/dev/null
    fi
    own "$data"
    # The socket goes in the data folder (/var/run/postgresql belongs to the postgres account); a socket
    # path longer than the system's limit (107 bytes) would stop the server, so then there is none: the
    # notebooks and psql use TCP on loopback anyway.
    local socket="$data"
    [ "${#data}" -le 90 ] || socket=""
    if ! as_user "$PG_BIN/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
         -o "-h 127.0.0.1 -p $PG_PORT -k '$socket' -c fsync=off -c max_connections=100" start >/dev/null; then
      echo "postgres: failed to start on $PG_PORT; last lines of $data/server.log:" >&2
      tail -n 15 "$data/server.log" >&2 2>/dev/null || true
      exit 1
    fi
    echo "postgres: started on $PG_PORT (data in $data)"
  fi
  # Every time, so that a server left half-prepared is finished, and one that is not ours is reported.
  if ! psql_sdn -d postgres -tAc "SELECT 1" >/dev/null 2>&1; then
    echo "postgres: the server on $PG_PORT has no role 'sdn' (not one this script started); stop it or set SDN_PG_PORT" >&2
    exit 1
  fi
  psql_sdn -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='sdn'" | grep -q 1 \
    || psql_sdn -d postgres -c "CREATE DATABASE sdn" >/dev/null
  psql_sdn -d sdn -c "CREATE EXTENSION IF NOT EXISTS pageinspect" >/dev/null
}

stop_postgres() {
  local data="$STATE/postgres"
  [ -s "$data/PG_VERSION" ] || return 0
  if as_user "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    if ! as_user "$PG_BIN/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null; then
      echo "postgres: did not stop; see $data/server.log" >&2
      return 1
    fi
    echo "postgres: stopped $PG_PORT"
  fi
}

print_env() {
  local pg="Host=127.0.0.1;Port=$PG_PORT;Username=sdn;Database=sdn;Timeout=3;Command Timeout=60;Pooling=false"
  printf 'export SDN_POSTGRES=%q\n' "${SDN_POSTGRES:-$pg}"
  printf 'export SDN_REDIS=%q\n' "${SDN_REDIS:-127.0.0.1:$REDIS_PORT}"
  printf 'export SDN_REDIS_CLUSTER=%q\n' "${SDN_REDIS_CLUSTER:-127.0.0.1:$REDIS_CLUSTER_PORT}"
}

case "${1:-status}" in
  start)
    need redis-server; need redis-cli; need pg_ctl
    ensure_run_user
    start_postgres
    start_redis "$REDIS_PORT"
    start_redis "$REDIS_CLUSTER_PORT" cluster
    ;;
  stop)
    ensure_run_user
    rc=0
    if command -v redis-cli >/dev/null 2>&1; then
      stop_redis "$REDIS_CLUSTER_PORT" || rc=1
      stop_redis "$REDIS_PORT" || rc=1
    fi
    if [ -x "$PG_BIN/pg_ctl" ]; then stop_postgres || rc=1; fi
    exit "$rc"
    ;;
  status)
    if [ -x "$PG_BIN/pg_isready" ] && pg_up; then echo "postgres: running on $PG_PORT"; else echo "postgres: not running on $PG_PORT ($0 start)"; fi
    for p in "$REDIS_PORT" "$REDIS_CLUSTER_PORT"; do
      if command -v redis-cli >/dev/null 2>&1 && redis_up "$p"; then echo "redis: running on $p"; else echo "redis: not running on $p ($0 start)"; fi
    done
    ;;
  env) print_env ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
