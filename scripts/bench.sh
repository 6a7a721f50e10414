#!/usr/bin/env bash
# bench.sh [hash|regexp|pcre|all] - build Ferry (plain, optimised) and print
# its numbers side by side with Postfix's on the same files in one run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
dir=$(bash scripts/build.sh plain)
export FERRY_REGISTRY_DIR=$PWD/etc/modules.d
export FERRY_MODULE_PATH=$PWD/$dir/plugins/maps-hash:$PWD/$dir/plugins/maps-regexp
export FERRY_MAP_BENCH=$PWD/$dir/bench/map_lookup_bench
python3 bench/tables_bench.py "$PWD/$dir/tests" "${1:-all}"
