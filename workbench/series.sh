#!/bin/sh
# series.sh: the patch series a maintainer receives, as git format-patch
# output with a cover letter in $WB_BUILD/series. Each patch is one of
# patches/*.patch (a mail: Subject, message, diff of upstream files; authored
# and signed off by whoever runs this, from git's user.name and user.email)
# together with the new files it names in its "Files:" lines.
set -eu
. "$(dirname "$0")/common.sh"

# The series is signed off by whoever generates it: git's identity.
name=$(git -C "$WB_TOP" config user.name || true)
email=$(git -C "$WB_TOP" config user.email || true)
[ -n "$name" ] && [ -n "$email" ] ||
	die "make series signs the patches off with your identity: set git's user.name and user.email first"

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
	# Subject and message from the patch's mail header.
	git mailinfo "$WB_BUILD/series.msg" /dev/null <"$p" >"$WB_BUILD/series.info"
	{ sed -n 's/^Subject: //p' "$WB_BUILD/series.info"; echo
	  grep -v '^Files: ' "$WB_BUILD/series.msg"; } |
		git -C "$wt" -c user.name="$name" -c user.email="$email" \
			commit -q -s -F - || die "committing $(basename "$p") failed"
done
# The cover letter's subject and blurb come from patches/cover-letter.txt.
git -C "$wt" checkout -q -B series
git -C "$wt" config branch.series.description "$(cat "$WB_TOP/patches/cover-letter.txt")"
git -C "$wt" -c user.name="$name" -c user.email="$email" \
	format-patch -q --cover-letter --cover-from-description=subject \
	-o "$out" pristine
echo "==> $(ls "$out" | wc -l) files in $out"
