#!/bin/sh
# prepare.sh KIND: everything a boot of the KIND kernel needs: host packages,
# sources, the guest root filesystem, igt-tests and the kernel itself.
set -eu
. "$(dirname "$0")/common.sh"

"$WB_DIR/host-deps.sh"
"$WB_DIR/fetch-source.sh"
"$WB_DIR/rootfs.sh"
"$WB_DIR/build-igt-tests.sh"
"$WB_DIR/build-kernel.sh" "$1"
