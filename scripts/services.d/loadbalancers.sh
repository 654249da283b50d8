# HAProxy and nginx for notebook 09: binaries only. Nothing runs between experiments: each notebook cell writes
# its own configuration (pointing at the Kestrel backends it starts in process), runs the binary on 127.0.0.1
# (ports 27150+, SDN_LB_PORT + 50; as the sdn account under root) with its files in a temporary folder under
# $SDN_STATE_DIR/nb09, and kills it at the end of the cell. Timeouts there: connect 1 s, check 100 ms.
# `start` only verifies that the binaries are installed (./setup.sh installs the packages below).
SERVICE_PACKAGES="haproxy nginx-light"
SERVICE_REQUIRES=""

service_members() { :; }
service_pid() { :; }
service_up() { command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ]; }
service_check() {
  local ok=0
  for b in haproxy nginx; do
    command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] || { echo "$SERVICE: $b is missing; run ./setup.sh (it installs: $SERVICE_PACKAGES)"; ok=1; }
  done
  return "$ok"
}
service_start() {
  PATH="$PATH:/usr/sbin" need haproxy nginx
  say "haproxy and nginx are installed; notebook 09 starts its own instances per experiment"
}
service_stop() { :; }
service_env() {
  local h n
  h="$(PATH="$PATH:/usr/sbin" command -v haproxy 2>/dev/null || true)"
  n="$(PATH="$PATH:/usr/sbin" command -v nginx 2>/dev/null || true)"
  [ -n "$h" ] && printf 'export SDN_HAPROXY=%q\n' "${SDN_HAPROXY:-$h}"
  [ -n "$n" ] && printf 'export SDN_NGINX=%q\n' "${SDN_NGINX:-$n}"
  return 0
}
