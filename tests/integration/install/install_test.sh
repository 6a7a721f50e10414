#!/usr/bin/env bash
# install_test.sh - `meson install` into a scratch DESTDIR puts everything in
# place (ferry, its Postfix-named symlinks, modules, registry, headers,
# ferry-module.pc), and the example module in examples/ builds against the
# installed SDK alone and answers through the installed ferry.
set -euo pipefail
build=$1
src=$FERRY_SOURCE_ROOT
dest=$(mktemp -d /tmp/ferry-install-XXXXXX)
trap 'rm -rf "$dest"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

meson install -C "$build" --destdir "$dest" --no-rebuild >/dev/null
prefix=$(meson introspect "$build" --buildoptions | python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"][0])')
root=$dest$prefix
sbin=$(find "$dest" -type f -name ferry -perm -u+x | head -1)
[ -n "$sbin" ] || fail "ferry not installed"
for n in postconf postmap postalias newaliases postfix sendmail mailq postqueue postsuper; do
  [ "$(readlink "$(dirname "$sbin")/$n")" = ferry ] || fail "$n is not a symlink to ferry"
done
hdr=$(find "$dest" -path '*/include/ferry/plugin.h' | head -1)
[ -n "$hdr" ] || fail "plugin.h not installed"
pc=$(find "$dest" -name ferry-module.pc | head -1)
[ -n "$pc" ] || fail "ferry-module.pc not installed"
moddir=$(find "$dest" -name maps-hash.so -printf '%h\n' | head -1)
[ -n "$moddir" ] || fail "maps-hash.so not installed"
regdir=$(find "$dest" -name maps-hash.conf -printf '%h\n' | head -1)
[ -n "$regdir" ] || fail "registry snippets not installed"

# Build the example against the installed SDK only, via pkg-config.
export PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_SYSROOT_DIR=$dest
cflags=$(pkg-config --cflags ferry-module)
work=$(mktemp -d /tmp/ferry-example-XXXXXX)
trap 'rm -rf "$dest" "$work"' EXIT
cc -std=c99 -Wall -Wextra -Werror -shared -fPIC -fvisibility=hidden $cflags \
   -o "$work/maps-upper.so" "$src/examples/maps-example/upper.c" || fail "example did not build against the installed SDK"
mkdir -p "$work/registry" "$work/conf"
cp "$regdir"/*.conf "$work/registry/"
echo "map upper $work/maps-upper.so" > "$work/registry/maps-upper.conf"
: > "$work/conf/main.cf"
export FERRY_REGISTRY_DIR=$work/registry FERRY_MODULE_PATH=$moddir
out=$("$(dirname "$sbin")/postmap" -c "$work/conf" -q hello upper:x) || fail "upper lookup failed"
[ "$out" = HELLO ] || fail "upper lookup answered \"$out\""
if "$(dirname "$sbin")/postmap" -c "$work/conf" -q "" upper:x; then fail "empty key was found"; fi
set +e
"$(dirname "$sbin")/postmap" -c "$work/conf" -q tempfail upper:x 2>"$work/err"
rc=$?
set -e
[ $rc -eq 75 ] || fail "temporary failure exit status $rc, expected 75"
grep -q "table upper:x: query error: upper:x: asked to fail" "$work/err" || fail "tempfail message: $(cat "$work/err")"
"$(dirname "$sbin")/postconf" -c "$work/conf" -m | grep -qx upper || fail "postconf -m does not list upper"
echo "install: ok"
