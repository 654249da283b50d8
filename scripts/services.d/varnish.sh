# Varnish for notebook 10: three edges and one shield, each its own varnishd (7.1) on 127.0.0.1, ports 27200,
# 27201, 27202 (edges) and 27203 (shield), from SDN_VARNISH_PORT (or the port of SDN_VARNISH "host:port").
# The origin is not a service: each experiment starts a small Kestrel origin in process on the fixed port
# SDN_VARNISH_PORT + 9 (27209), which the VCL below names (a VCL's backends are compiled in, so the origin's
# address must be known when varnishd starts). Edge routing by path: /shield/… goes edge → shield → origin,
# /direct/… edge → origin, /pass/… is never cached. TTL and grace come from the origin (Cache-Control max-age,
# or X-Ttl / X-Grace in seconds, fractions allowed). Short timeouts: connect 1 s, first byte 5 s.
# Small thread pools (one pool, 10 threads minimum). Data: $STATE/varnish/<member> (malloc storage, 64 MB).
SERVICE_PACKAGES="varnish"
SERVICE_REQUIRES=""
VARNISH_BASE="$(port_var SDN_VARNISH_PORT 27200 "$(port_of_endpoint "${SDN_VARNISH:-}")")"
VARNISH_DIR="$STATE/varnish"
VARNISHD="$(PATH="$PATH:/usr/sbin" command -v varnishd || true)"

member_port() { case "$1" in edge0) echo "$VARNISH_BASE" ;; edge1) echo $((VARNISH_BASE + 1)) ;;
  edge2) echo $((VARNISH_BASE + 2)) ;; shield) echo $((VARNISH_BASE + 3)) ;; esac; }
origin_port() { echo $((VARNISH_BASE + 9)); }
service_members() { local m; for m in edge0 edge1 edge2 shield; do echo "$m $(member_port "$m")"; done; }
service_pid() { pid_from "$VARNISH_DIR/$1.pid"; }
service_up() { (exec 3<>"/dev/tcp/127.0.0.1/$(member_port "$1")") 2>/dev/null; }
service_check() {
  local m
  for m in edge0 edge1 edge2 shield; do
    service_up "$m" || { echo "varnish: $m ($(member_port "$m")) does not accept connections"; return 1; }
  done
}

# vcl NAME: the VCL of an edge (backends shield and origin) or of the shield (origin only).
vcl() {
  local be='.host = "127.0.0.1"; .connect_timeout = 1s; .first_byte_timeout = 5s; .between_bytes_timeout = 5s;'
  printf 'vcl 4.1;\nimport std;\n'
  printf 'backend origin { %s .port = "%s"; }\n' "$be" "$(origin_port)"
  if [ "$1" = shield ]; then
    printf 'sub vcl_recv { if (req.url ~ "^/pass/") { return (pass); } }\n'
    printf 'sub vcl_deliver {\n  if (obj.hits > 0) { set resp.http.X-Shield-Cache = "HIT"; }\n'
    printf '  else { set resp.http.X-Shield-Cache = "MISS"; }\n}\n'
  else
    printf 'backend shield { %s .port = "%s"; }\n' "$be" "$(member_port shield)"
    printf 'sub vcl_recv {\n  if (req.url ~ "^/pass/") { return (pass); }\n'
    printf '  if (req.url ~ "^/shield/") { set req.backend_hint = shield; }\n'
    printf '  else { set req.backend_hint = origin; }\n}\n'
    printf 'sub vcl_deliver {\n  if (obj.hits > 0) { set resp.http.X-Cache = "HIT"; }\n'
    printf '  else { set resp.http.X-Cache = "MISS"; }\n'
    printf '  set resp.http.X-Edge = server.identity;\n}\n'
  fi
  # The cache key is the URL alone: each edge is reached on its own port, so the Host header differs by edge
  # and (hashed by default) would keep the shield from sharing one copy between edges.
  printf 'sub vcl_hash { hash_data(req.url); return (lookup); }\n'
  printf 'sub vcl_backend_response {\n'
  printf '  if (beresp.http.X-Ttl) { set beresp.ttl = std.duration(beresp.http.X-Ttl + "s", 1s); }\n'
  printf '  if (beresp.http.X-Grace) { set beresp.grace = std.duration(beresp.http.X-Grace + "s", 0s); }\n}\n'
}

service_start() {
  [ -n "$VARNISHD" ] || fail "varnishd is missing; run ./setup.sh (it installs: $SERVICE_PACKAGES)"
  mkdir -p "$VARNISH_DIR"; own "$VARNISH_DIR"
  local m started=0
  for m in edge0 edge1 edge2 shield; do
    if [ -n "$(service_pid "$m")" ] || service_up "$m"; then continue; fi
    vcl "$m" >"$VARNISH_DIR/$m.vcl"
    rm -rf "${VARNISH_DIR:?}/$m"; mkdir -p "$VARNISH_DIR/$m"; own "$VARNISH_DIR"
    spawn "$VARNISH_DIR/$m.pid" "$VARNISH_DIR/$m.log" "$VARNISHD" -F -n "$VARNISH_DIR/$m" -i "$m" \
      -a "127.0.0.1:$(member_port "$m")" -T none -f "$VARNISH_DIR/$m.vcl" -s malloc,64m \
      -p thread_pools=1 -p thread_pool_min=10 -p thread_pool_max=200
    started=1
    say "$m starting on $(member_port "$m")"
  done
  # VCL is compiled to C at start (a second or two each); a member whose process died will not come up.
  local i
  for ((i = 0; i < 600; i++)); do
    service_check >/dev/null && break
    for m in edge0 edge1 edge2 shield; do
      service_up "$m" || [ -n "$(service_pid "$m")" ] || { echo "$SERVICE: $m exited; $VARNISH_DIR/$m.log:" >&2
        tail -n 8 "$VARNISH_DIR/$m.log" >&2; exit 1; }
    done
    sleep 0.1
  done
  service_check >&2 || exit 1
  [ "$started" = 0 ] && say "already running on $VARNISH_BASE-$((VARNISH_BASE + 3))"
  return 0
}

service_stop() {
  local m p
  for m in edge0 edge1 edge2 shield; do
    p="$(service_pid "$m")"
    [ -n "$p" ] && kill "$p" 2>/dev/null && say "$m stopped"
  done
  for m in edge0 edge1 edge2 shield; do
    p="$(service_pid "$m")"; [ -n "$p" ] && { wait_for 5 sh -c "! kill -0 $p 2>/dev/null" || kill -9 "$p"; }
  done
  return 0
}

service_env() { printf 'export SDN_VARNISH=%q\n' "${SDN_VARNISH:-127.0.0.1:$VARNISH_BASE}"; }
