#!/usr/bin/env bash
# Sets up this repository on Debian or Ubuntu with the .NET SDK (see global.json), then opens Jupyter.
#
#   ./setup.sh              everything: system packages (as root, or through sudo), then the user steps,
#                           then `jupyter notebook` on notebooks/ (localhost)
#   ./setup.sh --no-open    the same without starting Jupyter (CI, VS Code); SDN_NO_JUPYTER=1 does the same
#   ./setup.sh --system     only the system packages (root): what the Binder image runs as root
#   ./setup.sh --user       only the user steps: .NET tools, Jupyter kernel, plotly.js, build, servers
#                           (every service in scripts/services.d: PostgreSQL and its standby, Redis, Redis
#                           with Sentinel, the Redis Clusters, etcd)
#   --notebook-user NAME:UID  (with --system) also create the account the notebooks run as (Binder's jovyan)
#
# Safe to run again: each step checks what is there and does only what is missing.
# The steps live only here: the Binder image (binder/Dockerfile) and CI (.ci/run) call these same phases.
set -euo pipefail
umask 022
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 PYDEVD_DISABLE_FILE_VALIDATION=1

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

# Debian/Ubuntu packages: Jupyter, and every real system's (each file in scripts/services.d names its own:
# PostgreSQL, Redis, etcd, …). Node.js comes from here only when npm is missing (a NodeSource node brings its own).
PACKAGES=(jupyter-notebook jupyter-nbconvert python3-nbconvert python3-nbclient jupyter-client)
# The book's browser test (scripts/build-site.sh --test, run by CI): headless Chromium, and a font for its pages.
PACKAGES+=(chromium fonts-liberation)
mapfile -t SERVICE_PACKAGES < <("$ROOT/scripts/services.sh" packages)
[ "${#SERVICE_PACKAGES[@]}" -gt 0 ] || die "scripts/services.sh packages listed nothing"
PACKAGES+=("${SERVICE_PACKAGES[@]}")

run_system=1 run_user=1 open_jupyter=1 notebook_user=""
[ "${SDN_NO_JUPYTER:-0}" = 1 ] && open_jupyter=0
while [ $# -gt 0 ]; do
  case "$1" in
    --system) run_user=0; open_jupyter=0 ;;
    --user) run_system=0 ;;
    --no-open) open_jupyter=0 ;;
    --notebook-user) [ $# -ge 2 ] || die "--notebook-user needs NAME:UID"; notebook_user="$2"; shift ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see ./setup.sh --help)" ;;
  esac
  shift
done

timed() { # label, command...: runs it and prints one line with the time it took
  local label="$1" t0=$SECONDS; shift
  "$@"
  say "$label: done ($((SECONDS - t0)) s)"
}

# ---------------------------------------------------------------- system phase (root)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing_packages() {
  local p
  for p in "${PACKAGES[@]}"; do installed "$p" || printf '%s\n' "$p"; done
  command -v npm >/dev/null 2>&1 || printf '%s\n' nodejs npm
}

apt_install() { # packages...: as root
  export DEBIAN_FRONTEND=noninteractive
  # The distribution's own PostgreSQL, Redis and etcd services are not used (scripts/services.sh runs its own
  # on other ports): keep the packages from starting them, as a Docker base image does, unless that is set up.
  local policy=/usr/sbin/policy-rc.d added=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod 755 "$policy"; added=1
  fi
  local rc=0
  # Wait for another apt/dpkg run (an unattended upgrade, say) instead of failing at once.
  local lock=(-o DPkg::Lock::Timeout=600)
  { apt-get "${lock[@]}" update -qq && apt-get "${lock[@]}" install -y -qq --no-install-recommends "$@" >/dev/null; } || rc=$?
  [ "$added" = 1 ] && rm -f "$policy"
  [ "$rc" = 0 ] || die "apt-get failed (exit $rc) installing: $*"
}

