#!/usr/bin/env bash
# run.sh - quick start: install what is needed, build, and run Ferry on its
# embedded default configuration (state under ./state, or $FERRY_STATE).
#
# What runs today (issue 3, the foundation): the configuration tools and the
# lookup tables.  The mail server itself (listening on 127.0.0.1) arrives
# with the receive-path issue.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
dir=$(bash scripts/build.sh plain)
export FERRY_STATE=${FERRY_STATE:-$PWD/state}
export FERRY_REGISTRY_DIR=$PWD/etc/modules.d
export FERRY_MODULE_PATH=$PWD/$dir/plugins/maps-hash:$PWD/$dir/plugins/maps-regexp
ferry=$PWD/$dir/core/cmd/ferry
etc=$FERRY_STATE/etc
mkdir -p "$etc"

echo "== ferry conf --embedded -n: the embedded default configuration in effect"
"$ferry" conf --embedded -n | tee "$etc/main.cf"

echo "== ferry conf -m: table types (built in and from modules)"
"$ferry" conf -c "$etc" -m | tr '\n' ' '; echo

echo "== ferry map: build hash:$etc/transport and look a key up"
printf 'fax.your.domain   fax:localhost\nthe.backed-up.domain.tld   relay:[mail.example]\n' > "$etc/transport"
"$ferry" map -c "$etc" "hash:$etc/transport"
"$ferry" map -c "$etc" -q fax.your.domain "hash:$etc/transport"

echo "== ferry map: the FAQ's regexp filter against |command addresses"
printf '/[/|]/  REJECT\n' > "$etc/access.regexp"
printf '|/bin/sh\nuser@example.com\n' | "$ferry" map -c "$etc" -q - "regexp:$etc/access.regexp"
