#!/bin/sh
# run-igt.sh LIST OUTDIR [faults]: run each line of LIST ("driver binary
# [subtests]") with IGT_FORCE_DRIVER=driver, one invocation a line. Each
# invocation N writes OUTDIR/N.out (the test's output), N.dmesg (the kernel
# log during it) and a line to OUTDIR/index, tab-separated:
#   N  binary  exit-code  pages-before  pages-after  subtest  nth  slab  page  driver
#   wc-before  wc-after
# pages: what /sys/kernel/debug/dri/drm_chunk/pages counts before and after
# the program ("-" on a kernel without the chunk helper); wc: KiB of the
# kernel's linear map of RAM that is write-combined (the memory of
# write-combined objects is, on x86) before and after, from the kernel's
# page tables in debugfs ("-" without them); after a kernel oops the exit
# code is "died" and the list stops there.
#
# With "faults" (a debug kernel), systematic fault injection: every subtest
# of the list runs again and again with WB_FAIL_NTH=1, 2, 3 ... (igt-tests
# arm /proc/thread-self/fail-nth with it), so that its Nth slab or page
# allocation with the chunk helper's code on the stack fails, until a run
# completes with nothing injected. nth, slab and page say which run it was
# and how many slab and page allocation failures it got. OUTDIR/{before,after}
# hold the live dma-bufs and available memory around the pass.
list=$1
out=$2
faults=${3:-}
timeout=$(sed -n 's/.*\bwb\.timeout=\([0-9]*\).*/\1/p' /proc/cmdline)
: "${timeout:=240}"
pages_file=/sys/kernel/debug/dri/drm_chunk/pages
ptdump=/sys/kernel/debug/page_tables/kernel
# Runs of one subtest under fault injection, at most: more is a runaway.
max_nth=200
mkdir -p "$out"
: >"$out/index"
# A boot with display devices: the host answers screendump requests here
# (run-vm.sh, WB_DISPLAY; igt-tests' wb_screendump()).
[ ! -d "$out/screendump" ] || export WB_SCREENDUMP="$out/screendump"
cp "$list" "$out/list.txt"

if [ "$faults" = faults ]; then
	# Only allocations with the helper's code on the stack fail: the rest of
	# the system (the 9p root filesystem above all) must keep working. The
	# helper's functions (all drm_gem_chunk*) are one run in the kernel's
	# text, the one with drm_gem_chunk_create (cold parts the compiler
	# splits off and the KUnit suite lie elsewhere); the range ends at the
	# function after it.
	range=$(sort /proc/kallsyms | awk '
		$2 !~ /^[tT]$/ { next }
		$3 ~ /^(__pfx_)?_*drm_gem_chunk/ {
			if (!start) start = $1
			if ($3 == "drm_gem_chunk_create") mine = 1
			next
		}
		mine { print start, $1; exit }
		{ start = "" }')
	[ -n "$range" ] || { echo "wb: no drm_gem_chunk symbols in /proc/kallsyms" >/dev/kmsg; exit 1; }
	for f in failslab fail_page_alloc; do
		d=/sys/kernel/debug/$f
		[ -d "$d" ] || { echo "wb: no $d: not a fault injection kernel" >/dev/kmsg; exit 1; }
		echo "0x${range% *}" >"$d/require-start"
		echo "0x${range#* }" >"$d/require-end"
		# Nothing fails at random: only fail-nth injects. Every failure
		# it injects counts "times" down, which tells slab from page.
		echo 0 >"$d/probability"
		echo 1000000 >"$d/times"
		echo 1 >"$d/verbose"
		echo N >"$d/ignore-gfp-wait"
	done
	# Every order the helper asks for, order 0 included.
	echo 0 >/sys/kernel/debug/fail_page_alloc/min-order
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
pages() {
	cat "$pages_file" 2>/dev/null || echo -
}
# wc_kb: the write-combined part of the linear map ("Low Kernel Mapping"), in
# KiB, where the chunk helper is ("-" elsewhere). x86's PAT layout puts
# write-combining at PWT without PCD and PAT. A read walks all the kernel's
# page tables (most of a second under TCG): what a program leaves is what
# the next one starts from (wc_now).
wc_kb() {
	if [ ! -r "$ptdump" ] || [ ! -r "$pages_file" ]; then
		echo -
		return
	fi
	awk '/^---\[/ { low = /Low Kernel Mapping/; next }
	     low && / PWT / && !/ PCD / && !/ PAT / {
		n = $2 + 0; u = substr($2, length($2))
		kb += n * (u == "K" ? 1 : u == "M" ? 1024 : u == "G" ? 1048576 : 1073741824)
	     }
	     END { print kb + 0 }' "$ptdump"
}
fault_times() {
	cat "/sys/kernel/debug/$1/times"
}
# died: the kernel oopsed (TAINT_DIE). What runs after an oops hangs or
# fails for its sake (a dead worker, locks held): the list stops there, the
# test's exit code is "died", and the host may boot again for the rest.
died() {
	[ $(($(cat /proc/sys/kernel/tainted) & 128)) -ne 0 ]
}

# fbdev_for DRIVER BINARY: IGT's fbdev test opens /dev/fb0, the first
# registered framebuffer device; in a boot with several display devices,
# /dev/fb0 is made DRIVER's for the test (a bind mount of its /dev/fbN;
# fbdev emulation names it after the driver, cut to 15 characters).
fbdev_for() {
	umount /dev/fb0 2>/dev/null || true
	[ "$2" = fbdev ] || return 0
	for name in /sys/class/graphics/fb*/name; do
		case $(cat "$name") in "$(echo "$1" | cut -c1-15)"*)
			fb=$(basename "$(dirname "$name")")
			[ "$fb" = fb0 ] || mount --bind "/dev/$fb" /dev/fb0
			return 0 ;;
		esac
	done
}

