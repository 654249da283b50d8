# Redis, standalone. Port 46379 (SDN_REDIS_PORT, or the port of SDN_REDIS "host:port").
# No persistence (--save "", no AOF). Data: $STATE/redis-<port>.
SERVICE_PACKAGES="redis-server redis-tools"
SERVICE_REQUIRES=""
REDIS_PORT="$(port_var SDN_REDIS_PORT 46379 "$(port_of_endpoint "${SDN_REDIS:-}")")"

# start_redis_node port dir name [redis-server arguments…]: one daemonized node, pid in dir/redis.pid.
start_redis_node() {
  local port="$1" dir="$2"; shift 2
  if redis_up "$port"; then say "already running on $port"; return 0; fi
  mkdir -p "$dir"; own "$dir"
  local try
  for try in 1 2 3 4 5; do
    as_user redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --daemonize yes \
      --save "" --appendonly no --protected-mode yes --pidfile "$dir/redis.pid" \
      --logfile "$dir/redis.log" "$@"
    wait_for 5 redis_up "$port" && break
    retry_if_port_taken "$dir/redis.log" "$port" || break
  done
  if ! redis_up "$port"; then
    echo "$SERVICE: failed to start on $port; last lines of $dir/redis.log:" >&2
    tail -n 10 "$dir/redis.log" >&2 2>/dev/null || true
    exit 1
  fi
  say "started on $port"
}

service_members() { echo "server $REDIS_PORT"; }
service_pid() { pid_from "$STATE/redis-$REDIS_PORT/redis.pid"; }
service_up() { redis_up "$REDIS_PORT"; }
service_start() { need redis-server redis-cli; start_redis_node "$REDIS_PORT" "$STATE/redis-$REDIS_PORT"; }
service_stop() { command -v redis-cli >/dev/null 2>&1 || return 0; stop_redis_at "$REDIS_PORT" "$STATE/redis-$REDIS_PORT/redis.pid"; }
service_env() { printf 'export SDN_REDIS=%q\n' "${SDN_REDIS:-127.0.0.1:$REDIS_PORT}"; }
