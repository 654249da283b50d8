# Prometheus (Debian `prometheus` 2.42, which ships promtool), one server on 29090 (SDN_PROMETHEUS_PORT, or the
# port of SDN_PROMETHEUS "http://host:port"). Short intervals so that an experiment takes seconds: scrape and
# rule evaluation every 100 ms, scrape timeout 90 ms. Targets come from file_sd files that the notebooks write
# under $STATE/prometheus/targets (watched, refreshed at least every 1 s); rules from
# $STATE/prometheus/rules/*.yml, which the notebooks write before POSTing /-/reload (--web.enable-lifecycle).
# The library finds both folders in /api/v1/status/config. One static target, job `sdn-live` on port + 1, is
# scraped from the start whether anything listens there or not: notebook 14's live experiment binds it, so its
# first scrape comes within 100 ms (a new file_sd target waits for discovery, which passes changes on at most
# every 5 s). Retention 2 h. Data: $STATE/prometheus/data.
SERVICE_PACKAGES="prometheus curl"
SERVICE_REQUIRES=""
PROM_PORT="$(port_var SDN_PROMETHEUS_PORT 29090 "$(port_of_endpoint "${SDN_PROMETHEUS:-}")")"
PROM_DIR="$STATE/prometheus"

service_members() { echo "server $PROM_PORT"; }
service_pid() { pid_from "$PROM_DIR/prometheus.pid"; }
service_up() { curl -fsS -m 1 "http://127.0.0.1:$PROM_PORT/-/ready" >/dev/null 2>&1; }

service_start() {
  need prometheus curl
  if service_up; then say "already running on $PROM_PORT"; return 0; fi
  mkdir -p "$PROM_DIR/targets" "$PROM_DIR/rules" "$PROM_DIR/data"
  chmod 0777 "$PROM_DIR/targets" "$PROM_DIR/rules"
  cat >"$PROM_DIR/prometheus.yml" <<CONF
global:
  scrape_interval: 100ms
  scrape_timeout: 90ms
  evaluation_interval: 100ms
rule_files:
  - $PROM_DIR/rules/*.yml
scrape_configs:
  - job_name: sdn
    honor_timestamps: false
    file_sd_configs:
      - files:
          - $PROM_DIR/targets/*.json
        refresh_interval: 1s
  - job_name: sdn-live
    honor_timestamps: false
    static_configs:
      - targets: ['127.0.0.1:$((PROM_PORT + 1))']
CONF
  own "$PROM_DIR"
  spawn "$PROM_DIR/prometheus.pid" "$PROM_DIR/prometheus.log" "$(command -v prometheus)" \
    --config.file "$PROM_DIR/prometheus.yml" --storage.tsdb.path "$PROM_DIR/data" \
    --storage.tsdb.retention.time 2h --web.listen-address "127.0.0.1:$PROM_PORT" \
    --web.enable-lifecycle --log.level warn
  if ! wait_for 20 service_up; then
    echo "$SERVICE: failed to start on $PROM_PORT; last lines of $PROM_DIR/prometheus.log:" >&2
    tail -n 10 "$PROM_DIR/prometheus.log" >&2 2>/dev/null || true
    exit 1
  fi
  say "started on $PROM_PORT"
}

service_stop() { stop_pid "$(service_pid)"; }

service_env() { printf 'export SDN_PROMETHEUS=%q\n' "${SDN_PROMETHEUS:-http://127.0.0.1:$PROM_PORT}"; }
