#!/usr/bin/env bash
# Starts, stops or reports the real systems the notebooks compare against, all on loopback, run as the
# current user (as an unprivileged `sdn` account when run as root: PostgreSQL refuses root), with their
# data under .state/ (ignored by git).
#
#   ./scripts/services.sh start  [name…]   start the services (no name: all), and what they need first
#   ./scripts/services.sh stop   [name…]   stop them (only those started from this data folder)
#   ./scripts/services.sh status [name…]   a table: service, member, port, pid, up/down (--tsv: tab-separated)
#   ./scripts/services.sh check  [name…]   exit 0 when each is healthy (cluster formed), else say why
#   ./scripts/services.sh env    [name…]   the SDN_* connection variables, for `eval "$(… env)"`
#   ./scripts/services.sh memory [name…]   resident memory (RSS, PSS) of their processes
#   SDN_SERVICES_TIMES=1 … start|stop       also print how long each service took
#   ./scripts/services.sh list | packages  service names | the Debian packages they need (setup.sh reads it)
#
# The services are the files in scripts/services.d/ (one per service; see its README.md): a topic adds a
# server by adding a file there. Default ports and the variables that move them are in each file; every
# port can be overridden (SDN_PG_PORT, SDN_REDIS_PORT, SDN_REDIS_CLUSTER_PORT, …, or the library's own
# SDN_POSTGRES "…;Port=N;…", SDN_REDIS "host:N", …); SDN_STATE_DIR moves the data.
set -euo pipefail
umask 022
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVICES_D="$ROOT/scripts/services.d"
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"

# ---------------------------------------------------------------- helpers for the service files

port_of_connection_string() { printf '%s' "${1:-}" | tr ';' '\n' | sed -n 's/^ *[Pp][Oo][Rr][Tt] *= *\([0-9][0-9]*\) *$/\1/p' | head -n 1; }
port_of_endpoint() { local first="${1%%,*}"; first="${first%/}"; case "$first" in *:*) printf '%s' "${first##*:}" ;; esac; }

# port_var NAME DEFAULT [VALUE-FROM-LIBRARY-VARIABLE]: the port in $NAME, else the given one, else DEFAULT.
port_var() {
  local value="${!1:-}"
  [ -n "$value" ] || value="${3:-}"
  [ -n "$value" ] || value="$2"
  case "$value" in ''|*[!0-9]*) echo "services: $1='$value' is not a port number" >&2; exit 2 ;; esac
  printf '%s' "$value"
}

say() { printf '%s: %s\n' "$SERVICE" "$*"; }
fail() { printf '%s: %s\n' "$SERVICE" "$*" >&2; exit 1; }

