#!/usr/bin/env bash
# Builds the book: site/, a static site of the executed notebooks that works from file:// with no network.
#
#   ./scripts/build-site.sh            build site/ (open site/index.html)
#   ./scripts/build-site.sh --test     build it, then open every page in headless Chromium (tests/Site.Browser)
#   --no-execute                       render the executed copies as they are, even when missing or stale
#
# 1. Executed notebooks come from artifacts/executed/ (what .ci/run's Jupyter phase leaves). A notebook whose
#    executed copy is missing, or whose cells differ from notebooks/ (edited since), is run first through real
#    Jupyter, as .ci/run does; that needs the servers (./scripts/services.sh start; this script starts them
#    when they are down) and the .NET (C#) kernel (./setup.sh).
# 2. The kernel-free visualizers: src/Shared/Book computes each notebook visualizer's grid of figures
#    (artifacts/book/viz/*.json).
# 3. book/build.py renders the pages with `jupyter nbconvert --to html` and our template (book/templates/sdn),
#    with ONE shared copy of plotly.js (node_modules/plotly.js-dist-min, the version package.json pins), and
#    writes the index, the claims ledger, the interview cheat sheet, the search index and the visualizer pages.
# 4. --test: tests/Site.Browser opens every page from file:// in Debian's chromium (Playwright drives it) and
#    fails on a console error, a chart that did not draw, a slider that does not change its plot, a broken
#    local link, or a search that misses a known question. Screenshots go to artifacts/site-screenshots/.
set -euo pipefail
umask 022
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 PYDEVD_DISABLE_FILE_VALIDATION=1

say() { printf 'build-site: %s\n' "$*"; }
die() { printf 'build-site: %s\n' "$*" >&2; exit 1; }

run_test=0 execute=1
for arg in "$@"; do
  case "$arg" in
    --test) run_test=1 ;;
    --no-execute) execute=0 ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$arg' (see --help)" ;;
  esac
done

EXEC="$ROOT/artifacts/executed"
TOOL_DLL="$ROOT/tests/Site.Browser/bin/Debug/net10.0/SystemDesign.Site.Browser.dll"
mkdir -p "$EXEC"

# plotly.js: the copy setup.sh installs from npm (package.json pins it).
if [ ! -f node_modules/plotly.js-dist-min/plotly.min.js ]; then
  say "installing plotly.js from package-lock.json (npm ci)"
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
fi

# 1. Executed notebooks: run the missing or stale ones through real Jupyter (the command .ci/run uses).
mapfile -t todo < <(python3 book/build.py --executed "$EXEC" --list-stale)
if [ "${#todo[@]}" -gt 0 ]; then
  if [ "$execute" = 0 ]; then
    say "not executing (--no-execute): ${todo[*]}"
  else
    say "executing in Jupyter (missing or stale): ${todo[*]}"
    scripts/services.sh start >/dev/null
    eval "$(scripts/services.sh env)"
    dotnet build src/Shared -nologo -v quiet >/dev/null || die "dotnet build src/Shared failed"
    for name in "${todo[@]}"; do
      t0="$(date +%s.%N)"; rc=0
      jupyter nbconvert --to notebook --execute --allow-errors \
        --ExecutePreprocessor.kernel_name=.net-csharp --ExecutePreprocessor.timeout=600 \
        --output-dir "$EXEC" "notebooks/$name" >"$EXEC/${name%.ipynb}.log" 2>&1 || rc=$?
      t1="$(date +%s.%N)"
      touch "$EXEC/times.tsv"
      grep -v "^$name	" "$EXEC/times.tsv" >"$EXEC/times.tsv.new" || true
      printf '%s\t%s\t%s\n' "$name" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')" "$rc" >>"$EXEC/times.tsv.new"
      mv "$EXEC/times.tsv.new" "$EXEC/times.tsv"
      [ "$rc" = 0 ] || say "nbconvert failed on $name (exit $rc): see $EXEC/${name%.ipynb}.log"
    done
  fi
fi

# 2. Kernel-free visualizers, computed by the library (src/Shared/Book).
t0=$SECONDS
log="$(mktemp)"
if ! dotnet build tests/Site.Browser -nologo -v quiet >"$log" 2>&1; then cat "$log" >&2; rm -f "$log"; die "dotnet build tests/Site.Browser failed"; fi
rm -f "$log"
rm -rf artifacts/book/viz
dotnet "$TOOL_DLL" export artifacts/book/viz
say "visualizer grids exported ($((SECONDS - t0)) s)"

# 3. The site.
t0=$SECONDS
python3 book/build.py --executed "$EXEC" --out site --viz artifacts/book/viz
say "site/ built ($((SECONDS - t0)) s): open site/index.html"

# 4. The browser test.
if [ "$run_test" = 1 ]; then
  dotnet "$TOOL_DLL" test site artifacts/site-screenshots
fi
