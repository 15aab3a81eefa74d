#!/bin/sh
# prepare.sh [KIND]: everything a boot of the KIND kernel needs: host
# packages, sources, the guest root filesystem, the guest programs
# (igt-tests, benchmark) and the kernel itself (none without KIND).
set -eu
. "$(dirname "$0")/common.sh"

# A fresh workbench needs about 15 GiB (two trees, two builds, ccache, the
# guest), a built one a few GiB for rebuilds and results.
need=4
[ -d "$WB_BUILD/linux" ] || need=15
mkdir -p "$WB_BUILD"
free=$(df -Pk "$WB_BUILD" | awk 'NR == 2 { print int($4 / 1048576) }')
[ "$free" -ge "$need" ] ||
	die "only ${free} GiB free on the disk of $WB_BUILD, the workbench needs ${need} GiB"

"$WB_DIR/host-deps.sh"
"$WB_DIR/fetch-source.sh"
"$WB_DIR/rootfs.sh"
"$WB_DIR/build-guest-programs.sh"
[ -z "${1:-}" ] || "$WB_DIR/build-kernel.sh" "$1"