STATE="${SDN_STATE_DIR:-$ROOT/.state}"
case "$STATE" in /*) ;; *) STATE="$PWD/$STATE" ;; esac

if [ "$(id -u)" = 0 ]; then
  RUN_USER="${SDN_SERVICE_USER:-sdn}"
  # `cd /`: the servers must not start in a folder their account cannot enter (e.g. /root).
  as_user() { (cd / && exec runuser -u "$RUN_USER" -- "$@"); }
else
  RUN_USER="$(id -un)"
  as_user() { "$@"; }
fi

ensure_run_user() { # root only: the account the servers run as, and a data folder it can reach
  [ "$(id -u)" = 0 ] || return 0
  id "$RUN_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$RUN_USER"
  local d="$STATE"
  while [ ! -d "$d" ]; do d="$(dirname "$d")"; done
  if ! as_user test -x "$d"; then
    if [ -n "${SDN_STATE_DIR:-}" ]; then
      echo "services: the '$RUN_USER' account cannot enter $d; choose an SDN_STATE_DIR it can reach" >&2; exit 1
    fi
    # A clone under a private home (/root is mode 700): keep the data where the account can reach it.
    STATE="/var/lib/sdn-notebooks/$(printf '%s' "$ROOT" | sha1sum | cut -c1-12)"
    [ -n "${QUIET_STATE:-}" ] || echo "services: '$RUN_USER' cannot enter $ROOT; server data goes to $STATE"
  fi
}

need() { # command…: each on PATH or in PostgreSQL's bin folder, else say what installs it
  local c
  for c in "$@"; do
    if ! command -v "$c" >/dev/null 2>&1 && [ ! -x "$PG_BIN/$c" ]; then
      fail "$c is missing; run ./setup.sh (it installs: $SERVICE_PACKAGES)"
    fi
  done
}

own() { [ "$(id -u)" = 0 ] && chown -R "$RUN_USER" "$@"; return 0; }

# Runs a server that does not daemonize itself in the background, in its own session (so that a job
# control group kill of the caller does not reach it), with the pid in PIDFILE and output in LOG.
spawn() { # pidfile log command…
  local pidfile="$1" log="$2"; shift 2
  as_user setsid -f sh -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" </dev/null >>"$log" 2>&1
}

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
pid_from() { local p=""; { read -r p <"$1"; } 2>/dev/null || true; p="${p//[!0-9]/}"; pid_alive "$p" && printf '%s' "$p"; return 0; }
proc_state() { local s=""; { read -r s <"/proc/$1/stat"; } 2>/dev/null || true; s="${s##*) }"; printf '%s' "${s%% *}"; }

stop_pid() { # pid: SIGTERM, then up to 10 s for it to exit; says "stopped" or fails
  local pid="${1:-}" # a local, not $1: wait_for's eval runs where $1 is wait_for's own argument
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  if wait_for 10 eval '! pid_alive "$pid"'; then say "stopped"; else echo "$SERVICE: pid $pid did not stop" >&2; return 1; fi
}
wait_for() { # seconds command…: true once the command succeeds, polling every 0.1 s
  local tries=$(( $1 * 10 )); shift
  local i
  for ((i = 0; i < tries; i++)); do "$@" && return 0; sleep 0.1; done
  "$@"
}

# A member paused with SIGSTOP by an experiment that never resumed it (its kernel was killed, say) would
# make the service look dead: `start` resumes it.
resume_if_stopped() {
  local pid="$1"
  [ -n "$pid" ] || return 0
  if [ "$(proc_state "$pid")" = T ]; then
    kill -CONT "$pid" 2>/dev/null && say "resumed pid $pid (it was paused)"
    local c
    for c in $(pgrep -P "$pid" 2>/dev/null || true); do kill -CONT "$c" 2>/dev/null || true; done
  fi
  return 0
}

# A server that failed because its port was taken: true (after a second's wait) when the holder is a
# transient client socket (an outgoing connection's local port), so that a retry may succeed; false
# when a server listens there.
retry_if_port_taken() { # log port
  tail -n 3 "$1" 2>/dev/null | grep -q 'Address already in use' || return 1
  if command -v ss >/dev/null 2>&1 && ss -Hltn "sport = :$2" 2>/dev/null | grep -q .; then
    echo "$SERVICE: another server listens on $2; stop it or move this one (see scripts/services.d/$SERVICE.sh)" >&2
    return 1
  fi
  echo "$SERVICE: port $2 is held by an outgoing connection; retrying" >&2
  sleep 1
}

# Redis, shared by the Redis service files. Every query is bounded: a member paused by an experiment
# (SIGSTOP) accepts the connection and never answers, and redis-cli would wait for ever.
rcli() { timeout 5 redis-cli "$@"; }
redis_up() { rcli -h 127.0.0.1 -p "$1" ping 2>/dev/null | grep -q PONG; }
redis_pid() { rcli -h 127.0.0.1 -p "$1" info server 2>/dev/null | tr -d '\r' | sed -n 's/^process_id://p'; }
redis_field() { rcli -h 127.0.0.1 -p "$1" info "$2" 2>/dev/null | tr -d '\r' | sed -n "s/^$3://p"; }

stop_redis_at() { # port pidfile: only a server started from this state folder (the pid file says so)
  local port="$1" pidfile="$2" pid
  redis_up "$port" || return 0
  pid="$(redis_pid "$port")"
  if [ -z "$pid" ] || [ "$pid" != "$(cat "$pidfile" 2>/dev/null)" ]; then
    say "the server on $port was not started from $STATE; leaving it running"
    return 0
  fi
  rcli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || true
  wait_for 5 eval '! redis_up "$port"' || { echo "$SERVICE: $port did not stop" >&2; return 1; }
  say "stopped $port"
}

# ---------------------------------------------------------------- the registry

service_files() { local f; for f in "$SERVICES_D"/*.sh; do [ -e "$f" ] && printf '%s\n' "$f"; done; }
all_names() { local f; while read -r f; do basename "$f" .sh; done < <(service_files) | LC_ALL=C sort; }

# Runs FUNCTION of service NAME in a subshell that has read the service's file.
# A service file sets SERVICE_PACKAGES and SERVICE_REQUIRES and defines service_members (lines
# "member port"), service_pid MEMBER, service_up MEMBER, service_start, service_stop, service_env, and
# optionally service_check (default: every member up).
in_service() { # name function args…
  local name="$1"; shift
  local file="$SERVICES_D/$name.sh"
  [ -f "$file" ] || { echo "services: no service '$name' (known: $(all_names | tr '\n' ' '))" >&2; exit 2; }
  (
    SERVICE="$name" SERVICE_PACKAGES="" SERVICE_REQUIRES=""
    service_check() {
      local m p bad=0
      while read -r m p; do service_up "$m" || { echo "$SERVICE $m ($p) is down"; bad=1; }; done < <(service_members)
      return "$bad"
    }
    # shellcheck source=/dev/null
    . "$file"
    "$@"
  )
}

# A service's SERVICE_REQUIRES line, read from its file without running it.
requires_of() {
  local line
  while IFS= read -r line; do
    case "$line" in SERVICE_REQUIRES=*) line="${line#SERVICE_REQUIRES=}"; printf '%s' "${line//\"/}"; return 0 ;; esac
  done <"$SERVICES_D/$1.sh"
}

# The names given (or all), with what each requires placed before it, each once.
ordered() {
  local -a want=("$@") out=()
  [ "${#want[@]}" -gt 0 ] || mapfile -t want < <(all_names)
  add() {
    local n="$1" r
    case " ${out[*]-} " in *" $n "*) return 0 ;; esac
    for r in $(requires_of "$n"); do add "$r"; done
    out+=("$n")
  }
  local n
  for n in "${want[@]}"; do add "$n"; done
  printf '%s\n' "${out[@]}"
}

# Runs start or stop for the given services (in dependency order), those that do not depend on each other
# at the same time: level 0 is what requires nothing, level k what requires something of level k-1.
# Stops go the other way. Each service's output is printed whole when it finishes. Returns 1 if any failed;
# a service whose requirement failed is not started.
run_levels() { # start|stop names…
  local action="$1"; shift
  local -A level=() failed=()
  local n r max=0
  for n in "$@"; do
    level[$n]=0
    for r in $(requires_of "$n"); do
      [ -n "${level[$r]:-}" ] && [ $((level[$r] + 1)) -gt "${level[$n]}" ] && level[$n]=$((level[$r] + 1))
    done
    [ "${level[$n]}" -gt "$max" ] && max="${level[$n]}"
  done
  local tmp rc=0 lv i
  tmp="$(mktemp -d)"
  local -a levels=()
  if [ "$action" = start ]; then for ((i = 0; i <= max; i++)); do levels+=("$i"); done
  else for ((i = max; i >= 0; i--)); do levels+=("$i"); done; fi
  for lv in "${levels[@]}"; do
    local -a names=() jobs=()
    for n in "$@"; do
      [ "${level[$n]}" = "$lv" ] || continue
      if [ "$action" = start ]; then
        local skip=""
        for r in $(requires_of "$n"); do [ -n "${failed[$r]:-}" ] && skip="$r"; done
        if [ -n "$skip" ]; then echo "$n: not started: $skip failed" >&2; failed[$n]=1; rc=1; continue; fi
      fi
      names+=("$n")
      (
        t0="$(date +%s%N)"
        in_service "$n" eval 'while read -r m p; do resume_if_stopped "$(service_pid "$m" 2>/dev/null || true)"; done < <(service_members); service_'"$action"
        [ -z "${SDN_SERVICES_TIMES:-}" ] || printf '%s: %s in %s ms\n' "$n" "$action" $(( ($(date +%s%N) - t0) / 1000000 ))
      ) >"$tmp/$n.out" 2>"$tmp/$n.err" &
      jobs+=("$!")
    done
    for i in "${!names[@]}"; do
      n="${names[$i]}"
      if ! wait "${jobs[$i]}"; then failed[$n]=1; rc=1; fi
      cat "$tmp/$n.out"; cat "$tmp/$n.err" >&2
    done
  done
  rm -rf "$tmp"
  return "$rc"
}

status_rows() { # name: "service member port pid up|down" per member
  local name="$1"
  in_service "$name" eval '
    while read -r m p; do
      pid="$(service_pid "$m" 2>/dev/null || true)"
      if [ -n "$pid" ] && [ "$(proc_state "$pid")" = T ]; then s=paused
      elif service_up "$m" 2>/dev/null; then s=up; else s=down; fi
      printf "%s\t%s\t%s\t%s\t%s\n" "$SERVICE" "$m" "$p" "${pid:--}" "$s"
    done < <(service_members)'
}

command="${1:-status}"
[ $# -gt 0 ] && shift
tsv=0
if [ "$command" = status ] && [ "${1:-}" = --tsv ]; then tsv=1; shift; fi
for n in "$@"; do [ -f "$SERVICES_D/$n.sh" ] || { echo "services: no service '$n' (known: $(all_names | tr '\n' ' '))" >&2; exit 2; }; done

case "$command" in
  start)
    ensure_run_user
    mapfile -t names < <(ordered "$@")
    run_levels start "${names[@]}"
    ;;
  stop)
    QUIET_STATE=1 ensure_run_user
    mapfile -t names < <(if [ $# -gt 0 ]; then printf '%s\n' "$@"; else ordered; fi)
    run_levels stop "${names[@]}"
    ;;
  status)
    QUIET_STATE=1 ensure_run_user
    rows="$(for n in $(if [ $# -gt 0 ]; then printf '%s\n' "$@"; else all_names; fi); do status_rows "$n"; done)"
    if [ "$tsv" = 1 ]; then printf '%s\n' "$rows"; exit 0; fi
    { printf 'SERVICE\tMEMBER\tPORT\tPID\tSTATE\n'; printf '%s\n' "$rows"; } | column -t -s "$(printf '\t')"
    if printf '%s\n' "$rows" | grep -q 'down$'; then echo "(start what is down with: $0 start NAME)"; fi
    ;;
  check)
    QUIET_STATE=1 ensure_run_user
    rc=0
    for n in $(if [ $# -gt 0 ]; then printf '%s\n' "$@"; else all_names; fi); do
      in_service "$n" service_check || rc=1
    done
    exit "$rc"
    ;;
  env)
    for n in $(if [ $# -gt 0 ]; then printf '%s\n' "$@"; else all_names; fi); do in_service "$n" service_env; done
    ;;
  memory) # resident memory of each service's processes (members and their children), from /proc
    QUIET_STATE=1 ensure_run_user
    kib() { local k v u; { while read -r k v u; do [ "$k" = "$1:" ] && { printf '%s' "$v"; return; }; done <"/proc/$2/smaps_rollup"; } 2>/dev/null; printf 0; }
    declare -A seen=()
    total_n=0 total_rss=0 total_pss=0
    printf '%-18s %9s %9s %9s\n' SERVICE PROCESSES RSS_MiB PSS_MiB
    for n in $(if [ $# -gt 0 ]; then printf '%s\n' "$@"; else all_names; fi); do
      cnt=0 rss=0 pss=0
      while IFS=$'\t' read -r _ _ _ pid _; do
        [ "$pid" = - ] && continue
        for q in $pid $(pgrep -P "$pid" 2>/dev/null || true); do
          [ -n "${seen[$q]:-}" ] && continue; seen[$q]=1
          cnt=$((cnt + 1)); rss=$((rss + $(kib Rss "$q"))); pss=$((pss + $(kib Pss "$q")))
        done
      done < <(status_rows "$n")
      printf '%-18s %9s %9s %9s\n' "$n" "$cnt" $((rss / 1024)) $((pss / 1024))
      total_n=$((total_n + cnt)); total_rss=$((total_rss + rss)); total_pss=$((total_pss + pss))
    done
    printf '%-18s %9s %9s %9s\n' total "$total_n" $((total_rss / 1024)) $((total_pss / 1024))
    ;;
  list) all_names ;;
  ports) # every port a service listens on by default, one per line (setup.sh reserves them, see there)
    for n in $(all_names); do
      in_service "$n" service_members | awk '{print $2}'
      if [ "$n" = dns-chain ]; then "$0" env dns-chain | sed -n 's/.*:\([0-9]*\)$/\1/p'; fi
    done | sort -un
    ;;
  packages)
    for n in $(all_names); do in_service "$n" eval 'printf "%s\n" $SERVICE_PACKAGES'; done | awk '!seen[$0]++'
    ;;
  *) echo "usage: $0 start|stop|status [--tsv]|check|env|memory [name…] | list | packages" >&2; exit 2 ;;
esac
