#!/usr/bin/env bash
# build.sh [plain|asan] - configure (once) and build Ferry into build/ or
# build-asan/ (AddressSanitizer + UndefinedBehaviorSanitizer).
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-plain}
case "$kind" in
  plain) dir=build; opts=(-Ddebug=false -Dcpp_args=-g1 -Dc_args=-g1) ;;
  # -Og and line tables only: the sanitizer build compiles three times
  # faster than at -O2 -g and its stack traces still name every line.
  asan)  dir=build-asan; opts=(-Db_sanitize=address,undefined -Db_lundef=false -Dbench=false
           -Doptimization=g -Ddebug=false -Dcpp_args=-g1 -Dc_args=-g1) ;;
  *) echo "build.sh: unknown build kind \"$kind\" (plain or asan)" >&2; exit 2 ;;
esac
if [ ! -f "$dir/build.ninja" ]; then
  meson setup "$dir" "${opts[@]}" >/dev/null
fi
ninja -C "$dir" >/dev/null
echo "$dir"
