#!/usr/bin/env bash
# The README's two commands as a new user runs them, on clean clones of this repository's HEAD: in both
# orders, and each one again afterwards:
#   clone 1: bash scripts/demo.sh, bash scripts/test.sh, bash scripts/demo.sh, bash scripts/test.sh
#   clone 2: bash scripts/test.sh, bash scripts/demo.sh
# Every command must exit 0. Slow (two full builds and the test suite three times): an optional check, run
# by hand or by a CI job with the time, not by scripts/test.sh:
#   bash scripts/first_contact.sh
# RF_STAGES is passed to scripts/test.sh (default here "main", the gcc tree and every test; set it to
# "main asan fuzz tsan" for the whole suite). RF_FIRST_CONTACT_KEEP=1 keeps the clones (their paths are
# printed). Prints one line per command and a summary; exits non-zero if any command failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
stages=${RF_STAGES:-main}
work=$(mktemp -d "${TMPDIR:-/tmp}/rf-first-contact.XXXXXX")
results=()
failed=0

run() {  # run CLONE NAME COMMAND...
  local clone=$1 name=$2
  shift 2
  local log="$work/$(basename "$clone")-$((${#results[@]} + 1))-$name.log"
  local start=$SECONDS
  if (cd "$clone" && RF_STAGES=$stages "$@") >"$log" 2>&1; then
    results+=("ok    $(basename "$clone"): $name ($((SECONDS - start)) s)")
  else
    results+=("FAIL  $(basename "$clone"): $name ($((SECONDS - start)) s), log $log")
    failed=$((failed + 1))
    tail -n 20 "$log"
  fi
  echo "${results[-1]}"
}

for clone in demo-first tests-first; do
  git clone -q "$root" "$work/$clone" || { echo "first_contact: cannot clone $root"; exit 1; }
done
run "$work/demo-first" demo bash scripts/demo.sh
run "$work/demo-first" tests bash scripts/test.sh
run "$work/demo-first" "demo again" bash scripts/demo.sh
run "$work/demo-first" "tests again" bash scripts/test.sh
run "$work/tests-first" tests bash scripts/test.sh
run "$work/tests-first" demo bash scripts/demo.sh

echo
echo "first contact (test stages: $stages):"
printf '  %s\n' "${results[@]}"
if [ "${RF_FIRST_CONTACT_KEEP:-0}" = 1 ] || [ "$failed" -ne 0 ]; then
  echo "clones and logs kept in $work"
else
  rm -rf "$work"
fi
[ "$failed" -eq 0 ]
