#!/usr/bin/env bash
# test.sh - install what is needed, build (plain and sanitizer), and run the
# whole test suite in both builds.  Exit status is non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1

total_pass=0 total_fail=0
run_suite() { # $1 = build kind
  local dir
  dir=$(bash scripts/build.sh "$1") || { echo "test: $1 build failed" >&2; total_fail=$((total_fail+1)); return; }
  echo "== meson test ($1, $dir)"
  # The sanitizer build runs the long differential tests at a smaller scale.
  local scale=full; [ "$1" = asan ] && scale=small
  FERRY_TEST_SCALE=$scale meson test -C "$dir" --print-errorlogs --num-processes 3 "${MESON_TEST_ARGS[@]}" 2>&1 | tee "$dir/test-summary.txt" | grep -E '^(Ok|Fail|Expected|Unexpected|Skipped|Timeout):|FAIL|ERROR' || true
  local ok fail
  ok=$(awk '/^Ok:/{print $2}' "$dir/test-summary.txt")
  fail=$(awk '/^(Fail|Unexpected Pass|Timeout):/{s+=$2} END{print s+0}' "$dir/test-summary.txt")
  total_pass=$((total_pass + ${ok:-0}))
  total_fail=$((total_fail + ${fail:-0}))
  [ -n "$ok" ] || total_fail=$((total_fail+1))
}
MESON_TEST_ARGS=("$@")
run_suite plain
run_suite asan
if [ -x tests/fuzz/run.sh ]; then
  bash tests/fuzz/run.sh || total_fail=$((total_fail+1))
fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
