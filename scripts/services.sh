#!/usr/bin/env bash
# Starts, stops or reports the real systems the notebooks compare against: PostgreSQL and Redis on
# loopback, run as an unprivileged user, with their data under .state/ (ignored by git).
#   ./scripts/services.sh start | stop | status
# Ports (override with the same variables the library reads): PostgreSQL 55432, Redis 46379, and a
# cluster-enabled Redis on 46380 for CLUSTER KEYSLOT.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${SDN_STATE_DIR:-$ROOT/.state}"
PG_PORT="${SDN_PG_PORT:-55432}"
REDIS_PORT="${SDN_REDIS_PORT:-46379}"
REDIS_CLUSTER_PORT="${SDN_REDIS_CLUSTER_PORT:-46380}"
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"

# PostgreSQL refuses to run as root (CI runs as root): use an unprivileged account there.
if [ "$(id -u)" = 0 ]; then
  RUN_USER="${SDN_SERVICE_USER:-sdn}"
  id "$RUN_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$RUN_USER"
  as_user() { runuser -u "$RUN_USER" -- "$@"; }
else
  RUN_USER="$(id -un)"
  as_user() { "$@"; }
fi

need() {
  if ! command -v "$1" >/dev/null 2>&1 && [ ! -x "$PG_BIN/$1" ]; then
    echo "services: $1 is missing; run ./setup.sh (it installs PostgreSQL and Redis from Debian's packages)." >&2
    exit 1
  fi
}

redis_up() { redis-cli -h 127.0.0.1 -p "$1" ping >/dev/null 2>&1; }

start_redis() { # port, extra args...
  local port="$1"; shift
  if redis_up "$port"; then echo "redis: already running on $port"; return; fi
  mkdir -p "$STATE/redis-$port"
  [ "$(id -u)" = 0 ] && chown "$RUN_USER" "$STATE/redis-$port"
  as_user redis-server --bind 127.0.0.1 --port "$port" --dir "$STATE/redis-$port" --daemonize yes \
    --save "" --appendonly no --protected-mode yes --pidfile "$STATE/redis-$port/redis.pid" \
    --logfile "$STATE/redis-$port/redis.log" "$@"
  for _ in $(seq 50); do redis_up "$port" && { echo "redis: started on $port"; return; }; sleep 0.1; done
  echo "redis: failed to start on $port; see $STATE/redis-$port/redis.log" >&2; exit 1
}

stop_redis() {
  if redis_up "$1"; then redis-cli -h 127.0.0.1 -p "$1" shutdown nosave >/dev/null 2>&1 || true; echo "redis: stopped $1"; fi
}

pg_up() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" >/dev/null 2>&1; }

start_postgres() {
  if pg_up; then echo "postgres: already running on $PG_PORT"; return; fi
  local data="$STATE/postgres"
  mkdir -p "$STATE"
  if [ ! -s "$data/PG_VERSION" ]; then
    mkdir -p "$data"
    [ "$(id -u)" = 0 ] && chown "$RUN_USER" "$data"
    chmod 700 "$data"
    as_user "$PG_BIN/initdb" -D "$data" -U sdn --auth=trust -E UTF8 --locale=C >/dev/null
  fi
  [ "$(id -u)" = 0 ] && chown -R "$RUN_USER" "$data"
  # The socket goes in the data folder: /var/run/postgresql belongs to the postgres account.
  as_user "$PG_BIN/pg_ctl" -D "$data" -l "$data/server.log" -w -t 30 \
    -o "-h 127.0.0.1 -p $PG_PORT -k $data -c fsync=off -c max_connections=100" start >/dev/null
  "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U sdn -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='sdn'" | grep -q 1 \
    || "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U sdn -d postgres -qc "CREATE DATABASE sdn" >/dev/null
  "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U sdn -d sdn -qc "CREATE EXTENSION IF NOT EXISTS pageinspect" >/dev/null
  echo "postgres: started on $PG_PORT (data in $data)"
}

stop_postgres() {
  if [ -s "$STATE/postgres/postmaster.pid" ]; then
    as_user "$PG_BIN/pg_ctl" -D "$STATE/postgres" -m fast -w stop >/dev/null && echo "postgres: stopped"
  fi
}

case "${1:-status}" in
  start)
    need redis-server; need pg_ctl
    start_postgres
    start_redis "$REDIS_PORT"
    start_redis "$REDIS_CLUSTER_PORT" --cluster-enabled yes --cluster-config-file "nodes-$REDIS_CLUSTER_PORT.conf"
    ;;
  stop)
    stop_redis "$REDIS_CLUSTER_PORT"; stop_redis "$REDIS_PORT"; stop_postgres
    ;;
  status)
    pg_up && echo "postgres: running on $PG_PORT" || echo "postgres: not running ($0 start)"
    for p in "$REDIS_PORT" "$REDIS_CLUSTER_PORT"; do
      redis_up "$p" && echo "redis: running on $p" || echo "redis: not running on $p ($0 start)"
    done
    ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
