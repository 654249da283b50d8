# NATS with JetStream, one server: client port 44222 (SDN_NATS_PORT, or the port of SDN_NATS "nats://host:port").
# JetStream stores under $STATE/nats/js (64 MB memory, 256 MB file at most); no monitoring port, no cluster.
# Readiness: the server's INFO line on connect. Starts in well under a second; stop is SIGTERM, 10 s at most.
SERVICE_PACKAGES="nats-server"
SERVICE_REQUIRES=""
NATS_PORT="$(port_var SDN_NATS_PORT 44222 "$(port_of_endpoint "${SDN_NATS:-}")")"
NATS_DIR="$STATE/nats"

service_members() { echo "server $NATS_PORT"; }
service_pid() { pid_from "$NATS_DIR/nats.pid"; }
service_up() {
  timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0" || exit 1; [ "$(head -c 4 <&3)" = INFO ]' "$NATS_PORT" 2>/dev/null
}

service_start() {
  need nats-server timeout
  if service_up; then say "already running on $NATS_PORT"; return 0; fi
  mkdir -p "$NATS_DIR/js"
  cat >"$NATS_DIR/nats.conf" <<CONF
listen: 127.0.0.1:$NATS_PORT
jetstream {
  store_dir: "$NATS_DIR/js"
  max_memory_store: 64MB
  max_file_store: 256MB
}
CONF
  own "$NATS_DIR"
  spawn "$NATS_DIR/nats.pid" "$NATS_DIR/nats.log" "$(command -v nats-server)" -c "$NATS_DIR/nats.conf"
  if ! wait_for 15 service_up; then
    echo "$SERVICE: failed to start on $NATS_PORT; last lines of $NATS_DIR/nats.log:" >&2
    tail -n 10 "$NATS_DIR/nats.log" >&2 2>/dev/null || true
    exit 1
  fi
  say "started on $NATS_PORT"
}

service_stop() { stop_pid "$(service_pid)"; }

service_env() { printf 'export SDN_NATS=%q\n' "${SDN_NATS:-nats://127.0.0.1:$NATS_PORT}"; }
