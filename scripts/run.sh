#!/usr/bin/env bash
# run.sh - quick start: install what is needed, build, and run Ferry on its
# embedded default configuration.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
dir=$(bash scripts/build.sh plain)
state=${FERRY_STATE:-$PWD/state}
mkdir -p "$state"
echo "== ferry conf -n (the embedded default configuration in effect)"
"$dir/core/cmd/ferry" conf -n
echo "== ferry map -q postmaster inline:{postmaster=root}"
"$dir/core/cmd/ferry" map -q postmaster 'inline:{postmaster=root}'
