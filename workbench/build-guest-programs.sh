#!/bin/sh
# Build the project's guest programs (igt-tests/, benchmark/, wayland/) against the
# guest's libraries: each directory is compiled in a chroot of the guest root
# filesystem with its Makefile (targets all and print-bins) and its binaries
# installed in $WB_BUILD/<dir> (the guest sees them as /wb/build/<dir>/).
set -eu
. "$(dirname "$0")/common.sh"

root=$WB_BUILD/rootfs
scratch=$root/tmp/wb-src
mkdir -p "$WB_BUILD/logs"
rm -rf "$scratch"
mkdir -p "$scratch"
# Side by side, as in the project: benchmark/ uses igt-tests/lib.
cp -r "$WB_TOP/igt-tests" "$WB_TOP/benchmark" "$WB_TOP/wayland" "$scratch/"
for dir in igt-tests benchmark wayland; do
	[ -f "$WB_TOP/$dir/Makefile" ] || continue
	out=$WB_BUILD/$dir
	log=$WB_BUILD/logs/$dir.log
	mkdir -p "$out"
	chroot "$root" make -C "/tmp/wb-src/$dir" >"$log" 2>&1 ||
		die "building $dir failed" "$log"
	chroot "$root" make -s -C "/tmp/wb-src/$dir" print-bins | while read -r bin; do
		cmp -s "$scratch/$dir/$bin" "$out/$bin" || cp "$scratch/$dir/$bin" "$out/$bin"
	done
done
rm -rf "$scratch"
