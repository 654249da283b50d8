# A second PostgreSQL server for notebook 15's real two-phase commit: `max_prepared_transactions` = 20 (0, the
# default, disables PREPARE TRANSACTION), user and database `sdn`. Its own server because the experiment kills it
# (SIGKILL, as a machine crash would) and restarts it: every other notebook and test keeps the `postgres` service.
# Port 25434 (SDN_PG_2PC_PORT, or the Port= of SDN_POSTGRES_2PC). Data: $STATE/postgres-2pc.
. "$SERVICES_D/postgres.sh"
SERVICE_PACKAGES="postgresql postgresql-contrib"
SERVICE_REQUIRES=""
TWOPC_PORT="$(port_var SDN_PG_2PC_PORT 25434 "$(port_of_connection_string "${SDN_POSTGRES_2PC:-}")")"
TWOPC_DATA="$STATE/postgres-2pc"

service_members() { echo "primary $TWOPC_PORT"; }
service_pid() { pg_pid_of "$TWOPC_DATA"; }
service_up() { pg_up_at "$TWOPC_PORT"; }

service_start() {
  need pg_ctl initdb psql pg_isready
  if pg_up_at "$TWOPC_PORT"; then
    say "already running on $TWOPC_PORT"
  else
    if [ ! -s "$TWOPC_DATA/PG_VERSION" ]; then
      mkdir -p "$TWOPC_DATA"; own "$TWOPC_DATA"; chmod 700 "$TWOPC_DATA"
      as_user "$PG_BIN/initdb" -D "$TWOPC_DATA" -U sdn --auth=trust -E UTF8 --locale=C >/dev/null
    fi
    own "$TWOPC_DATA"
    # Not daemonized by pg_ctl but run under a shell that waits for it: when notebook 15 kills the server (a
    # crash), that shell reaps it at once. An orphan waits for PID 1, which on some machines (a VM's init) reaps
    # only every 1-2 s, and PostgreSQL refuses to start while its old pid exists, even as a zombie. A crash
    # leaves postmaster.pid behind; the server ignores a stale one (its pid is gone).
    as_user setsid bash -c '"$@" >>"$0" 2>&1; true' "$TWOPC_DATA/server.log" "$PG_BIN/postgres" -D "$TWOPC_DATA" \
      -h 127.0.0.1 -p "$TWOPC_PORT" -k "$(pg_socket_for "$TWOPC_DATA")" -c fsync=off -c max_connections=40 \
      -c max_prepared_transactions=20 -c shared_buffers=16MB </dev/null >/dev/null 2>&1 &
    local waited=0
    until pg_up_at "$TWOPC_PORT"; do
      if [ "$waited" -ge 600 ] || ! kill -0 $! 2>/dev/null; then
        echo "postgres-2pc: failed to start on $TWOPC_PORT; last lines of $TWOPC_DATA/server.log:" >&2
        tail -n 15 "$TWOPC_DATA/server.log" >&2 2>/dev/null || true
        exit 1
      fi
      sleep 0.05; waited=$((waited + 1))
    done
    say "started on $TWOPC_PORT (data in $TWOPC_DATA)"
  fi
  psql_at "$TWOPC_PORT" -d postgres -tAc "SELECT 1" >/dev/null 2>&1 \
    || fail "the server on $TWOPC_PORT has no role 'sdn' (not one this script started); stop it or set SDN_PG_2PC_PORT"
  psql_at "$TWOPC_PORT" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='sdn'" | grep -q 1 \
    || psql_at "$TWOPC_PORT" -d postgres -c "CREATE DATABASE sdn" >/dev/null
}

service_stop() {
  [ -s "$TWOPC_DATA/PG_VERSION" ] && [ -x "$PG_BIN/pg_ctl" ] || return 0
  if as_user "$PG_BIN/pg_ctl" -D "$TWOPC_DATA" status >/dev/null 2>&1; then
    if ! as_user "$PG_BIN/pg_ctl" -D "$TWOPC_DATA" -m fast -w -t 60 stop >/dev/null; then
      echo "postgres-2pc: did not stop; see $TWOPC_DATA/server.log" >&2
      return 1
    fi
    say "stopped $TWOPC_PORT"
  fi
}

service_env() {
  local pg="Host=127.0.0.1;Port=$TWOPC_PORT;Username=sdn;Database=sdn;Timeout=3;Command Timeout=60;Pooling=false"
  printf 'export SDN_POSTGRES_2PC=%q\n' "${SDN_POSTGRES_2PC:-$pg}"
}
