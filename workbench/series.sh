#!/bin/sh
# series.sh: the patch series a maintainer receives, as git format-patch
# output with a cover letter in $WB_BUILD/series. Each patch is one of
# patches/*.patch together with the project files it names in its
# "Files:" trailer lines (new files at their kernel paths).
set -eu
. "$(dirname "$0")/common.sh"

"$WB_DIR/fetch-source.sh"
src=$WB_BUILD/linux
wt=$WB_BUILD/src-series
out=$WB_BUILD/series
rm -rf "$out"
git -C "$src" worktree remove --force "$wt" 2>/dev/null || rm -rf "$wt"
git -C "$src" worktree add -q --detach "$wt" pristine

for p in "$WB_TOP"/patches/*.patch; do
	git -C "$wt" apply --index "$p" || die "patch $(basename "$p") does not apply"
	for f in $(sed -n 's/^Files: //p' "$p"); do
		mkdir -p "$wt/$(dirname "$f")"
		cp "$WB_TOP/$f" "$wt/$f"
		git -C "$wt" add "$f"
	done
	# The commit message is the patch's header, up to the first "---".
	sed -n '/^---$/q; /^Files: /d; p' "$p" |
		git -C "$wt" -c user.name="${GIT_AUTHOR_NAME:-drm_gem_chunk_helper}" \
			-c user.email="${GIT_AUTHOR_EMAIL:-dri-devel@lists.freedesktop.org}" \
			commit -q -F - || die "committing $(basename "$p") failed"
done
git -C "$wt" format-patch -q --cover-letter -o "$out" pristine
echo "==> $(ls "$out" | wc -l) files in $out"
