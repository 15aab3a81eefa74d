#!/bin/sh
# Build the project's guest programs (igt-tests/, benchmark/) against the
# guest's libraries: each directory is compiled in a chroot of the guest root
# filesystem with its Makefile (targets all and print-bins) and its binaries
# installed in $WB_BUILD/<dir> (the guest sees them as /wb/build/<dir>/).
set -eu
. "$(dirname "$0")/common.sh"

root=$WB_BUILD/rootfs
mkdir -p "$WB_BUILD/logs"
for dir in igt-tests benchmark; do
	[ -f "$WB_TOP/$dir/Makefile" ] || continue
	out=$WB_BUILD/$dir
	log=$WB_BUILD/logs/$dir.log
	scratch=$root/tmp/wb-$dir
	mkdir -p "$out"
	rm -rf "$scratch"
	cp -r "$WB_TOP/$dir" "$scratch"
	chroot "$root" make -C "/tmp/wb-$dir" >"$log" 2>&1 ||
		die "building $dir failed" "$log"
	chroot "$root" make -s -C "/tmp/wb-$dir" print-bins | while read -r bin; do
		cmp -s "$scratch/$bin" "$out/$bin" || cp "$scratch/$bin" "$out/$bin"
	done
	rm -rf "$scratch"
done
