#!/usr/bin/env bash
# The whole test suite, as CI runs it (README: "Run the tests").
#   1. installs missing Debian packages (scripts/setup.sh);
#   2. main tree (gcc, RelWithDebInfo): every test — unit, property, golden, integration with real
#      FRR / BIRD / GoBGP / ExaBGP peers;
#   3. ASan+UBSan tree (clang): the unit tests again, then every libFuzzer target for a bounded time
#      on its seed corpus;
#   4. TSan tree (clang): the concurrency tests.
# RF_STAGES selects stages (default "main asan fuzz tsan"); RF_FUZZ_SECONDS is the time per fuzzer.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

stages=${RF_STAGES:-main asan fuzz tsan}
fuzz_seconds=${RF_FUZZ_SECONDS:-20}
werror=OFF
[ "${CI:-}" = "true" ] && werror=ON

bash scripts/setup.sh || exit 1

passed=0
failed=0
status=0

# run_ctest DIR ARGS...: runs ctest and adds its counts to the totals.
run_ctest() {
  local dir=$1
  shift
  local log
  log=$(mktemp)
  (cd "$dir" && ctest --output-on-failure --no-tests=error "$@") 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  local line
  line=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -1)
  if [ -n "$line" ]; then
    local f total
    f=$(echo "$line" | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/')
    total=$(echo "$line" | sed -E 's/.* tests failed out of ([0-9]+).*/\1/')
    passed=$((passed + total - f))
    failed=$((failed + f))
  elif [ "$rc" -ne 0 ]; then
    failed=$((failed + 1))
  fi
  rm -f "$log"
  [ "$rc" -eq 0 ] || status=1
}

# build DIR TARGET... -- CMAKE_OPTIONS...: configures DIR with exactly these options every time (a tree
# the demo or an earlier run configured otherwise is reconfigured, never reused as it was), then builds.
build() {
  local dir=$1
  shift
  local targets=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do targets+=("$1"); shift; done
  shift
  if [ -f "$dir/CMakeCache.txt" ] && { ! grep -qx 'CMAKE_GENERATOR:INTERNAL=Ninja' "$dir/CMakeCache.txt" ||
      ! grep -qxF "CMAKE_HOME_DIRECTORY:INTERNAL=$root" "$dir/CMakeCache.txt"; }; then
    echo "test: $dir was configured with another generator or source tree; configuring it anew"
    rm -rf "$dir/CMakeCache.txt" "$dir/CMakeFiles"
  fi
  local log
  log=$(mktemp)
  if ! cmake -S "$root" -B "$dir" -G Ninja -DRF_TESTS=ON "$@" >"$log" 2>&1; then
    cat "$log"
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
  cmake --build "$dir" --parallel "${RF_JOBS:-$(nproc)}" ${targets:+--target "${targets[@]}"}
}

stage() { echo; echo "=== $* ==="; }

for s in $stages; do
  case $s in
    main)
      stage "main build (gcc) and every test"
      if build build all -- -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRF_BENCH=ON -DRF_WERROR=$werror; then
        run_ctest build -j "$(nproc)"
      else
        echo "main build failed"; failed=$((failed + 1)); status=1
      fi
      ;;
    asan)
      stage "unit tests under ASan+UBSan (clang)"
      if CC=clang CXX=clang++ build build-asan rf_unit_tests rf_fuzzers -- -DCMAKE_BUILD_TYPE=Debug \
          -DRF_SANITIZE=ON -DRF_FUZZ=ON -DRF_BENCH=OFF -DRF_WERROR=$werror; then
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
          run_ctest build-asan -L unit -j "$(nproc)"
      else
        echo "ASan build failed"; failed=$((failed + 1)); status=1
      fi
      ;;
    fuzz)
      stage "libFuzzer targets, ${fuzz_seconds}s each (ASan+UBSan)"
      for fz in build-asan/fuzz/fuzz_*; do
        [ -x "$fz" ] || continue
        name=$(basename "$fz")
        work=$(mktemp -d)
        seeds="tests/fuzz/corpus/${name#fuzz_}"
        [ -d "$seeds" ] && cp -r "$seeds/." "$work/"
        if (cd "$work" && "$root/$fz" -max_total_time="$fuzz_seconds" -print_final_stats=1 \
              -rss_limit_mb=4096 "$work" 2>&1 | tail -15); then
          echo "fuzz $name: ok"; passed=$((passed + 1))
        else
          echo "fuzz $name: FAILED (crash input kept in $work)"; failed=$((failed + 1)); status=1
          continue
        fi
        rm -rf "$work"
      done
      ;;
    tsan)
      stage "concurrency tests under TSan (clang)"
      if CC=clang CXX=clang++ build build-tsan rf_tsan_tests -- -DCMAKE_BUILD_TYPE=RelWithDebInfo \
          -DRF_TSAN=ON -DRF_BENCH=OFF -DRF_WERROR=$werror; then
        TSAN_OPTIONS=halt_on_error=1 run_ctest build-tsan -L tsan -j "$(nproc)"
      else
        echo "TSan build failed"; failed=$((failed + 1)); status=1
      fi
      ;;
    *) echo "unknown stage $s"; exit 2 ;;
  esac
done

echo
echo "routefabric: $passed passed, $failed failed"
exit $status
