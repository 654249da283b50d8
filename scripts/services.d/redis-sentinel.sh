# Redis with Sentinel: a primary (node1) and its asynchronous replica (node2), watched by three Sentinels
# (`redis-server --sentinel`, quorum 2) under the master name `sdn-primary`.
# Ports: node1 26390, node2 26391, sentinel1..3 26392..26394 (the first from SDN_REDIS_SENTINEL_PORT, or
# the first data node of SDN_REDIS_REPLICATED "host:port,host:port"). Short timeouts, so that a failover
# takes seconds: down-after-milliseconds 1000 (default 30,000), failover-timeout 4000 (default 180,000),
# repl-diskless-sync-delay 0 (default 5 s). Sentinel rewrites the config files on failover, so after one
# node2 may be the primary; a start with every member stopped writes fresh files (node1 primary again).
# No persistence. Data: $STATE/redis-sentinel/<member>.
. "$SERVICES_D/redis.sh"
SERVICE_PACKAGES="redis-server redis-tools"
SERVICE_REQUIRES=""
RS_BASE="$(port_var SDN_REDIS_SENTINEL_PORT 26390 "$(port_of_endpoint "${SDN_REDIS_REPLICATED:-}")")"
RS_DIR="$STATE/redis-sentinel"
RS_MASTER=sdn-primary
RS_MEMBERS="node1 node2 sentinel1 sentinel2 sentinel3"

member_port() {
  case "$1" in
    node1) echo "$RS_BASE" ;; node2) echo $((RS_BASE + 1)) ;;
    sentinel[123]) echo $((RS_BASE + 1 + ${1#sentinel})) ;;
    *) fail "no member '$1'" ;;
  esac
}
service_members() { local m; for m in $RS_MEMBERS; do echo "$m $(member_port "$m")"; done; }
service_pid() { pid_from "$RS_DIR/$1/redis.pid"; }
service_up() { redis_up "$(member_port "$1")"; }

sentinel_cmd() { rcli -h 127.0.0.1 -p "$(member_port "$1")" "${@:2}" 2>/dev/null | tr -d '\r'; }

service_check() {
  local m primary="" addr
  for m in $RS_MEMBERS; do service_up "$m" || { echo "redis-sentinel: $m ($(member_port "$m")) is down"; return 1; }; done
  for m in sentinel1 sentinel2 sentinel3; do
    addr="$(sentinel_cmd "$m" sentinel get-master-addr-by-name "$RS_MASTER" | paste -sd:)"
    [ -n "$addr" ] || { echo "redis-sentinel: $m knows no primary"; return 1; }
    [ -z "$primary" ] || [ "$primary" = "$addr" ] || { echo "redis-sentinel: sentinels disagree on the primary ($primary, $addr)"; return 1; }
    primary="$addr"
    sentinel_cmd "$m" sentinel ckquorum "$RS_MASTER" | grep -q '^OK' || { echo "redis-sentinel: $m: no quorum"; return 1; }
    local info
    info="$(sentinel_cmd "$m" sentinel master "$RS_MASTER" | paste -sd' ')"
    case " $info " in *" flags master "*) ;; *) echo "redis-sentinel: $m sees the primary as: $info" | cut -c1-160; return 1 ;; esac
    case " $info " in *" num-slaves 1 "*) ;; *) echo "redis-sentinel: $m does not see one replica"; return 1 ;; esac
  done
  local pport="${primary##*:}" other
  [ "$(redis_field "$pport" replication role)" = master ] || { echo "redis-sentinel: $primary is not a primary"; return 1; }
  rcli -h 127.0.0.1 -p "$pport" info replication | tr -d '\r' | grep -q '^slave0:.*state=online' \
    || { echo "redis-sentinel: the primary $primary has no online replica"; return 1; }
  if [ "$pport" = "$RS_BASE" ]; then other=$((RS_BASE + 1)); else other="$RS_BASE"; fi
  [ "$(redis_field "$other" replication master_link_status)" = up ] \
    || { echo "redis-sentinel: the replica 127.0.0.1:$other is not linked to $primary"; return 1; }
}

write_configs() {
  local m d p
  for m in $RS_MEMBERS; do
    d="$RS_DIR/$m"; p="$(member_port "$m")"
    mkdir -p "$d"
    {
      printf 'bind 127.0.0.1\nport %s\ndir %s\ndaemonize yes\npidfile %s\nlogfile %s\nprotected-mode yes\n' \
        "$p" "$d" "$d/redis.pid" "$d/redis.log"
      case "$m" in
        node*)
          printf 'save ""\nappendonly no\nrepl-diskless-sync yes\nrepl-diskless-sync-delay 0\n'
          [ "$m" = node2 ] && printf 'replicaof 127.0.0.1 %s\n' "$RS_BASE"
          ;;
        sentinel*)
          printf 'sentinel monitor %s 127.0.0.1 %s 2\n' "$RS_MASTER" "$RS_BASE"
          printf 'sentinel down-after-milliseconds %s 1000\n' "$RS_MASTER"
          printf 'sentinel failover-timeout %s 4000\n' "$RS_MASTER"
          printf 'sentinel parallel-syncs %s 1\n' "$RS_MASTER"
          ;;
      esac
    } >"$d/$m.conf"
  done
  own "$RS_DIR"
}

service_start() {
  need redis-server redis-cli
  local m any=0
  for m in $RS_MEMBERS; do service_up "$m" && any=1; done
  [ "$any" = 1 ] || write_configs
  for m in $RS_MEMBERS; do
    local p d
    p="$(member_port "$m")"; d="$RS_DIR/$m"
    if service_up "$m"; then continue; fi
    [ -f "$d/$m.conf" ] || write_configs
    rm -f "$d/redis.pid"
    local try
    for try in 1 2 3 4 5; do
      if [ "${m#sentinel}" != "$m" ]; then as_user redis-server "$d/$m.conf" --sentinel; else as_user redis-server "$d/$m.conf"; fi
      wait_for 5 service_up "$m" && break
      retry_if_port_taken "$d/redis.log" "$p" || break
    done
    service_up "$m" || { tail -n 10 "$d/redis.log" >&2 2>/dev/null; fail "$m did not start on $p"; }
    say "$m started on $p"
  done
  wait_for 20 service_check >/dev/null || { service_check >&2; exit 1; }
}

service_stop() {
  command -v redis-cli >/dev/null 2>&1 || return 0
  local m rc=0
  for m in sentinel3 sentinel2 sentinel1 node2 node1; do
    stop_redis_at "$(member_port "$m")" "$RS_DIR/$m/redis.pid" || rc=1
  done
  return "$rc"
}

service_env() {
  printf 'export SDN_REDIS_REPLICATED=%q\n' "${SDN_REDIS_REPLICATED:-127.0.0.1:$RS_BASE,127.0.0.1:$((RS_BASE + 1))}"
  printf 'export SDN_REDIS_SENTINEL=%q\n' "${SDN_REDIS_SENTINEL:-127.0.0.1:$((RS_BASE + 2)),127.0.0.1:$((RS_BASE + 3)),127.0.0.1:$((RS_BASE + 4))}"
  printf 'export SDN_REDIS_SENTINEL_MASTER=%q\n' "$RS_MASTER"
}
