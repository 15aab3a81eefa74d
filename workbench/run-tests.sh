#!/bin/sh
# run-tests.sh: build both kernels and boot each as workbench/manifest.txt
# lists its vm boots (KUnit in its own boot, the curated IGT list with the
# project's igt-tests, vkms's overlay planes, QEMU's display devices, a
# VESA framebuffer: README, "The two commands"); the static checks on the
# project's files (lint.sh). Judged on their own (the project kernel
# only): the manifest's swiotlb boots (the project kernel booted again
# with swiotlb=force: the helper's KUnit suites and lists/swiotlb.txt) and
# a reduced run of the project's debug kernel (run-debug.sh, the
# manifest's debug boots). Tests whose results differ between the kernels
# run once more on both. Then the verdict (results.py check): the exit
# status is non-zero exactly when its last line counts a failure. The
# unmodified kernel's results are reused while everything that decides
# them is unchanged.
set -eu
. "$(dirname "$0")/common.sh"

"$WB_DIR/prepare.sh" project
results=$WB_BUILD/results

# boots CONFIG KIND DIR [BOOT LIST]: the manifest's boots of CONFIG on the
# KIND kernel, each into DIR/NAME with its settings; given BOOT, that boot
# alone, into DIR/rerun-BOOT with LIST instead of its own.
boots() {
	all=$(python3 "$WB_DIR/results.py" boots "$1") || die "no boots for $1 in the manifest"
	echo "$all" | while read -r name mode list settings; do
		[ -n "$name" ] || continue
		if [ -n "${4:-}" ]; then
			[ "$name" = "$4" ] || continue
			name=rerun-$4 list=$5
		fi
		[ "$list" != - ] || list=
		# shellcheck disable=SC2086
		([ -z "$settings" ] || eval "export $settings"
		 boot "$2" "$mode" "$3/$name" $list) </dev/null
	done
}

# run_kernel KIND: results in $results/KIND/BOOT for each vm boot.
run_kernel() {
	dir=$results/$1
	"$WB_DIR/build-kernel.sh" "$1"
	rm -rf "$dir"
	mkdir -p "$dir"
	boots vm "$1" "$dir"
	[ "$1" = base ] || "$WB_DIR/lint.sh" "$dir/static.tsv"
}

# Everything that decides the unmodified kernel's raw results: its source
# and config, QEMU, the compiler, the guest's packages and programs, the
# manifest's vm boots, the lists, the workbench's scripts and settings. What
# only judges raw results (results.py, its patterns and lists, the rest of
# the manifest) is applied anew every time: the verdict never comes from a
# cache.
base_key=$( (cd "$WB_TOP"
	git -C "$WB_BUILD/linux" rev-parse pristine
	qemu-system-x86_64 --version | head -n 1
	gcc --version | head -n 1
	env | grep '^WB_' | sort
	cat "$WB_BUILD/rootfs/.wb-packages"
	grep '^boot vm ' workbench/manifest.txt
	find workbench wayland -type f ! -path 'workbench/xfails/*' ! -name results.py \
		! -name test-results.py ! -name manifest.txt ! -name crash-patterns \
		! -name kunit-expected-warns |
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
		for kind in base project; do
			boots vm "$kind" "$results/$kind" "${name#rerun-}" "${l#"$WB_TOP"/}"
		done
	done
	python3 "$WB_DIR/results.py" collect "$results/base"
	python3 "$WB_DIR/results.py" collect "$results/project"
fi

# The project kernel again, booted with swiotlb=force: every DMA mapping
# bounces through swiotlb, so the helper's DMA side runs on a real DMA
# path (track_hiwater: swiotlb counts its most slots in use, which the
# report prints; without it the count stays 0). The helper's KUnit suites
# only (drm_gem_chunk_helper, drm_chunk: filter_glob takes one glob) and
# its igt-tests; no counterpart on the unmodified kernel, judged on their
# own and counted in the summary.
swiotlb=$results/swiotlb
rm -rf "$swiotlb"
mkdir -p "$swiotlb"
boots swiotlb project "$swiotlb"
python3 "$WB_DIR/results.py" collect "$swiotlb"

# The reduced debug run (the full one is make check-debug), with the
# manifest's debug list; its results are counted in the summary.
debug=$results/debug-ci
"$WB_DIR/run-debug.sh" "$(python3 "$WB_DIR/results.py" boots debug | awk '$1 == "igt" { print $3 }')" \
	"$debug" || die "the debug kernel's run did not finish (see above)"

step "results (unmodified 7.3 vs project; the project kernel with swiotlb=force, and its debug kernel)"
python3 "$WB_DIR/results.py" check "$results/base" "$results/project" \
	swiotlb="$swiotlb" debug="$debug"
