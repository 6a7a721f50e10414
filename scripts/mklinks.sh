#!/bin/sh
# mklinks.sh TARGET OUTDIR NAME... - make OUTDIR/NAME symlinks to TARGET, so
# tests run the Postfix command names through symlinks as installs do.
target=$1; outdir=$2; shift 2
for n in "$@"; do ln -sf "$target" "$outdir/$n"; done
