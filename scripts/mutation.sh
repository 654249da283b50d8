#!/usr/bin/env bash
# Mutation testing of src/Shared, one area (a folder of src/Shared) at a time, with Stryker.NET (pinned in
# dotnet-tools.json) and the area's own tests in tests/Shared.Tests/<Area>/.
#
#   ./scripts/mutation.sh [AREA…]     no area: every folder of src/Shared
#
# For each area it starts the real servers that area's tests need (scripts/services.sh, honouring
# SDN_STATE_DIR and the SDN_*_PORT variables, so run it with your own), runs Stryker from tests/Shared.Tests
# with --project Shared.csproj --mutate "**/AREA/**/*.cs" (one session for all the named areas), keeps the
# log, the JSON report and the list of surviving mutants under artifacts/mutation/<Area+Area…>/, and
# replaces each area's row in the table of docs/quality.md.
#
#   MUTATION_CONCURRENCY=N   Stryker's parallel test runners (default: nproc)
#   MUTATION_ALL_TESTS=1     run the whole of tests/Shared.Tests against the mutants, not only the area's
#                            tests (slower; credits mutants killed by other areas' tests)
#   MUTATION_NO_SERVERS=1    start no server (the real-system tests then skip and their mutants survive)
#   MUTATION_STRYKER_ARGS    more Stryker options, e.g. "--disable-bail" (every killing test is recorded in
#                            the report's killedBy, not only the first)
#
# Slow (minutes per area on 2 cores): not part of .ci/run. CONTRIBUTING.md says when to run it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
CONCURRENCY="${MUTATION_CONCURRENCY:-$(nproc)}"
QUALITY="$ROOT/docs/quality.md"

# The servers each area's tests use (RealSystem.Require…/Servers.… in tests/Shared.Tests/<Area>/).
services_for() {
  case "$1" in
    Api|Search|Transactions) echo postgres ;;
    Caching) echo postgres redis ;;
    DataModels|Probabilistic) echo redis ;;
    Consistency) echo postgres redis redis-sentinel etcd ;;
    DistributedTransactions) echo postgres postgres-2pc rabbitmq ;;
    Distribution) echo redis-cluster redis-cluster3 ;;
    Edge) echo dns-chain varnish ;;
    Indexing) echo postgres redis ;;
    Locking) echo postgres redis etcd ;;
    Messaging) echo postgres rabbitmq nats ;;
    ObjectStorage) echo s3 ;;
    Observability) echo prometheus ;;
    RealTime) echo redis ;;
    Replication) echo postgres postgres-standby redis ;;
    RealSystems) echo postgres postgres-standby redis redis-cluster redis-cluster3 redis-sentinel etcd ;;
    *) ;;
  esac
}

if [ "$#" -gt 0 ]; then
  AREAS=("$@")
else
  mapfile -t AREAS < <(find src/Shared -mindepth 1 -maxdepth 1 -type d ! -name bin ! -name obj -printf '%f\n' | sort)
fi
for area in "${AREAS[@]}"; do
  [ -d "src/Shared/$area" ] || { echo "mutation: no folder src/Shared/$area" >&2; exit 2; }
done

dotnet tool restore >/dev/null

# One Stryker session for all the named areas: building the mutated library is most of the time of a small
# area, so areas named together share it. Each area's mutants face the union of the named areas' tests.
services=""
mutate=()
tests=()
for area in "${AREAS[@]}"; do
  services="$services $(services_for "$area")"
  mutate+=(--mutate "**/$area/**/*.cs")
  tests+=("FullyQualifiedName~SystemDesign.Tests.$area.")
done
services="$(printf '%s\n' $services | sort -u | tr '\n' ' ' | sed 's/^ *//; s/ *$//')"
if [ -n "${services// /}" ] && [ -z "${MUTATION_NO_SERVERS:-}" ]; then
  # shellcheck disable=SC2086
  ./scripts/services.sh start $services
  # shellcheck disable=SC2086
  eval "$(./scripts/services.sh env $services)"
fi
filter=()
if [ -z "${MUTATION_ALL_TESTS:-}" ]; then
  filter=(--test-case-filter "$(IFS='|'; echo "${tests[*]}")")
fi
name="$(IFS=+; echo "${AREAS[*]}")"
[ "${#name}" -le 80 ] || name="all"
out="$ROOT/artifacts/mutation/$name"
rm -rf "$out"
mkdir -p "$out"
echo "mutation: ${AREAS[*]} (concurrency $CONCURRENCY; servers: ${services:-none}); log and report in $out"
started=$(date +%s)
# Each test that connects to a server first resumes or restarts its members through services.sh (see
# RealSystem.ReviveBeforeEachTest): a mutant of Faults must not leave a member paused for the next mutants.
(cd tests/Shared.Tests && SDN_REVIVE_BEFORE_EACH_TEST=1 dotnet stryker --project Shared.csproj "${mutate[@]}" \
    --reporter json --reporter progress --concurrency "$CONCURRENCY" --output "$out" \
    --skip-version-check "${filter[@]}" ${MUTATION_STRYKER_ARGS:-}) > "$out/stryker.log" 2>&1 || {
  tail -n 30 "$out/stryker.log" >&2
  echo "mutation: Stryker failed (log: $out/stryker.log)" >&2
  exit 1
}
seconds=$(( $(date +%s) - started ))
report="$(find "$out" -name mutation-report.json | head -n 1)"
[ -n "$report" ] || { echo "mutation: Stryker wrote no mutation-report.json (see $out/stryker.log)" >&2; exit 1; }
python3 "$ROOT/tools/mutation_summary.py" "$report" "$QUALITY" "$seconds" "${AREAS[@]}" | tee "$out/summary.txt"
