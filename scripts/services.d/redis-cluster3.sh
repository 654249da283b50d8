# A Redis Cluster of three masters and no replicas, the 16,384 slots split by `redis-cli --cluster create`
# (5,461 / 5,462 / 5,461). Ports 16381, 16382, 16383 (the first from SDN_REDIS_CLUSTER3_PORT, or the first
# port of SDN_REDIS_CLUSTER3 "host:port,…"); cluster buses on port + 10000. cluster-node-timeout 2000 ms
# (default 15,000) so that a failed node is noticed within seconds. No persistence; the slot map is kept in
# nodes-<port>.conf. Data: $STATE/redis-cluster3/<port>.
. "$SERVICES_D/redis.sh"
SERVICE_PACKAGES="redis-server redis-tools"
SERVICE_REQUIRES=""
RC3_BASE="$(port_var SDN_REDIS_CLUSTER3_PORT 16381 "$(port_of_endpoint "${SDN_REDIS_CLUSTER3:-}")")"
RC3_PORTS="$RC3_BASE $((RC3_BASE + 1)) $((RC3_BASE + 2))"
RC3_DIR="$STATE/redis-cluster3"

member_port() { printf '%s' $((RC3_BASE + ${1#master} - 1)); }
service_members() { local i; for i in 1 2 3; do echo "master$i $((RC3_BASE + i - 1))"; done; }
service_pid() { pid_from "$RC3_DIR/$(member_port "$1")/redis.pid"; }
service_up() { redis_up "$(member_port "$1")"; }

service_check() {
  local p
  for p in $RC3_PORTS; do
    redis_up "$p" || { echo "redis-cluster3: node $p is down"; return 1; }
    [ "$(redis_field "$p" cluster cluster_enabled)" = 1 ] || { echo "redis-cluster3: $p is not cluster-enabled"; return 1; }
    local info
    info="$(rcli -h 127.0.0.1 -p "$p" cluster info 2>/dev/null | tr -d '\r')"
    printf '%s\n' "$info" | grep -q '^cluster_state:ok' || { echo "redis-cluster3: $p says the cluster is not ok"; return 1; }
    printf '%s\n' "$info" | grep -q '^cluster_slots_assigned:16384' || { echo "redis-cluster3: $p sees slots unassigned"; return 1; }
    printf '%s\n' "$info" | grep -q '^cluster_known_nodes:3' || { echo "redis-cluster3: $p does not know 3 nodes"; return 1; }
  done
}

service_start() {
  need redis-server redis-cli
  local p
  for p in $RC3_PORTS; do
    start_redis_node "$p" "$RC3_DIR/$p" --cluster-enabled yes --cluster-config-file "nodes-$p.conf" \
      --cluster-node-timeout 2000
    [ "$(redis_field "$p" cluster cluster_enabled)" = 1 ] \
      || fail "the server on $p is not cluster-enabled (not one this script started); set SDN_REDIS_CLUSTER3_PORT"
  done
  # A fresh set of nodes (no slots anywhere): create the cluster. Nodes restarted from their
  # nodes-<port>.conf find each other again by themselves.
  local assigned
  assigned="$(rcli -h 127.0.0.1 -p "$RC3_BASE" cluster info | tr -d '\r' | sed -n 's/^cluster_slots_assigned://p')"
  if [ "$assigned" = 0 ]; then
    local eps=() out
    for p in $RC3_PORTS; do eps+=("127.0.0.1:$p"); done
    out="$(redis-cli --cluster create "${eps[@]}" --cluster-replicas 0 --cluster-yes 2>&1)" \
      || { printf '%s\n' "$out" >&2; fail "redis-cli --cluster create failed"; }
    say "created a 3-master cluster on $RC3_PORTS"
  fi
  wait_for 15 service_check >/dev/null || { service_check >&2; exit 1; }
}

service_stop() {
  command -v redis-cli >/dev/null 2>&1 || return 0
  local p rc=0
  for p in $RC3_PORTS; do stop_redis_at "$p" "$RC3_DIR/$p/redis.pid" || rc=1; done
  return "$rc"
}

service_env() {
  printf 'export SDN_REDIS_CLUSTER3=%q\n' "${SDN_REDIS_CLUSTER3:-127.0.0.1:$RC3_BASE,127.0.0.1:$((RC3_BASE + 1)),127.0.0.1:$((RC3_BASE + 2))}"
}
