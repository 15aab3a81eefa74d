#!/bin/sh
# overlay.sh [KIND]: lay a kernel's changes over the pristine tree and print
# the resulting commit. KIND project (default): the project's files at their
# kernel paths, then patches/*.patch in name order, checked out in
# $WB_BUILD/src-project. KIND huge: the benchmark's anchor, pristine plus
# benchmark/vkms-huge-mount.patch, in $WB_BUILD/src-huge. The result is
# committed with a private index; git rewrites only the files that differ
# from the previous overlay, so kbuild recompiles only what changed.
# WB_OVERLAY_TOP: where the project's files and patches are taken from
# instead of this project (mutants.sh lays a copy with a defect planted).
set -eu
. "$(dirname "$0")/common.sh"

kind=${1:-project}
top=${WB_OVERLAY_TOP:-$WB_TOP}
case $kind in
project) patches=$top/patches/*.patch ;;
huge)	patches=$WB_TOP/benchmark/vkms-huge-mount.patch ;;
*)	die "overlay.sh: KIND is project or huge, not '$kind'" ;;
esac
src=$WB_BUILD/linux
wt=$WB_BUILD/src-$kind
export GIT_INDEX_FILE="$WB_BUILD/overlay-$kind.index"
git -C "$src" read-tree pristine

# New files, as they are in the project's working tree.
if [ "$kind" = project ]; then
	cd "$top"
	list=$WB_BUILD/overlay.files
	find $WB_KERNEL_DIRS -type f 2>/dev/null | sort >"$list"
	git --git-dir="$src/.git" hash-object -w --no-filters --stdin-paths <"$list" |
		paste -d ' ' - "$list" | awk '{ printf "100644 %s\t%s\n", $1, $2 }' |
		git -C "$src" update-index --add --index-info
fi

for p in $patches; do
	[ -e "$p" ] || continue
	git -C "$src" apply --cached "$p" 2>"$WB_BUILD/logs/overlay.log" ||
		die "patch $(basename "$p") does not apply" "$WB_BUILD/logs/overlay.log"
done

tree=$(git -C "$src" write-tree)
commit=$(git -C "$src" rev-parse -q --verify "refs/overlay/$tree" 2>/dev/null || true)
if [ -z "$commit" ]; then
	commit=$(echo "$kind overlay" | git -C "$src" -c user.name=workbench \
		-c user.email=workbench@localhost commit-tree "$tree" -p pristine)
	git -C "$src" update-ref "refs/overlay/$tree" "$commit"
fi
unset GIT_INDEX_FILE

if [ ! -d "$wt" ]; then
	git -C "$src" worktree add -q --detach "$wt" "$commit" >&2
else
	git -C "$wt" reset -q --hard "$commit"
fi
echo "$commit"
