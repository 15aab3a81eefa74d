#!/bin/sh
# series.sh: the patch series a maintainer receives, as git format-patch
# output with a cover letter in $WB_BUILD/series. Each patch is one of
# patches/*.patch (a mail: From, Subject, message, diff of upstream files)
# together with the new files it names in its "Files:" lines.
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
	for f in $(sed -n '/^---$/q; s/^Files: //p' "$p"); do
		mkdir -p "$wt/$(dirname "$f")"
		cp "$WB_TOP/$f" "$wt/$f"
		git -C "$wt" add -f "$f"
	done
	# Author, subject and message from the patch's mail header.
	git mailinfo "$WB_BUILD/series.msg" /dev/null <"$p" >"$WB_BUILD/series.info"
	author=$(sed -n 's/^Author: //p' "$WB_BUILD/series.info")
	email=$(sed -n 's/^Email: //p' "$WB_BUILD/series.info")
	{ sed -n 's/^Subject: //p' "$WB_BUILD/series.info"; echo
	  grep -v '^Files: ' "$WB_BUILD/series.msg"; } |
		git -C "$wt" -c user.name="$author" -c user.email="$email" \
			commit -q -F - || die "committing $(basename "$p") failed"
done
# The cover letter's subject and blurb come from patches/cover-letter.txt.
git -C "$wt" checkout -q -B series
git -C "$wt" config branch.series.description "$(cat "$WB_TOP/patches/cover-letter.txt")"
git -C "$wt" -c user.name="$author" -c user.email="$email" \
	format-patch -q --cover-letter --cover-from-description=subject \
	-o "$out" pristine
echo "==> $(ls "$out" | wc -l) files in $out"
