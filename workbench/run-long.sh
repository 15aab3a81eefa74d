#!/bin/sh
# run-long.sh: upstream DRM CI's vkms list (gen-vkms-ci-list.py) on both
# kernels, one IGT boot each, both boots at once (hours under TCG; two
# guests on two cores see the same load), then the comparison. Results in
# $WB_BUILD/results/long/{base,project}.
set -eu
. "$(dirname "$0")/common.sh"

list=build/vkms-ci.txt
out=$WB_BUILD/results/long
"$WB_DIR/prepare.sh" project
python3 "$WB_DIR/gen-vkms-ci-list.py" "$WB_BUILD/rootfs" "$WB_BUILD/linux" "$WB_TOP/$list"
"$WB_DIR/build-kernel.sh" base
"$WB_DIR/build-kernel.sh" project
rm -rf "$out"
# A program gets 40 minutes: some run hundreds of subtests.
export WB_VM_TIMEOUT=18000 WB_TEST_TIMEOUT=2400
for kind in base project; do
	mkdir -p "$out/$kind"
	boot "$kind" igt "$out/$kind/igt" "$list" &
done
wait
for kind in base project; do
	python3 "$WB_DIR/results.py" collect "$out/$kind"
done
step "results (unmodified 7.3 vs project, upstream DRM CI's vkms list)"
python3 "$WB_DIR/results.py" report "$out/base" "$out/project"
