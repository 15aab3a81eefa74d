#!/bin/sh
# run-long.sh [LIST]: upstream DRM CI's vkms list (gen-vkms-ci-list.py, with
# the skips of the project's tree: patches/0002-* makes kms_cursor_crc safe
# to run, as upstream CI would after it; both kernels run that list), or
# LIST (a path in the project), on both kernels, both at once (hours under
# TCG; two guests on two cores see the same load), then the comparison.
# Results in $WB_BUILD/results/long/{base,project} (with LIST: long-LISTNAME/).
set -eu
. "$(dirname "$0")/common.sh"

list=${1:-build/vkms-ci.txt}
out=$WB_BUILD/results/long${1:+-$(basename "$1" .txt)}
"$WB_DIR/prepare.sh" project
[ -n "${1:-}" ] ||
	python3 "$WB_DIR/gen-vkms-ci-list.py" "$WB_BUILD/rootfs" "$WB_BUILD/src-project" "$WB_TOP/$list"
"$WB_DIR/build-kernel.sh" base
"$WB_DIR/build-kernel.sh" project
rm -rf "$out"
# A program gets 40 minutes: some run hundreds of subtests.
export WB_VM_TIMEOUT=18000 WB_TEST_TIMEOUT=2400

# run KIND: the list in as many boots as it takes. A kernel oops stops a
# boot (guest/run-igt.sh); the next one goes on after the subtest that
# oopsed. Boots in $out/KIND/igt, igt.1, igt.2 ...
run() {
	dir=$out/$1 cur=$list part=igt n=0
	mkdir -p "$dir"
	boot "$1" igt "$dir/$part" "$cur"
	while n=$((n + 1)); python3 "$WB_DIR/results.py" resume "$WB_TOP/$cur" \
		"$dir/$part" "$dir/rest.$n.txt"; do
		# The guest reads the list through /wb: a path in the project.
		cur=${dir#"$WB_TOP"/}/rest.$n.txt part=igt.$n
		boot "$1" igt "$dir/$part" "$cur"
	done
}
for kind in base project; do
	run "$kind" &
done
wait
for kind in base project; do
	python3 "$WB_DIR/results.py" collect "$out/$kind"
done
step "results (unmodified 7.3 vs project, upstream DRM CI's vkms list)"
python3 "$WB_DIR/results.py" report "$out/base" "$out/project"