n=0
wc_now=
rc=
# run DRIVER BINARY [SUBTEST [NTH]]: one invocation; sets rc.
run() {
	n=$((n + 1))
	bin=$2
	exe=/usr/libexec/igt-gpu-tools/$bin
	[ -x "$exe" ] || exe=/wb/build/igt-tests/$bin
	[ -x "$exe" ] || exe=/wb/build/wayland/$bin
	# A kernel log line holds 1 kB at most.
	echo "wb: [$n] $1 $bin${3:+ --run-subtest $3}${4:+ fail-nth $4}" | cut -c1-900 >/dev/kmsg
	before=$(pages)
	wc_before=${wc_now:-$(wc_kb)}
	fbdev_for "$1" "$bin"
	[ -z "${4:-}" ] || { slab=$(fault_times failslab); page=$(fault_times fail_page_alloc); }
	dmesg -C
	IGT_FORCE_DRIVER=$1 WB_FAIL_NTH=${4:-} timeout -k 10 "$timeout" \
		"$exe" ${3:+--run-subtest "$3"} >"$out/$n.out" 2>&1 </dev/null &
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
	# What the program held is freed when its files close; objects that
	# wait on a worker (a pending commit) may take a moment longer.
	after=$(pages)
	wc_after=$(wc_kb)
	tries=0
	while { [ "$after" != "$before" ] || [ "$wc_after" != "$wc_before" ]; } && [ $tries -lt 10 ]; do
		sleep 0.5
		[ "$after" = "$before" ] || after=$(pages)
		[ "$wc_after" = "$wc_before" ] || wc_after=$(wc_kb)
		tries=$((tries + 1))
	done
	wc_now=$wc_after
	if [ -n "${4:-}" ]; then
		slab=$((slab - $(fault_times failslab)))
		page=$((page - $(fault_times fail_page_alloc)))
	else
		slab=- page=-
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$bin" "$rc" "$before" \
		"$after" "${3:--}" "${4:--}" "$slab" "$page" "$1" "$wc_before" "$wc_after" >>"$out/index"
	echo "wb: [$n] $bin exit $rc" >/dev/kmsg
}

# selected BINARY PATTERNS: the subtests of BINARY that PATTERNS (a comma-
# separated list of globs, all when empty) select, one a line.
selected() {
	"$1" --list-subtests 2>/dev/null | while read -r name; do
		[ -n "$2" ] || { echo "$name"; continue; }
		(set -f; IFS=,; for p in $2; do
			# shellcheck disable=SC2254
			case $name in $p) echo "$name"; break ;; esac
		done)
	done
}

[ -z "$faults" ] || state "$out/before"
grep -v -e '^#' -e '^[[:space:]]*$' "$list" | {
	while read -r drv bin subtests; do
		if [ -z "$faults" ]; then
			run "$drv" "$bin" "$subtests"
			[ "$rc" != died ] || exit
			continue
		fi
		exe=/wb/build/igt-tests/$bin
		for sub in $(selected "$exe" "$subtests"); do
			nth=1
			while :; do
				run "$drv" "$bin" "$sub" "$nth"
				[ "$rc" != died ] || exit
				[ $((slab + page)) -gt 0 ] || break
				nth=$((nth + 1))
				if [ $nth -gt $max_nth ]; then
					echo "wb: $bin@$sub still gets failures injected after $max_nth runs" >/dev/kmsg
					printf 'cap\t%s@%s\t%s\n' "$bin" "$sub" "$max_nth" >>"$out/index"
					break
				fi
			done
		done
	done
}
[ -z "$faults" ] || state "$out/after"
