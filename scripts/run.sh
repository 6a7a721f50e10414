#!/usr/bin/env bash
# run.sh - quick start: install what is needed, build, and run Ferry on its
# embedded default configuration (state under ./state, or $FERRY_STATE):
# the SMTP server on 127.0.0.1:2525, in the foreground, its log on the
# terminal and in state/maillog.  Stop it with Ctrl-C.
#
# Try it from another terminal:
#   swaks --server 127.0.0.1:2525 --to root@localhost
# The message is delivered to the Maildir state/mail/root/ (new/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
dir=$(bash scripts/build.sh plain)
export FERRY_STATE=${FERRY_STATE:-$PWD/state}
export FERRY_REGISTRY_DIR=$PWD/etc/modules.d
export FERRY_MODULE_PATH=$(ls -d "$PWD/$dir"/plugins/*/ | tr '\n' ':')
ferry=$PWD/$dir/core/cmd/ferry
etc=$FERRY_STATE/etc
mkdir -p "$etc"

# The embedded configuration, written out so `postfix -c` and `postconf -c`
# see exactly what runs.
"$ferry" conf --embedded -n > "$etc/main.cf"
"$ferry" conf --embedded -M > "$etc/master.cf"
echo "== configuration in effect ($etc/main.cf):"
cat "$etc/main.cf"
echo "== starting Ferry on 127.0.0.1:2525; log: $FERRY_STATE/maillog"
echo "   send a message:  swaks --server 127.0.0.1:2525 --to root@localhost"
echo "   delivered mail:  ls $FERRY_STATE/mail/root/new/"
# start-fg copies every log line to the terminal as well.
exec "$ferry" start-fg -c "$etc"
