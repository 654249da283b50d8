# An S3-compatible server: s3rver 3.7.1 from npm (package.json; `npm ci` installs it under node_modules), run by
# node on 127.0.0.1:24569 (SDN_S3_PORT, or the port of SDN_S3 "http://host:port"). Path-style requests, the
# built-in account S3RVER/S3RVER, objects under $STATE/s3/data. What it does not implement (SigV4 signature
# checks, EntityTooSmall, ListParts, AbortMultipartUpload, multipart ETags) is shown in notebook 17.
# Readiness: GET / answers 200 (ListBuckets). Starts in about a second; stop is SIGTERM, 10 s at most.
SERVICE_PACKAGES="nodejs curl"
SERVICE_REQUIRES=""
S3_PORT="$(port_var SDN_S3_PORT 24569 "$(port_of_endpoint "${SDN_S3:-}")")"
S3_DIR="$STATE/s3"
S3_CLI="$ROOT/node_modules/s3rver/bin/s3rver.js"

service_members() { echo "server $S3_PORT"; }
service_pid() { pid_from "$S3_DIR/s3.pid"; }
service_up() { curl -fsS -m 1 "http://127.0.0.1:$S3_PORT/" >/dev/null 2>&1; }

service_start() {
  need node curl
  if [ ! -f "$S3_CLI" ]; then fail "$S3_CLI is missing: run \`npm ci\` in $ROOT"; fi
  if service_up; then say "already running on $S3_PORT"; return 0; fi
  mkdir -p "$S3_DIR/data"
  local cli="$S3_CLI"
  if ! as_user test -r "$S3_CLI"; then
    # A clone the server account cannot read (e.g. under /root): run a copy of node_modules from $S3_DIR.
    rm -rf "$S3_DIR/node_modules"
    cp -r "$ROOT/node_modules" "$S3_DIR/node_modules"
    cli="$S3_DIR/node_modules/s3rver/bin/s3rver.js"
  fi
  own "$S3_DIR"
  spawn "$S3_DIR/s3.pid" "$S3_DIR/s3.log" "$(command -v node)" "$cli" \
    --directory "$S3_DIR/data" --address 127.0.0.1 --port "$S3_PORT" --silent --no-vhost-buckets
  if ! wait_for 15 service_up; then
    echo "$SERVICE: failed to start on $S3_PORT; last lines of $S3_DIR/s3.log:" >&2
    tail -n 10 "$S3_DIR/s3.log" >&2 2>/dev/null || true
    exit 1
  fi
  say "started on $S3_PORT"
}

service_stop() { stop_pid "$(service_pid)"; }

service_env() { printf 'export SDN_S3=%q\n' "${SDN_S3:-http://127.0.0.1:$S3_PORT}"; }
