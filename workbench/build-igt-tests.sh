#!/bin/sh
# Build the project's igt-tests/ against the guest's libraries: compiled in a
# chroot of the guest root filesystem, installed in $WB_BUILD/igt-tests
# (the guest sees it as /wb/build/igt-tests).
set -eu
. "$(dirname "$0")/common.sh"

out=$WB_BUILD/igt-tests
root=$WB_BUILD/rootfs
mkdir -p "$out"
[ -f "$WB_TOP/igt-tests/Makefile" ] || exit 0

log=$WB_BUILD/logs/igt-tests.log
scratch=$root/tmp/wb-igt-tests
rm -rf "$scratch"
cp -r "$WB_TOP/igt-tests" "$scratch"
chroot "$root" make -C /tmp/wb-igt-tests >"$log" 2>&1 ||
	die "building igt-tests failed" "$log"
chroot "$root" make -s -C /tmp/wb-igt-tests print-bins | while read -r bin; do
	cmp -s "$scratch/$bin" "$out/$bin" || cp "$scratch/$bin" "$out/$bin"
done
rm -rf "$scratch"
