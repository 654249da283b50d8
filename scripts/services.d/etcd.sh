# etcd, a cluster of three members (etcd1..3) speaking v3; the notebooks use its HTTP/JSON gateway
# (/v3/kv/range, /v3/maintenance/status, /v3/lease/grant, …). Client ports 22379, 22381, 22383 and peer
# ports 22380, 22382, 22384 (the first from SDN_ETCD_PORT, or the port of SDN_ETCD's first URL).
# Short Raft timers so that an election takes about a second: --heartbeat-interval 50 ms and
# --election-timeout 500 ms (defaults 100 and 1000). etcd always runs with CheckQuorum: a leader that
# hears from no majority within an election timeout steps down. Data: $STATE/etcd/<member>.
SERVICE_PACKAGES="etcd-server etcd-client curl"
SERVICE_REQUIRES=""
ETCD_BASE="$(port_var SDN_ETCD_PORT 22379 "$(port_of_endpoint "${SDN_ETCD:-}")")"
ETCD_DIR="$STATE/etcd"
ETCD_BIN="$(command -v etcd || true)"

client_port() { printf '%s' $((ETCD_BASE + 2 * (${1#etcd} - 1))); }
peer_port() { printf '%s' $((ETCD_BASE + 2 * (${1#etcd} - 1) + 1)); }
service_members() { local i; for i in 1 2 3; do echo "etcd$i $(client_port "etcd$i")"; done; }
service_pid() { pid_from "$ETCD_DIR/$1.pid"; }
service_up() { curl -fsS -m 1 "http://127.0.0.1:$(client_port "$1")/version" >/dev/null 2>&1; }

endpoints() { printf 'http://127.0.0.1:%s,http://127.0.0.1:%s,http://127.0.0.1:%s' "$(client_port etcd1)" "$(client_port etcd2)" "$(client_port etcd3)"; }

service_check() {
  local m s leaders=""
  for m in etcd1 etcd2 etcd3; do
    s="$(curl -fsS -m 2 -X POST -d '{}' "http://127.0.0.1:$(client_port "$m")/v3/maintenance/status" 2>/dev/null)" \
      || { echo "etcd: $m ($(client_port "$m")) does not answer"; return 1; }
    leaders="$leaders $(printf '%s' "$s" | sed -n 's/.*"leader":"\([0-9]*\)".*/\1/p')"
    curl -fsS -m 2 "http://127.0.0.1:$(client_port "$m")/health" 2>/dev/null | grep -q '"health":"true"' \
      || { echo "etcd: $m is not healthy (no leader or no quorum)"; return 1; }
  done
  # All three name the same leader.
  [ "$(printf '%s\n' $leaders | sort -u | wc -l)" = 1 ] || { echo "etcd: members disagree on the leader:$leaders"; return 1; }
}

service_start() {
  need etcd curl
  local m cluster="" token
  token="sdn-$(printf '%s' "$ETCD_DIR" | sha1sum | cut -c1-8)"
  for m in etcd1 etcd2 etcd3; do cluster="${cluster:+$cluster,}$m=http://127.0.0.1:$(peer_port "$m")"; done
  mkdir -p "$ETCD_DIR"; own "$ETCD_DIR"
  local started=0
  for m in etcd1 etcd2 etcd3; do
    if [ -n "$(service_pid "$m")" ] || service_up "$m"; then continue; fi
    # A member that never joined (its folder empty or half-made) starts over.
    [ -d "$ETCD_DIR/$m/member" ] || rm -rf "${ETCD_DIR:?}/$m"
    local c p
    c="$(client_port "$m")"; p="$(peer_port "$m")"
    spawn "$ETCD_DIR/$m.pid" "$ETCD_DIR/$m.log" "$ETCD_BIN" --name "$m" --data-dir "$ETCD_DIR/$m" \
      --listen-client-urls "http://127.0.0.1:$c" --advertise-client-urls "http://127.0.0.1:$c" \
      --listen-peer-urls "http://127.0.0.1:$p" --initial-advertise-peer-urls "http://127.0.0.1:$p" \
      --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token "$token" \
      --heartbeat-interval 50 --election-timeout 500 --snapshot-count 5000 \
      --quota-backend-bytes $((256 * 1024 * 1024)) --logger zap --log-level warn
    started=1
    say "$m starting on $c (peer $p)"
  done
  wait_for 30 service_check >/dev/null || { service_check >&2; tail -n 5 "$ETCD_DIR"/etcd*.log >&2; exit 1; }
  [ "$started" = 0 ] && say "already running on $(endpoints)"
  return 0
}

service_stop() { # all three at once: one by one, the last would wait for a quorum that has left
  local m pid rc=0
  local -A pids=()
  for m in etcd1 etcd2 etcd3; do
    pid="$(service_pid "$m")"
    [ -n "$pid" ] || continue
    pids[$m]="$pid"
    kill -TERM "$pid" 2>/dev/null || true
  done
  for m in "${!pids[@]}"; do
    pid="${pids[$m]}"
    if wait_for 10 eval '! pid_alive "$pid"'; then say "stopped $m"; else echo "etcd: $m (pid $pid) did not stop" >&2; rc=1; fi
  done
  return "$rc"
}

service_env() { printf 'export SDN_ETCD=%q\n' "${SDN_ETCD:-$(endpoints)}"; }
