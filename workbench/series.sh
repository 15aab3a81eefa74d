#!/bin/sh
# series.sh: the patch series a maintainer receives, as git format-patch
# output with a cover letter in $WB_BUILD/series. Each patch is one of
# patches/*.patch (a mail: Subject, message, diff of upstream files; authored
# and signed off by whoever runs this, from git's user.name and user.email,
# who is also the maintainer the MAINTAINERS entry names for @SENDER@)
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

# The sender as a sed replacement: &, | and \ stand for themselves.
sender=$(printf '%s <%s>' "$name" "$email" | sed 's/[&|\\]/\\&/g')
for p in "$WB_TOP"/patches/*.patch; do
	sed "s|^+M:\t@SENDER@\$|+M:\t$sender|" "$p" | git -C "$wt" apply --index ||
		die "patch $(basename "$p") does not apply"
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
git -C "$wt" checkout -q -B series
# The cover letter's subject and blurb come from patches/cover-letter.txt,
# its figures from the last runs in $WB_BUILD/results (results.py figures).
git -C "$wt" config branch.series.description "$(cat "$WB_TOP/patches/cover-letter.txt"
	echo; python3 "$WB_DIR/results.py" figures "$WB_BUILD/results")"
git -C "$wt" -c user.name="$name" -c user.email="$email" \
	format-patch -q --cover-letter --cover-from-description=subject \
	-o "$out" pristine
# Who each patch goes to, as get_maintainer.pl of the tree the series
# leaves says: Cc: headers, which git send-email follows; the cover letter
# goes to all of them. (--no-fixes: the tree has no history in which to
# find the authors of the commits a Fixes: tag names.)
for p in "$out"/0*.patch; do
	[ "$p" != "$out/0000-cover-letter.patch" ] || continue
	(cd "$wt" && perl scripts/get_maintainer.pl --no-git --no-git-fallback \
		--no-fixes --norolestats "$p") >"$p.cc" ||
		die "get_maintainer.pl failed on $(basename "$p")"
done
cat "$out"/0*.patch.cc | sort -u >"$out/0000-cover-letter.patch.cc"
for p in "$out"/0*.patch; do
	awk -v cc="$p.cc" '!done && $0 == "" { while ((getline l < cc) > 0) print "Cc: " l; done = 1 }
		{ print }' "$p" >"$p.new" && mv "$p.new" "$p" && rm "$p.cc"
done
echo "==> $(ls "$out" | wc -l) files in $out, for: git send-email --to=dri-devel@lists.freedesktop.org $out/*.patch"
