# RabbitMQ, one node: AMQP 0-9-1 on 45672 (SDN_RABBITMQ_PORT, or the port of SDN_RABBITMQ "host:port"), Erlang
# distribution on that port + 1 (RabbitMQ's own default, +20000, would pass 65535). No plugins (no management UI): quorum queues and streams are core, and the
# notebook reads streams over AMQP (x-stream-offset). User guest/guest, which RabbitMQ allows from loopback only.
# The node name is unique per state folder (sdn-<hash>@localhost) and its Erlang cookie lives under
# $STATE/rabbitmq, so several state folders never share a node. Readiness: an AMQP protocol handshake answered
# (no rabbitmq-diagnostics: the CLI boots a second Erlang VM, several seconds each call). Start takes a few
# seconds (Erlang boot); stop sends SIGTERM to the node's own pid and waits 20 s. Data: $STATE/rabbitmq.
SERVICE_PACKAGES="rabbitmq-server"
SERVICE_REQUIRES=""
RMQ_PORT="$(port_var SDN_RABBITMQ_PORT 45672 "$(port_of_endpoint "${SDN_RABBITMQ:-}")")"
RMQ_DIR="$STATE/rabbitmq"
RMQ_BIN="/usr/lib/rabbitmq/bin/rabbitmq-server"

service_members() { echo "node $RMQ_PORT"; }
service_pid() { pid_from "$RMQ_DIR/rabbitmq.pid"; }

# An AMQP 0-9-1 client header answered by a Connection.Start frame (frame type 1).
service_up() {
  timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$0" || exit 1; printf "AMQP\0\0\11\1" >&3;
    [ "$(head -c 1 <&3 | od -An -tu1 | tr -d " ")" = 1 ]' "$RMQ_PORT" 2>/dev/null
}

service_start() {
  need timeout od
  [ -x "$RMQ_BIN" ] || fail "$RMQ_BIN is missing; run ./setup.sh (it installs: $SERVICE_PACKAGES)"
  if service_up; then say "already running on $RMQ_PORT"; return 0; fi
  if [ -n "$(service_pid)" ]; then
    wait_for 30 service_up && { say "running on $RMQ_PORT"; return 0; }
    fail "the node (pid $(service_pid)) does not answer on $RMQ_PORT; see $RMQ_DIR/log"
  fi
  mkdir -p "$RMQ_DIR/log" "$RMQ_DIR/mnesia"
  printf '[].\n' >"$RMQ_DIR/enabled_plugins"
  : >"$RMQ_DIR/rabbitmq-env.conf"
  cat >"$RMQ_DIR/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$RMQ_PORT
loopback_users.guest = true
disk_free_limit.absolute = 50MB
log.console = false
log.file.level = warning
CONF
  [ -f "$RMQ_DIR/.erlang.cookie" ] || { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$RMQ_DIR/.erlang.cookie"; }
  chmod 600 "$RMQ_DIR/.erlang.cookie"
  own "$RMQ_DIR"
  local node="sdn-$(printf '%s' "$RMQ_DIR" | sha1sum | cut -c1-8)@localhost" t0
  t0="$(date +%s%N)"
  spawn "$RMQ_DIR/rabbitmq.pid" "$RMQ_DIR/rabbitmq.out" env HOME="$RMQ_DIR" \
    RABBITMQ_NODENAME="$node" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$RMQ_PORT" \
    RABBITMQ_DIST_PORT="$((RMQ_PORT + 1))" RABBITMQ_CONF_ENV_FILE="$RMQ_DIR/rabbitmq-env.conf" \
    RABBITMQ_CONFIG_FILE="$RMQ_DIR/rabbitmq" RABBITMQ_ENABLED_PLUGINS_FILE="$RMQ_DIR/enabled_plugins" \
    RABBITMQ_MNESIA_BASE="$RMQ_DIR/mnesia" RABBITMQ_LOG_BASE="$RMQ_DIR/log" \
    RABBITMQ_PID_FILE="$RMQ_DIR/node.pid" "$RMQ_BIN"
  if ! wait_for 60 service_up; then
    echo "$SERVICE: failed to start on $RMQ_PORT; last lines of $RMQ_DIR/rabbitmq.out:" >&2
    tail -n 15 "$RMQ_DIR/rabbitmq.out" >&2 2>/dev/null || true
    exit 1
  fi
  say "started on $RMQ_PORT in $(( ($(date +%s%N) - t0) / 1000000 )) ms (node $node)"
}

service_stop() {
  local pid
  pid="$(service_pid)"
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  if wait_for 20 eval '! pid_alive "$pid"'; then say "stopped"; else echo "$SERVICE: pid $pid did not stop" >&2; return 1; fi
}

service_env() { printf 'export SDN_RABBITMQ=%q\n' "${SDN_RABBITMQ:-127.0.0.1:$RMQ_PORT}"; }
