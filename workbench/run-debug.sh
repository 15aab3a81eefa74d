#!/bin/sh
# run-debug.sh [LIST [OUTDIR]]: the project kernel with the debug config
# (KASAN, lockdep, kmemleak, DMA-API and dma-buf debugging, UBSAN, fault
# injection): the helper's KUnit suite, the IGT list (default
# lists/curated.txt, with igt-tests), then the systematic fault injection
# pass (lists/faults.txt). Fails on any kernel report or leak. Given an OUTDIR
# (make check: lists/debug-ci.txt), it leaves the results there for the
# caller to report instead. WB_DEBUG_PASSES picks the boots (default
# "kunit igt faults"), WB_FAULTS_LIST the fault pass's list (default
# lists/faults.txt); WB_DISPLAY (run-vm.sh) picks the devices.
set -eu
. "$(dirname "$0")/common.sh"

list=${1:-workbench/lists/curated.txt}
dir=${2:-$WB_BUILD/results/debug}
"$WB_DIR/prepare.sh" project
"$WB_DIR/build-kernel.sh" project debug
rm -rf "$dir"
mkdir -p "$dir"
# KASAN and lockdep under TCG: slow to boot, slow to run. So slow that on
# the pc machine ACPI's _PRT method hits the AML loop timeout and the
# virtio devices get no interrupt. q35's virtio devices use MSI-X, which
# needs no _PRT, and ACPI still brings up both CPUs (pci=noacpi, the old
# way round, left the kernel on one CPU: no MP table support in the
# config), so races such as chunk_vkms_race's run on two.
# kasan_multi_shot: every KASAN report is printed.
export WB_CONFIG=debug WB_MACHINE=q35 WB_VM_TIMEOUT=${WB_VM_TIMEOUT:-3600} \
	WB_TEST_TIMEOUT=${WB_TEST_TIMEOUT:-600} WB_BOOT_TIMEOUT=${WB_BOOT_TIMEOUT:-1200} \
	WB_CMDLINE=kasan_multi_shot
# KUnit: only the helper's suite (the other DRM suites are upstream's, slow
# under KASAN, and some trip lockdep there).
for pass in ${WB_DEBUG_PASSES:-kunit igt faults}; do
	case $pass in
	kunit)	WB_CMDLINE="$WB_CMDLINE kunit.filter_glob=drm*chunk*" \
			boot project kunit "$dir/kunit" ;;
	igt)	boot project igt "$dir/igt" "$list" ;;
	faults)	boot project faults "$dir/faults" "${WB_FAULTS_LIST:-workbench/lists/faults.txt}" ;;
	*)	die "WB_DEBUG_PASSES: kunit, igt or faults, not '$pass'" ;;
	esac
done
python3 "$WB_DIR/results.py" collect "$dir"
# Given an OUTDIR, the caller reports (run-tests.sh: results.py report).
[ -z "${2:-}" ] || exit 0
step "results (project kernel, debug config)"
python3 "$WB_DIR/results.py" debug "$dir"
