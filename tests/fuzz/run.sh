#!/usr/bin/env bash
# run.sh - build the libFuzzer targets with clang and run each for a bounded
# time (FUZZ_SECONDS, default 12) from the seed corpus.  A crash, leak or
# sanitizer report fails the run; a fresh crash input is left in build-fuzz/.
# The seed is fixed (FUZZ_SEED, default 1) so a CI run can be repeated
# exactly; set FUZZ_SEED=0 for a random one when hunting.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${FUZZ_SECONDS:-12}
seed=${FUZZ_SEED:-1}
dir=build-fuzz
if [ ! -f "$dir/build.ninja" ]; then
  CC=clang-14 CXX=clang++-14 meson setup "$dir" -Dfuzz=true -Dtests=false -Dbench=false \
    -Db_sanitize=address,undefined -Db_lundef=false \
    -Ddebug=false "-Dcpp_args=-fsanitize=fuzzer-no-link -g1" "-Dc_args=-fsanitize=fuzzer-no-link -g1" >/dev/null
fi
ninja -C "$dir" >/dev/null
status=0
run_one() { # name corpus-dir [env...]
  local name=$1 corpus=$2; shift 2
  local work="$dir/tests/fuzz/$name-corpus"
  mkdir -p "$work"
  echo "== fuzz $name for ${secs}s"
  if ! env "$@" "$dir/tests/fuzz/$name" -max_total_time="$secs" -seed="$seed" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$dir/tests/fuzz/$name-" "$work" "tests/fuzz/corpus/$corpus" \
      >"$dir/tests/fuzz/$name.log" 2>&1; then
    echo "fuzz: $name failed; see $dir/tests/fuzz/$name.log" >&2
    tail -30 "$dir/tests/fuzz/$name.log" >&2
    status=1
  fi
}
run_one fuzz_table_source table_source
run_one fuzz_regexp_table regexp_table FERRY_FUZZ_MODULE="$PWD/$dir/plugins/maps-regexp/maps-regexp.so"
for t in "$dir"/tests/fuzz/fuzz_*; do
  case "$t" in *.log|*-corpus|*-crash-*|*-leak-*|*-timeout-*|*-oom-*) continue ;; esac
  n=$(basename "$t")
  case "$n" in fuzz_table_source|fuzz_regexp_table) ;; *)
    [ -d "tests/fuzz/corpus/${n#fuzz_}" ] && run_one "$n" "${n#fuzz_}" ;;
  esac
done
exit $status
