#!/bin/sh
# run-igt.sh LIST OUTDIR [faults]: run each line of LIST ("driver binary
# [subtests]") with IGT_FORCE_DRIVER=driver, one invocation a line. With
# "faults", 20 % of the slab and page allocations made by the chunk helper's
# code for the test's processes fail (fault injection's task and stacktrace
# filters; needs a debug kernel). For each it writes
# OUTDIR/N.out (the test's output), N.dmesg (the kernel log during it) and
# a line "N<TAB>binary<TAB>exit code" to OUTDIR/index (after a kernel oops
# the code is "died" and the list stops there); with "faults" also
# OUTDIR/{before,after} (live dma-bufs, memory available), to show that
# what the failed calls allocated was given back.
list=$1
out=$2
timeout=$(sed -n 's/.*\bwb\.timeout=\([0-9]*\).*/\1/p' /proc/cmdline)
: "${timeout:=240}"
mkdir -p "$out"
: >"$out/index"
faults=${3:-}
n=0
if [ "$faults" = faults ]; then
	# Only allocations with the helper's code on the stack fail: the rest of
	# the system (the 9p root filesystem above all) must keep working. The
	# helper's functions (all drm_gem_chunk*) are one run in the kernel's
	# text, the first; the range ends at the function after it.
	range=$(sort /proc/kallsyms | awk '
		$2 !~ /^[tT]$/ || end { next }
		$3 ~ /^(__pfx_)?_*drm_gem_chunk/ { if (!start) start = $1; next }
		start { end = $1 }
		END { if (end) print start, end }')
	[ -n "$range" ] || { echo "wb: no drm_gem_chunk symbols in /proc/kallsyms" >/dev/kmsg; exit 1; }
	for f in failslab fail_page_alloc; do
		d=/sys/kernel/debug/$f
		[ -d "$d" ] || { echo "wb: no $d: not a fault injection kernel" >/dev/kmsg; exit 1; }
		echo "0x${range% *}" >"$d/require-start"
		echo "0x${range#* }" >"$d/require-end"
		echo Y >"$d/task-filter"
		echo 20 >"$d/probability"
		echo -1 >"$d/times"
		echo 1 >"$d/verbose"
		echo N >"$d/ignore-gfp-wait"
	done
	echo N >/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem
fi
# state FILE: dma-bufs alive and memory available, once the system is idle.
state() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep 2
	{
		echo "dma-bufs $(grep -c '^[0-9]' /sys/kernel/debug/dma_buf/bufinfo)"
		awk '/^MemAvailable:/ { print "available_kb", $2 }' /proc/meminfo
	} >"$1"
}
# died: the kernel oopsed (TAINT_DIE). What runs after an oops hangs or
# fails for its sake (a dead worker, locks held): the list stops there, the
# test's exit code is "died", and the host may boot again for the rest.
died() {
	[ $(($(cat /proc/sys/kernel/tainted) & 128)) -ne 0 ]
}
[ -z "$faults" ] || state "$out/before"
grep -v -e '^#' -e '^[[:space:]]*$' "$list" | while read -r drv bin subtests; do
	n=$((n + 1))
	exe=/usr/libexec/igt-gpu-tools/$bin
	[ -x "$exe" ] || exe=/wb/build/igt-tests/$bin
	[ -x "$exe" ] || exe=/wb/build/wayland/$bin
	set --
	[ -z "$subtests" ] || set -- --run-subtest "$subtests"
	# A kernel log line holds 1 kB at most.
	echo "wb: [$n] $drv $bin $*" | cut -c1-900 >/dev/kmsg
	dmesg -C
	[ -z "$faults" ] || set -- sh -c 'echo 1 >/proc/self/make-it-fail; exec "$@"' - "$exe" "$@"
	[ -n "$faults" ] || set -- "$exe" "$@"
	IGT_FORCE_DRIVER=$drv timeout -k 10 "$timeout" "$@" >"$out/$n.out" 2>&1 </dev/null &
	test=$!
	while kill -0 "$test" 2>/dev/null && ! died; do
		sleep 0.5
	done
	if died; then
		# The test may hang on what the oops left behind: leave it.
		rc=died
	else
		wait "$test"
		rc=$?
	fi
	dmesg >"$out/$n.dmesg"
	printf '%s\t%s\t%s\n' "$n" "$bin" "$rc" >>"$out/index"
	echo "wb: [$n] $bin exit $rc" >/dev/kmsg
	[ "$rc" != died ] || break
done
[ -z "$faults" ] || state "$out/after"
