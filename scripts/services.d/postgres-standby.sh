# PostgreSQL streaming standby of the `postgres` service: a pg_basebackup of it, hot standby (reads
# allowed), asynchronous by default, streaming through the physical replication slot `sdn_standby`
# (application_name `sdn_standby`, the name synchronous_standby_names takes). The slot retains WAL while the
# standby is stopped, up to max_slot_wal_keep_size = 1GB set on the primary.
# Port 25433 (SDN_PG_STANDBY_PORT, or the Port= of SDN_POSTGRES_STANDBY). Data: $STATE/postgres-standby.
. "$SERVICES_D/postgres.sh"
SERVICE_PACKAGES="postgresql postgresql-contrib"
SERVICE_REQUIRES="postgres"
STANDBY_PORT="$(port_var SDN_PG_STANDBY_PORT 25433 "$(port_of_connection_string "${SDN_POSTGRES_STANDBY:-}")")"
STANDBY_DATA="$STATE/postgres-standby"
SLOT=sdn_standby

service_members() { echo "standby $STANDBY_PORT"; }
service_pid() { pg_pid_of "$STANDBY_DATA"; }
service_up() { pg_up_at "$STANDBY_PORT"; }

service_check() {
  service_up standby || { echo "postgres-standby is down on $STANDBY_PORT"; return 1; }
  local r
  r="$(psql_at "$STANDBY_PORT" -d postgres -tAc "SELECT pg_is_in_recovery() AND status = 'streaming' FROM pg_stat_wal_receiver" 2>/dev/null || true)"
  [ "$r" = t ] || { echo "postgres-standby on $STANDBY_PORT is not streaming from $PG_PORT"; return 1; }
}

service_start() {
  need pg_ctl pg_basebackup psql pg_isready
  pg_up_at "$PG_PORT" || fail "the primary (postgres on $PG_PORT) is not running"
  psql_sdn -d postgres -tAc "SELECT 1 FROM pg_replication_slots WHERE slot_name = '$SLOT'" | grep -q 1 \
    || psql_sdn -d postgres -tAc "SELECT pg_create_physical_replication_slot('$SLOT')" >/dev/null
  if [ "$(psql_sdn -d postgres -tAc "SHOW max_slot_wal_keep_size")" != 1GB ]; then
    psql_sdn -d postgres -c "ALTER SYSTEM SET max_slot_wal_keep_size = '1GB'" -c "SELECT pg_reload_conf()" >/dev/null
  fi
  if pg_up_at "$STANDBY_PORT"; then
    say "already running on $STANDBY_PORT"
    return 0
  fi
  # A slot keeps at most max_slot_wal_keep_size of WAL for a stopped standby; past that PostgreSQL marks it
  # lost, and the copy can never catch up ("requested WAL segment … has already been removed"): start afresh.
  if [ "$(psql_sdn -d postgres -tAc "SELECT wal_status FROM pg_replication_slots WHERE slot_name = '$SLOT'")" = lost ]; then
    say "its slot lost WAL the copy needs (over 1GB written while it was stopped): taking a new copy"
    psql_sdn -d postgres -tAc "SELECT pg_drop_replication_slot('$SLOT')" >/dev/null
    psql_sdn -d postgres -tAc "SELECT pg_create_physical_replication_slot('$SLOT')" >/dev/null
    rm -rf "$STANDBY_DATA"
  fi
  # A copy of another primary (a different system identifier) is replaced.
  if [ -s "$STANDBY_DATA/PG_VERSION" ]; then
    local mine theirs
    mine="$(as_user "$PG_BIN/pg_controldata" "$STANDBY_DATA" 2>/dev/null | sed -n 's/^Database system identifier: *//p')"
    theirs="$(psql_sdn -d postgres -tAc "SELECT system_identifier FROM pg_control_system()")"
    if [ "$mine" != "$theirs" ]; then say "its copy is of another primary: taking a new one"; rm -rf "$STANDBY_DATA"; fi
  fi
  if [ ! -s "$STANDBY_DATA/PG_VERSION" ]; then
    rm -rf "$STANDBY_DATA"; mkdir -p "$STANDBY_DATA"; own "$STANDBY_DATA"; chmod 700 "$STANDBY_DATA"
    # -R writes standby.signal and primary_conninfo (with primary_slot_name, from -S).
    as_user "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" -U sdn -D "$STANDBY_DATA" -R -X stream \
      -S "$SLOT" -c fast >/dev/null 2>"$STATE/postgres-standby.basebackup.log" \
      || { cat "$STATE/postgres-standby.basebackup.log" >&2; fail "pg_basebackup from $PG_PORT failed"; }
    rm -f "$STANDBY_DATA/postmaster.pid" "$STANDBY_DATA/server.log"
  fi
  own "$STANDBY_DATA"
  # cluster_name becomes the WAL receiver's application_name; a 1 s status interval keeps the primary's
  # view of replay (pg_stat_replication.replay_lsn) current enough for experiments. hot_standby_feedback stays
  # off (the default): with it on, the standby's xmin, up to a status interval old, holds back the primary's
  # cleanup horizon, and notebooks 04 and 05 measure HOT pruning and index-only scans on that primary.
  if ! as_user "$PG_BIN/pg_ctl" -D "$STANDBY_DATA" -l "$STANDBY_DATA/server.log" -w -t 60 \
       -o "-h 127.0.0.1 -p $STANDBY_PORT -k '$(pg_socket_for "$STANDBY_DATA")' -c fsync=off -c max_connections=100 -c cluster_name=$SLOT -c hot_standby=on -c wal_receiver_status_interval=1" start >/dev/null; then
    echo "postgres-standby: failed to start on $STANDBY_PORT; last lines of $STANDBY_DATA/server.log:" >&2
    tail -n 15 "$STANDBY_DATA/server.log" >&2 2>/dev/null || true
    exit 1
  fi
  wait_for 20 service_check >/dev/null || { service_check >&2; exit 1; }
  say "started on $STANDBY_PORT (standby of $PG_PORT, slot $SLOT)"
}

service_stop() {
  # A primary waiting for this standby would hang every commit once it is gone.
  if pg_up_at "$PG_PORT" && [ -n "$(psql_sdn -d postgres -tAc "SHOW synchronous_standby_names" 2>/dev/null)" ]; then
    psql_sdn -d postgres -c "ALTER SYSTEM RESET synchronous_standby_names" -c "SELECT pg_reload_conf()" >/dev/null || true
  fi
  [ -s "$STANDBY_DATA/PG_VERSION" ] && [ -x "$PG_BIN/pg_ctl" ] || return 0
  if as_user "$PG_BIN/pg_ctl" -D "$STANDBY_DATA" status >/dev/null 2>&1; then
    as_user "$PG_BIN/pg_ctl" -D "$STANDBY_DATA" -m fast -w -t 60 stop >/dev/null \
      || { echo "postgres-standby: did not stop; see $STANDBY_DATA/server.log" >&2; return 1; }
    say "stopped $STANDBY_PORT"
  fi
}

service_env() {
  local pg="Host=127.0.0.1;Port=$STANDBY_PORT;Username=sdn;Database=sdn;Timeout=3;Command Timeout=60;Pooling=false"
  printf 'export SDN_POSTGRES_STANDBY=%q\n' "${SDN_POSTGRES_STANDBY:-$pg}"
}
