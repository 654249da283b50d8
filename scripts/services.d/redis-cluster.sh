# One cluster-enabled Redis node holding no slots (for CLUSTER KEYSLOT; notebook 01). Port 46380
# (SDN_REDIS_CLUSTER_PORT, or the port of SDN_REDIS_CLUSTER); its cluster bus is port + 10000.
# Data: $STATE/redis-<port>. The 3-master cluster is the service redis-cluster3.
. "$SERVICES_D/redis.sh"
SERVICE_PACKAGES="redis-server redis-tools"
SERVICE_REQUIRES=""
RC_PORT="$(port_var SDN_REDIS_CLUSTER_PORT 46380 "$(port_of_endpoint "${SDN_REDIS_CLUSTER:-}")")"

service_members() { echo "node $RC_PORT"; }
service_pid() { pid_from "$STATE/redis-$RC_PORT/redis.pid"; }
service_up() { redis_up "$RC_PORT"; }
service_start() {
  need redis-server redis-cli
  start_redis_node "$RC_PORT" "$STATE/redis-$RC_PORT" --cluster-enabled yes --cluster-config-file "nodes-$RC_PORT.conf"
  # A server this script did not start may hold the port: say so now rather than let experiments fail later.
  if [ "$(redis_field "$RC_PORT" cluster cluster_enabled)" != 1 ]; then
    fail "the server on $RC_PORT is not cluster-enabled (not one this script started); stop it or set SDN_REDIS_CLUSTER_PORT"
  fi
}
service_stop() { command -v redis-cli >/dev/null 2>&1 || return 0; stop_redis_at "$RC_PORT" "$STATE/redis-$RC_PORT/redis.pid"; }
service_env() { printf 'export SDN_REDIS_CLUSTER=%q\n' "${SDN_REDIS_CLUSTER:-127.0.0.1:$RC_PORT}"; }
