#!/bin/sh
# run-tests.sh [LIST]: build both kernels and run on each: KUnit (its own
# boot), the IGT list (default lists/curated.txt) with the project's
# igt-tests, and lists/overlay.txt (the compositor scene and the subtests
# that need an overlay plane, in a boot with vkms's overlay planes); the
# static checks on the project's files (lint.sh) and a reduced run of the
# project's debug kernel (run-debug.sh, lists/debug-ci.txt); then print the
# comparison. The unmodified kernel's results are reused while everything
# that decides them is unchanged.
set -eu
. "$(dirname "$0")/common.sh"

list=${1:-workbench/lists/curated.txt}
[ -f "$WB_TOP/$list" ] || die "no test list $list"
"$WB_DIR/prepare.sh" project

# run_kernel KIND: results in $WB_BUILD/results/KIND/{kunit,igt,overlay}.
run_kernel() {
	dir=$WB_BUILD/results/$1
	"$WB_DIR/build-kernel.sh" "$1"
	rm -rf "$dir"
	mkdir -p "$dir"
	boot "$1" kunit "$dir/kunit"
	boot "$1" igt "$dir/igt" "$list"
	WB_CMDLINE=vkms.enable_overlay=1 boot "$1" igt "$dir/overlay" workbench/lists/overlay.txt
	[ "$1" = base ] || "$WB_DIR/lint.sh" "$dir/static.tsv"
	python3 "$WB_DIR/results.py" collect "$dir"
}

# Everything that decides the unmodified kernel's results.
base_key=$( (git -C "$WB_BUILD/linux" rev-parse pristine
	cat "$WB_DIR"/config/vm.config "$WB_BUILD/rootfs/.wb-packages" "$WB_TOP/$list" \
		"$WB_DIR"/guest/* "$WB_DIR/run-vm.sh" "$WB_DIR/results.py" "$WB_DIR/crash-patterns" \
		"$WB_DIR/kunit-expected-warns" "$WB_DIR/lists/overlay.txt" "$WB_TOP"/wayland/*
	find "$WB_BUILD/igt-tests" "$WB_BUILD/wayland" -type f -exec sha256sum {} +) |
	sha256sum | cut -c1-16)
if [ "$(cat "$WB_BUILD/results/base/.key" 2>/dev/null)" = "$base_key" ]; then
	step "unmodified kernel: results cached ($base_key)"
else
	run_kernel base
	[ -f "$WB_BUILD/results/base/vm-failures" ] ||
		echo "$base_key" >"$WB_BUILD/results/base/.key"
fi
run_kernel project
# The reduced debug run (the full one is make check-debug); its findings are
# counted in the summary.
debug=$WB_BUILD/results/debug-ci
"$WB_DIR/run-debug.sh" workbench/lists/debug-ci.txt "$debug" ||
	die "the debug kernel's run did not finish (see above)"

step "results (unmodified 7.3 vs project, and the project's debug kernel)"
python3 "$WB_DIR/results.py" report "$WB_BUILD/results/base" "$WB_BUILD/results/project" "$debug"