ensure_notebook_user() { # NAME:UID — the account Binder runs the notebooks as; owns the repository
  local name="${1%%:*}" uid="${1##*:}" holder home
  case "$uid" in ''|*[!0-9]*) die "--notebook-user wants NAME:UID, got '$1'" ;; esac
  if [ -z "$name" ] || [ "$name" = "$1" ]; then die "--notebook-user wants NAME:UID, got '$1'"; fi
  if id -u "$name" >/dev/null 2>&1; then
    [ "$(id -u "$name")" = "$uid" ] || die "account $name exists with uid $(id -u "$name"), not $uid"
  else
    holder="$(getent passwd "$uid" | cut -d: -f1 || true)"
    if [ -n "$holder" ]; then
      # Ubuntu images (the .NET 10 SDK image among them) ship an 'ubuntu' account with uid 1000, the uid
      # Binder gives its notebook user.
      [ "$holder" = ubuntu ] || die "uid $uid already belongs to account $holder"
      userdel --remove ubuntu >/dev/null 2>&1 || userdel ubuntu
    fi
    getent group "$uid" >/dev/null || groupadd --gid "$uid" "$name"
    home="/home/$name"
    if [ -d "$home" ]; then
      useradd --uid "$uid" --gid "$uid" --home-dir "$home" --shell /bin/bash "$name"
    else
      useradd --uid "$uid" --gid "$uid" --home-dir "$home" --create-home --shell /bin/bash "$name"
    fi
    say "account $name (uid $uid) created"
  fi
  home="$(getent passwd "$name" | cut -d: -f6)"
  chown -R "$name:$(id -g "$name")" "$home" "$ROOT"
}

# The servers' default ports (55432, 46379, …) lie in Linux's ephemeral range (32768–60999): an outgoing
# connection made while setting up could be handed one as its source port, and the server then fails to bind
# ("Address already in use", seen in a CI rehearsal). As root, reserve them (with the next three ports and
# port + 10000: RabbitMQ's distribution port, the DNS lab's servers, Redis Cluster's bus). Best effort: a
# container whose /proc/sys is read-only keeps the risk.
reserve_service_ports() {
  local f=/proc/sys/net/ipv4/ip_local_reserved_ports ports current
  [ "$(id -u)" = 0 ] && [ -w "$f" ] || return 0
  ports="$("$ROOT/scripts/services.sh" ports | awk '{ for (d = 0; d <= 3; d++) print $1 + d; print $1 + 10000 }' \
    | awk '$1 >= 1024 && $1 <= 65535' | sort -un | paste -sd, -)"
  [ -n "$ports" ] || return 0
  current="$(cat "$f")"
  if { echo "${current:+$current,}$ports" >"$f"; } 2>/dev/null; then
    say "reserved the servers' ports against ephemeral use (net.ipv4.ip_local_reserved_ports)"
  else
    say "could not reserve the servers' ports (read-only /proc/sys): a server may rarely find its port taken"
  fi
}

system_phase() {
  reserve_service_ports
  command -v apt-get >/dev/null 2>&1 || {
    say "not a Debian/Ubuntu system: install Jupyter Notebook with nbconvert, Node.js/npm and the servers (Debian names: ${SERVICE_PACKAGES[*]}), then run ./setup.sh --user"
    return 0
  }
  local missing
  mapfile -t missing < <(missing_packages)
  if [ "${#missing[@]}" -eq 0 ]; then
    say "system packages: all present"
  elif [ "$(id -u)" = 0 ]; then
    say "system packages: installing ${missing[*]}"
    timed "system packages" apt_install "${missing[@]}"
  elif command -v sudo >/dev/null 2>&1 && { [ -t 0 ] || sudo -n true 2>/dev/null; }; then
    say "system packages: installing ${missing[*]} (sudo)"
    timed "system packages" sudo "$ROOT/setup.sh" --system
  else
    die "missing system packages; as root run: apt-get install -y --no-install-recommends ${missing[*]}  (or: sudo ./setup.sh --system)"
  fi
  if [ -n "$notebook_user" ]; then ensure_notebook_user "$notebook_user"; fi
}

# ---------------------------------------------------------------- user phase

