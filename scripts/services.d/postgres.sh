# PostgreSQL, the primary: user and database `sdn` (trust on loopback), `pageinspect` installed.
# Port 55432 (SDN_PG_PORT, or the Port= of SDN_POSTGRES). Data: $STATE/postgres.
SERVICE_PACKAGES="postgresql postgresql-contrib"
SERVICE_REQUIRES=""
PG_PORT="$(port_var SDN_PG_PORT 55432 "$(port_of_connection_string "${SDN_POSTGRES:-}")")"
PG_DATA="$STATE/postgres"

psql_at() { # port, psql arguments…
  local port="$1"; shift
  PGCONNECT_TIMEOUT=5 PGOPTIONS="-c client_min_messages=warning" "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$port" -U sdn "$@"
}
psql_sdn() { psql_at "$PG_PORT" "$@"; }
pg_up_at() { [ -x "$PG_BIN/pg_isready" ] && "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$1" >/dev/null 2>&1; }
pg_socket_for() { # the socket goes in the data folder, unless its path would be too long (107 bytes)
  if [ "${#1}" -le 90 ]; then printf '%s' "$1"; fi
}
pg_pid_of() { pid_from "$1/postmaster.pid"; }

service_members() { echo "primary $PG_PORT"; }
service_pid() { pg_pid_of "$PG_DATA"; }
service_up() { pg_up_at "$PG_PORT"; }

service_start() {
  need pg_ctl initdb psql pg_isready
  if pg_up_at "$PG_PORT"; then
    say "already running on $PG_PORT"
  else
    if [ ! -s "$PG_DATA/PG_VERSION" ]; then
      mkdir -p "$PG_DATA"; own "$PG_DATA"; chmod 700 "$PG_DATA"
      as_user "$PG_BIN/initdb" -D "$PG_DATA" -U sdn --auth=trust -E UTF8 --locale=C >/dev/null
    fi
    own "$PG_DATA"
    # The socket goes in the data folder (/var/run/postgresql belongs to the postgres account); a path
    # too long for a socket would stop the server, so then there is none: everything uses TCP on loopback.
    if ! as_user "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -t 60 \
         -o "-h 127.0.0.1 -p $PG_PORT -k '$(pg_socket_for "$PG_DATA")' -c fsync=off -c max_connections=100" start >/dev/null; then
      echo "postgres: failed to start on $PG_PORT; last lines of $PG_DATA/server.log:" >&2
      tail -n 15 "$PG_DATA/server.log" >&2 2>/dev/null || true
      exit 1
    fi
    say "started on $PG_PORT (data in $PG_DATA)"
  fi
  # Every time, so that a server left half-prepared is finished, and one that is not ours is reported.
  if ! psql_sdn -d postgres -tAc "SELECT 1" >/dev/null 2>&1; then
    fail "the server on $PG_PORT has no role 'sdn' (not one this script started); stop it or set SDN_PG_PORT"
  fi
  psql_sdn -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='sdn'" | grep -q 1 \
    || psql_sdn -d postgres -c "CREATE DATABASE sdn" >/dev/null
  psql_sdn -d sdn -c "CREATE EXTENSION IF NOT EXISTS pageinspect" >/dev/null
  # An experiment that made the standby synchronous and died before undoing it would leave every commit
  # waiting for a standby that may be down: a start clears it.
  if [ -n "$(psql_sdn -d postgres -tAc "SHOW synchronous_standby_names")" ]; then
    psql_sdn -d postgres -c "ALTER SYSTEM RESET synchronous_standby_names" -c "SELECT pg_reload_conf()" >/dev/null
    say "cleared synchronous_standby_names left by an experiment"
  fi
}

service_stop() {
  [ -s "$PG_DATA/PG_VERSION" ] && [ -x "$PG_BIN/pg_ctl" ] || return 0
  if as_user "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
    if ! as_user "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null; then
      echo "postgres: did not stop; see $PG_DATA/server.log" >&2
      return 1
    fi
    say "stopped $PG_PORT"
  fi
}

service_env() {
  local pg="Host=127.0.0.1;Port=$PG_PORT;Username=sdn;Database=sdn;Timeout=3;Command Timeout=60;Pooling=false"
  printf 'export SDN_POSTGRES=%q\n' "${SDN_POSTGRES:-$pg}"
}
