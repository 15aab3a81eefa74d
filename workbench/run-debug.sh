#!/bin/sh
# run-debug.sh [LIST]: the project kernel with the debug config (KASAN,
# lockdep, kmemleak, DMA-API and dma-buf debugging, fault injection): KUnit,
# the IGT list (default lists/curated.txt) and igt-tests, then the fault
# injection pass (lists/faults.txt). Fails on any kernel report or leak.
set -eu
. "$(dirname "$0")/common.sh"

list=${1:-workbench/lists/curated.txt}
dir=$WB_BUILD/results/debug
"$WB_DIR/prepare.sh" project
"$WB_DIR/build-kernel.sh" project debug
rm -rf "$dir"
mkdir -p "$dir"
export WB_CONFIG=debug WB_VM_TIMEOUT=${WB_VM_TIMEOUT:-3600} WB_TEST_TIMEOUT=${WB_TEST_TIMEOUT:-600}
for run in "kunit kunit" "igt igt $list" "faults faults workbench/lists/faults.txt"; do
	set -- $run
	"$WB_DIR/run-vm.sh" project "$2" "$dir/$1" ${3:-} ||
		echo "$1 boot: see $dir/$1/console.log" >>"$dir/vm-failures"
done
python3 "$WB_DIR/results.py" collect "$dir"
step "results (project kernel, debug config)"
python3 "$WB_DIR/results.py" debug "$dir"
