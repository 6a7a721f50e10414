#!/usr/bin/env bash
# bench.sh [hash|regexp|pcre|mysql|ldap|smtp|all] - build Ferry (plain,
# optimised) and print its numbers side by side with Postfix's on the same
# files in one run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
dir=$(bash scripts/build.sh plain)
what=${1:-all}
export FERRY_REGISTRY_DIR=$PWD/etc/modules.d
export FERRY_MODULE_PATH=$PWD/$dir/plugins/maps-hash:$PWD/$dir/plugins/maps-regexp:$PWD/$dir/plugins/maps-mysql:$PWD/$dir/plugins/maps-ldap
export FERRY_MAP_BENCH=$PWD/$dir/bench/map_lookup_bench
case "$what" in
  hash|regexp|pcre) python3 bench/tables_bench.py "$PWD/$dir/tests" "$what" ;;
  mysql|ldap) python3 bench/directory_bench.py "$PWD/$dir/tests" "$PWD/$dir/bench/async_lookup_bench" "$what" ;;
  smtp) python3 bench/smtp_bench.py "$PWD/$dir/tests" all ;;
  all)
    python3 bench/tables_bench.py "$PWD/$dir/tests" all
    python3 bench/directory_bench.py "$PWD/$dir/tests" "$PWD/$dir/bench/async_lookup_bench" all
    python3 bench/smtp_bench.py "$PWD/$dir/tests" all ;;
  *) echo "bench.sh: unknown benchmark \"$what\"" >&2; exit 2 ;;
esac
