#!/bin/sh
# series-check.sh: the checks a maintainer's tools make, on the series as
# make series writes it (build/series/): every patch applies in order to
# pristine 7.3 with git am; the tree after every patch builds with W=1
# (vm.config with config/series.config over it: the helper, its KUnit
# suites and the converted drivers as modules) and gains no compiler
# warning over pristine 7.3's; checkpatch --strict on each mail; then who
# the series goes to (get_maintainer.pl, in the mails' Cc: by make series).
# A line a patch, then a summary; fails when a patch does not apply or
# build, adds a warning, or checkpatch reports anything. Logs in
# $WB_BUILD/logs/series-check/.
set -eu
. "$(dirname "$0")/common.sh"

"$WB_DIR/host-deps.sh"
"$WB_DIR/series.sh"
series=$WB_BUILD/series
wt=$WB_BUILD/src-series-check
out=$WB_BUILD/out-series-check
logs=$WB_BUILD/logs/series-check
rm -rf "$logs"
mkdir -p "$out" "$logs"
git -C "$WB_BUILD/linux" worktree remove --force "$wt" 2>/dev/null || rm -rf "$wt"
git -C "$WB_BUILD/linux" worktree add -q --detach "$wt" pristine
cat "$WB_DIR/config/vm.config" "$WB_DIR/config/series.config" >"$out/.wb-fragment"

kmake() {
	make -C "$wt" O="$out" CC="ccache gcc" -j"$(nproc)" "$@"
}

# build NAME: configure and build the worktree as it is (incrementally:
# only what the last patch touched is compiled again); its compiler
# warnings, without line numbers, in $logs/NAME.warnings.
build() {
	log=$logs/$1.log
	{ kmake KCONFIG_ALLCONFIG="$out/.wb-fragment" allnoconfig &&
	  kmake W=1 bzImage modules; } >"$log" 2>&1 || return 1
	# Each symbol's last value in the fragment is the one that counts.
	awk -F= '/^CONFIG_/ { v[$1] = $0 } END { for (k in v) print v[k] }' \
		"$out/.wb-fragment" | while read -r line; do
		grep -qx "$line" "$out/.config" || echo "config: $line did not stick" >>"$log.missing"
	done
	[ ! -s "$log.missing" ] || return 1
	grep -E '(warning|error|WARNING): ' "$log" | sed -E 's/:[0-9]+:[0-9]+:/:/' |
		sort -u >"$logs/$1.warnings" || true
}

# The reference: every warning of a whole build of pristine 7.3. An
# incremental build prints only what it compiles again, so the reference
# is taken from a clean build once (ccache replays the warnings of what it
# compiled before) and kept with the build.
step "pristine 7.3 with W=1: the reference build (log: $logs/pristine.log)"
if [ ! -f "$out/.wb-pristine-warnings" ]; then
	kmake clean >/dev/null 2>&1 || true
	build pristine || die "pristine 7.3 does not build in the series config" "$logs/pristine.log"
	cp "$logs/pristine.warnings" "$out/.wb-pristine-warnings"
else
	build pristine || die "pristine 7.3 does not build in the series config" "$logs/pristine.log"
fi
cp "$out/.wb-pristine-warnings" "$logs/seen.warnings"

# git am commits as whoever runs this, as make series signs off.
GIT_COMMITTER_NAME=$(git -C "$WB_TOP" config user.name)
GIT_COMMITTER_EMAIL=$(git -C "$WB_TOP" config user.email)
export GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL
failed=0
for p in "$series"/0*.patch; do
	name=$(basename "$p" .patch)
	[ "$name" != 0000-cover-letter ] || continue
	# A tree without history cannot look up the commit a Fixes: tag
	# names: checkpatch would call every id unknown.
	(cd "$wt" && perl scripts/checkpatch.pl --strict --ignore UNKNOWN_COMMIT_ID "$p") \
		>"$logs/$name.checkpatch" 2>&1 || true
	ewc=$(sed -n 's/^total: \([0-9]*\) errors, \([0-9]*\) warnings, \([0-9]*\) checks.*/\1-\2-\3/p' \
		"$logs/$name.checkpatch")
	if ! git -C "$wt" am -q "$p" >"$logs/$name.am" 2>&1; then
		echo "$name: does NOT apply (log: $logs/$name.am)"
		failed=$((failed + 1))
		break
	fi
	if build "$name"; then
		new=$(comm -13 "$logs/seen.warnings" "$logs/$name.warnings" | wc -l)
		sort -u "$logs/seen.warnings" "$logs/$name.warnings" -o "$logs/seen.warnings"
		built="builds W=1, $new new warnings"
	else
		new=1 built="does NOT build (log: $logs/$name.log)"
	fi
	echo "$name: applies / $built / checkpatch ${ewc:-?} (errors-warnings-checks)"
	[ "$new" = 0 ] && [ "$ewc" = 0-0-0 ] || failed=$((failed + 1))
done

# Who gets the series: the Cc: headers make series took from
# get_maintainer.pl (the cover letter's are all of them).
step "get_maintainer.pl: who the series goes to"
sed -n '/^$/q; s/^Cc: /    /p' "$series/0000-cover-letter.patch"
total=$(ls "$series"/0*.patch | grep -vc cover-letter)
echo "series-check: $total patches, $((total - failed)) clean, $failed with a problem"
[ "$failed" = 0 ]
