#!/bin/sh
# run-tests.sh [LIST]: build both kernels and run on each: KUnit (its own
# boot), the IGT list (default lists/curated.txt) with the project's
# igt-tests, lists/overlay.txt (the compositor scene and the subtests
# that need an overlay plane, in a boot with vkms's overlay planes) and
# lists/display.txt (virtio-gpu, bochs and cirrus-qemu in a boot with
# QEMU's display devices, run-vm.sh WB_DISPLAY=qemu) and lists/vesa.txt
# (simpledrm on a VESA framebuffer, WB_DISPLAY=vesa) and lists/swap.txt
# (reclaim: a guest with 1 GiB of RAM and a 4 GiB swap disk); the
# static checks on the project's files (lint.sh). Judged on their own (the
# project kernel only): the project kernel booted again with swiotlb=force
# (every DMA mapping bounces), a KUnit boot with only the helper's suites
# and one of lists/swiotlb.txt (the igt-tests); a reduced run of the
# project's debug kernel (run-debug.sh, lists/debug-ci.txt). Tests whose
# results differ between the kernels run once more on both. Then the
# verdict (results.py report): the exit status is non-zero exactly when its
# last line counts a failure. The unmodified kernel's results are reused
# while everything that decides them is unchanged.
set -eu
. "$(dirname "$0")/common.sh"

list=${1:-workbench/lists/curated.txt}
[ -f "$WB_TOP/$list" ] || die "no test list $list"
"$WB_DIR/prepare.sh" project
results=$WB_BUILD/results

# The boots besides the plain one: vkms with its overlay planes, and QEMU's
# display devices (virtio-gpu, bochs, cirrus) without vkms; QEMU's VGA in
# a VESA mode for simpledrm.
overlay=vkms.enable_overlay=1
display=qemu
# The swap boot: its tests fill 1.5 times the guest's RAM, and each takes
# minutes.
swap_boot() {
	WB_MEM=1G WB_SWAP=4G WB_TEST_TIMEOUT=900 boot "$@"
}

# run_kernel KIND: results in $results/KIND/{kunit,igt,overlay,display,vesa,swap}.
run_kernel() {
	dir=$results/$1
	"$WB_DIR/build-kernel.sh" "$1"
	rm -rf "$dir"
	mkdir -p "$dir"
	boot "$1" kunit "$dir/kunit"
	boot "$1" igt "$dir/igt" "$list"
	WB_CMDLINE=$overlay boot "$1" igt "$dir/overlay" workbench/lists/overlay.txt
	WB_DISPLAY=$display boot "$1" igt "$dir/display" workbench/lists/display.txt
	WB_DISPLAY=vesa boot "$1" igt "$dir/vesa" workbench/lists/vesa.txt
	swap_boot "$1" igt "$dir/swap" workbench/lists/swap.txt
	[ "$1" = base ] || "$WB_DIR/lint.sh" "$dir/static.tsv"
}

# Everything that decides the unmodified kernel's raw results: its source
# and config, QEMU, the compiler, the guest's packages and programs, the
# lists, the workbench's scripts and settings. What only judges raw results
# (results.py, its patterns and lists) is applied anew every time: the
# verdict never comes from a cache.
base_key=$( (cd "$WB_TOP"
	git -C "$WB_BUILD/linux" rev-parse pristine
	qemu-system-x86_64 --version | head -n 1
	gcc --version | head -n 1
	env | grep '^WB_' | sort
	cat "$WB_BUILD/rootfs/.wb-packages" "$list"
	find workbench wayland -type f ! -path 'workbench/xfails/*' ! -name results.py \
		! -name crash-patterns ! -name kunit-expected-warns |
		sort | xargs sha256sum
	find "$WB_BUILD/igt-tests" "$WB_BUILD/wayland" -type f | sort | xargs sha256sum) |
	sha256sum | cut -c1-16)
if [ "$(cat "$results/base/.key" 2>/dev/null)" = "$base_key" ]; then
	step "unmodified kernel: results cached ($base_key)"
else
	run_kernel base
	[ -f "$results/base/vm-failures" ] || echo "$base_key" >"$results/base/.key"
fi
run_kernel project

# Tests whose results differ run again on both kernels, in fresh boots of
# the kind they ran in, before the verdict.
rerun=$results/rerun
rm -rf "$rerun" "$results"/*/rerun-*
sed -i '/^rerun-/d' "$results"/*/vm-failures 2>/dev/null || true
mkdir -p "$rerun"
python3 "$WB_DIR/results.py" collect "$results/base"
python3 "$WB_DIR/results.py" collect "$results/project"
if python3 "$WB_DIR/results.py" differ "$results/base" "$results/project" "$rerun"; then
	"$WB_DIR/build-kernel.sh" base
	for l in "$rerun"/rerun-*.txt; do
		name=$(basename "$l" .txt)
		cmdline= devices= how=boot
		case $name in
		rerun-overlay) cmdline=$overlay ;;
		rerun-display) devices=$display ;;
		rerun-vesa) devices=vesa ;;
		rerun-swap) how=swap_boot ;;
		esac
		for kind in base project; do
			WB_CMDLINE=$cmdline WB_DISPLAY=$devices $how "$kind" igt "$results/$kind/$name" \
				"${l#"$WB_TOP"/}"
		done
	done
	python3 "$WB_DIR/results.py" collect "$results/base"
	python3 "$WB_DIR/results.py" collect "$results/project"
fi

# The project kernel again, booted with swiotlb=force: every DMA mapping
# bounces through swiotlb, so the helper's DMA side runs on a real DMA
# path (track_hiwater: swiotlb counts its most slots in use, which the
# report prints; without it the count stays 0). The helper's KUnit suites only (drm_gem_chunk_helper, drm_chunk:
# filter_glob takes one glob) and its igt-tests; no counterpart on the
# unmodified kernel, judged on their own and counted in the summary.
swiotlb=$results/swiotlb
rm -rf "$swiotlb"
mkdir -p "$swiotlb"
WB_CMDLINE="swiotlb=force,track_hiwater kunit.filter_glob=drm*chunk*" boot project kunit "$swiotlb/kunit"
WB_CMDLINE=swiotlb=force,track_hiwater boot project igt "$swiotlb/igt" workbench/lists/swiotlb.txt
python3 "$WB_DIR/results.py" collect "$swiotlb"

# The reduced debug run (the full one is make check-debug); its results
# are counted in the summary.
debug=$results/debug-ci
"$WB_DIR/run-debug.sh" workbench/lists/debug-ci.txt "$debug" ||
	die "the debug kernel's run did not finish (see above)"

step "results (unmodified 7.3 vs project; the project kernel with swiotlb=force, and its debug kernel)"
python3 "$WB_DIR/results.py" report "$results/base" "$results/project" \
	swiotlb="$swiotlb" debug="$debug"
