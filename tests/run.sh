#!/usr/bin/env bash
# Runs PrepaidPower's whole test suite and prints one summary line: "N passed, N failed, N skipped".
# Installs the Debian packages the tests need when they are missing and we are root (CI is); servers
# (PostgreSQL, …) are started by the tests themselves through the project's own helpers.
set -uo pipefail
cd "$(dirname "$0")/.."

need=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
command -v mbpoll >/dev/null || need+=(mbpoll)
/usr/bin/python3 -c "import pymodbus" 2>/dev/null || need+=(python3-pymodbus)
if ((${#need[@]})); then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing test dependencies: ${need[*]}"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}") >/dev/null \
      || echo "warning: could not install ${need[*]}; tests that need them will fail" >&2
  else
    echo "The tests need: ${need[*]} (sudo apt-get install -y ${need[*]})" >&2
  fi
fi

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if ! dotnet build PrepaidPower.sln -c Release -nologo -v q; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

dotnet test PrepaidPower.sln -c Release --no-build --nologo \
  --logger "trx" --results-directory "$results" -- RunConfiguration.TreatNoTestsAsError=false
status=$?

passed=0 failed=0 total=0
for f in "$results"/*.trx; do
  [ -e "$f" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$f")
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  x=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})) failed=$((failed + ${x:-0})) total=$((total + ${t:-0}))
done
skipped=$((total - passed - failed))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1   # the runner itself failed (crash, timeout): never report that as green
fi
echo
echo "$passed passed, $failed failed, $skipped skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
