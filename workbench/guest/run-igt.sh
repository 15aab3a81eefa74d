#!/bin/sh
# run-igt.sh LIST OUTDIR: run each line of LIST ("driver binary [subtests]")
# with IGT_FORCE_DRIVER=driver, one invocation a line. For each it writes
# OUTDIR/N.out (the test's output), N.dmesg (the kernel log during it) and
# a line "N<TAB>binary<TAB>exit code" to OUTDIR/index.
list=$1
out=$2
timeout=$(sed -n 's/.*\bwb\.timeout=\([0-9]*\).*/\1/p' /proc/cmdline)
: "${timeout:=240}"
mkdir -p "$out"
: >"$out/index"
n=0
grep -v -e '^#' -e '^[[:space:]]*$' "$list" | while read -r drv bin subtests; do
	n=$((n + 1))
	exe=/usr/libexec/igt-gpu-tools/$bin
	[ -x "$exe" ] || exe=/wb/build/igt-tests/$bin
	set --
	[ -z "$subtests" ] || set -- --run-subtest "$subtests"
	echo "wb: [$n] $drv $bin $*" >/dev/kmsg
	dmesg -C
	IGT_FORCE_DRIVER=$drv timeout -k 10 "$timeout" "$exe" "$@" >"$out/$n.out" 2>&1
	rc=$?
	dmesg >"$out/$n.dmesg"
	printf '%s\t%s\t%s\n' "$n" "$bin" "$rc" >>"$out/index"
	echo "wb: [$n] $bin exit $rc" >/dev/kmsg
done