check_prerequisites() {
  command -v dotnet >/dev/null 2>&1 \
    || die "the .NET SDK is missing: install .NET 10 SDK $(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' global.json) (https://dotnet.microsoft.com/download), then re-run"
  dotnet --version >/dev/null 2>&1 \
    || die "no .NET SDK matches global.json ($(dotnet --list-sdks | tr '\n' ' ')): install the SDK it names, then re-run"
  local missing=()
  command -v jupyter >/dev/null 2>&1 || missing+=(jupyter-notebook)
  jupyter nbconvert --version >/dev/null 2>&1 || missing+=(jupyter-nbconvert)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null || missing+=(postgresql)
  command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  [ "${#missing[@]}" -eq 0 ] || die "missing ${missing[*]}: run 'sudo ./setup.sh --system' (or ./setup.sh as root) first"
}

restore_tools() { dotnet tool restore >/dev/null; }

build_library() { # quiet when it works, the whole log when it does not
  local log
  log="$(mktemp)"
  if ! dotnet build src/Shared -nologo -v quiet >"$log" 2>&1; then cat "$log" >&2; rm -f "$log"; die "dotnet build src/Shared failed"; fi
  rm -f "$log"
}

# Prints the .NET (C#) kernel's kernel.json path, or nothing when the kernel is not registered.
# (Through `jupyter`: the python3 on PATH need not be the one Jupyter runs on.)
kernel_json() {
  jupyter kernelspec list --json | python3 -c '
import json, sys
spec = json.load(sys.stdin)["kernelspecs"].get(".net-csharp")
if spec: print(spec["resource_dir"] + "/kernel.json")'
}

register_kernel() {
  local spec
  spec="$(kernel_json)"
  if [ -z "$spec" ] || ! grep -q -- '--http-local-only' "$spec"; then
    dotnet interactive jupyter install >/dev/null
    spec="$(kernel_json)"
    [ -n "$spec" ] || die "dotnet interactive jupyter install did not register the .net-csharp kernel"
  fi
  # The tool's kernel serves HTTP on every interface unless told otherwise; the notebooks need none of it,
  # and the first cell's output would list the machine's addresses. `install` has no option for this.
  python3 - "$spec" <<'EOF'
import json, sys
path = sys.argv[1]
with open(path, encoding="utf-8") as f:
    spec = json.load(f)
if "--http-local-only" not in spec["argv"]:
    spec["argv"].append("--http-local-only")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(spec, f, indent=2)
EOF
}

install_plotly_js() {
  # npm ci deletes node_modules first: skip it when the lock file is already installed, so a re-run
  # without network leaves a working copy.
  local stamp=node_modules/.sdn-lock.sha256 want
  want="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if [ -f node_modules/plotly.js-dist-min/plotly.min.js ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
  printf '%s\n' "$want" >"$stamp"
}

user_phase() {
  check_prerequisites
  timed ".NET tools (dotnet-interactive, from dotnet-tools.json)" restore_tools
  timed "Jupyter kernel .NET (C#)" register_kernel
  timed "plotly.js $(sed -n 's/.*"plotly.js-dist-min": *"\([^"]*\)".*/\1/p' package.json) (npm, for offline charts)" install_plotly_js
  timed "library src/Shared built" build_library
  timed "servers ($(scripts/services.sh list | paste -sd' '))" "$ROOT/scripts/services.sh" start
}

open_phase() {
  eval "$("$ROOT/scripts/services.sh" env)"
  local args=(--notebook-dir="$ROOT/notebooks" --ip=127.0.0.1)
  [ "$(id -u)" = 0 ] && args+=(--allow-root)
  say "starting Jupyter on notebooks/ (Ctrl+C stops it; ./scripts/services.sh stop stops the servers)"
  exec jupyter notebook "${args[@]}"
}

if [ "$run_system" = 1 ]; then system_phase; fi
if [ "$run_user" = 1 ]; then user_phase; fi
if [ "$open_jupyter" = 1 ]; then open_phase; fi
say "ready"
