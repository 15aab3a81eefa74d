#!/bin/sh
# mutants.sh [NAME...]: the mutation check (make check-mutants, not in CI).
# Plants each defect of mutants.txt (or the NAMEd ones), one at a time, in
# a copy of the project's kernel files, builds the project kernel from it
# in a build directory of its own ($WB_BUILD/mutants: build/out-project-vm
# is never touched) and runs the narrowest boot that should catch it: the
# helper's KUnit suites (kunit.filter_glob=drm*chunk*), one igt-tests list,
# or one under the debug kernel's fault injection (whose first build takes
# a while). The defect is caught when results.py finds a failure in that boot;
# the first is its red line. The same boots without a defect come first
# and must be green. The table: $WB_BUILD/results/mutants/table.md; each
# run in $WB_BUILD/results/mutants/NAME.
set -eu
. "$(dirname "$0")/common.sh"

table=$WB_DIR/mutants.txt
mut=$WB_BUILD/mutants
res=$WB_BUILD/results/mutants
defs=$mut/defects

"$WB_DIR/prepare.sh"
mkdir -p "$mut" "$res"
if ! git -C "$mut/linux" rev-parse -q --verify pristine >/dev/null 2>&1; then
	rm -rf "$mut/linux"
	git clone -q --shared "$WB_BUILD/linux" "$mut/linux"
	git -C "$mut/linux" rev-parse -q --verify pristine >/dev/null ||
		die "the clone of $WB_BUILD/linux in $mut/linux has no tag pristine"
fi
ln -sfn "$WB_BUILD/rootfs" "$mut/rootfs"

# The table, one file a field: NAME.what, .file, .boot, .list, .old, .new;
# the names in table order in "order".
rm -rf "$defs"
mkdir -p "$defs"
awk -v dir="$defs" '
	/^#/ || /^$/ { next }
	/^== [^ :]+: / { d = dir "/" substr($2, 1, length($2) - 1); print d > (dir "/order")
			 print substr($0, index($0, ": ") + 2) > (d ".what"); next }
	!d { print "mutants.txt:" NR ": before the first defect: " $0 > "/dev/stderr"; bad = 1; next }
	/^file / { print $2 > (d ".file"); next }
	/^boot / { print substr($0, 6) > (d ".boot"); next }
	/^list / { print substr($0, 6) > (d ".list"); next }
	/^-/ { print substr($0, 2) > (d ".old"); next }
	/^\+/ { print substr($0, 2) > (d ".new"); next }
	{ print "mutants.txt:" NR ": not a field: " $0 > "/dev/stderr"; bad = 1 }
	END { exit bad }' "$table" || die "mutants.txt does not parse"
names=$(xargs -n 1 basename <"$defs/order")
[ $# -eq 0 ] || names=$*
for name in $names; do
	for f in what file boot old; do
		[ -s "$defs/$name.$f" ] || die "defect $name: no '$f' in mutants.txt"
	done
	touch "$defs/$name.new"
done

# plant NAME: the project's files in $mut/project, with defect NAME planted
# unless NAME is "none".
plant() {
	rm -rf "$mut/project"
	mkdir -p "$mut/project"
	for d in $WB_KERNEL_DIRS patches; do
		[ ! -d "$WB_TOP/$d" ] || cp -r "$WB_TOP/$d" "$mut/project/"
	done
	[ "$1" != none ] || return 0
	python3 - "$mut/project/$(cat "$defs/$1.file")" "$defs/$1.old" "$defs/$1.new" <<-'EOF' ||
		import sys
		# Whole lines: each text starts at the beginning of a line.
		path, old, new = sys.argv[1], *("\n" + open(p).read() for p in sys.argv[2:])
		text = "\n" + open(path).read()
		if text.count(old) != 1:
		    sys.exit(f"its text occurs {text.count(old)} times in {path}, not once")
		open(path, "w").write(text.replace(old, new)[1:])
	EOF
		die "defect $1: cannot be planted (update its block in mutants.txt)"
}

# run NAME BOOT [LIST]: build the planted kernel and boot it in
# $res/NAME: BOOT is "kunit [CMDLINE...]", "igt [CMDLINE...]" with LIST
# the list's one line, or "faults": LIST in the debug kernel's fault pass
# (run-debug.sh, in $res/NAME/debug). Sets $red to the first failure, in
# the failed test's words where it has them ("" when green).
run() {
	dir=$res/$1
	mode=${2%% *}
	extra=${2#"$mode"}
	list=${dir#"$WB_TOP"/}/list.txt
	boots=$dir
	cfg=vm
	[ "$mode" != faults ] || cfg=debug
	rm -rf "$dir"
	mkdir -p "$dir"
	echo "${3:-}" >"$dir/list.txt"
	if ! WB_BUILD=$mut WB_OVERLAY_TOP=$mut/project "$WB_DIR/build-kernel.sh" project "$cfg" \
		>"$dir/build.out" 2>&1; then
		red="does not build: $(grep -m 1 ' error: ' "$mut/logs/build-project-$cfg.log" ||
			tail -n 1 "$dir/build.out")"
		return
	fi
	case $mode in
	kunit)	WB_BUILD=$mut WB_CMDLINE="kunit.filter_glob=drm*chunk*$extra" \
			boot project kunit "$dir/kunit" ;;
	igt)	WB_BUILD=$mut WB_CMDLINE="${extra# }" boot project igt "$dir/igt" "$list" ;;
	faults)	boots=$dir/debug
		WB_BUILD=$mut WB_OVERLAY_TOP=$mut/project WB_DEBUG_PASSES=faults \
			WB_FAULTS_LIST=$list "$WB_DIR/run-debug.sh" "$list" "$boots" \
			>"$dir/debug.out" 2>&1 || true ;;
	*)	die "defect $1: boot is kunit, igt or faults, not '$mode'" ;;
	esac
	python3 "$WB_DIR/results.py" collect "$boots" >"$dir/collect.out" 2>&1 || true
	[ -f "$boots/results.tsv" ] || { red="no results: $(tail -n 1 "$dir/collect.out")"; return; }
	# A failed test before a kernel report; a failed test's own words: the
	# KUnit expectation (console) or the igt-tests assertion (its output).
	red=$(awk -F '\t' '$2 != "pass" && $2 != "skip" {
		if ($2 !~ /^dmesg/) { print $1 ": " $2 " " $4; found = 1; exit }
		if (!report) report = $1 ": " $2 " " $4 }
		END { if (!found && report) print report }' "$boots/results.tsv")
	case $red in
	kunit:*': fail '*)
		red=$(awk '!red && /(EXPECTATION|ASSERTION) FAILED at/ { red = $0; next }
			red && /^    Expected|^        / { red = red " " $0; next }
			red { exit }
			END { gsub(/[[:space:]]+/, " ", red); sub(/^ # /, "", red); print red }' \
			"$dir/kunit/console.log") ;;
	*': fail '*)
		red="${red%%: fail*}: $(grep -h -m 1 'Failed assertion' "$boots/$mode"/*.out ||
			echo "${red#*: fail }")" ;;
	esac
}

case $res in "$WB_TOP"/*) ;; *) die "the results ($res) must be under $WB_TOP: the guest reads the lists there" ;; esac

# Without a defect, every boot the defects use must be green.
plant none
n=0
for name in $names; do
	printf '%s\t%s\n' "$(cat "$defs/$name.boot")" "$(cat "$defs/$name.list" 2>/dev/null)"
done | sort -u >"$mut/targets"
while IFS='	' read -r boot list; do
	n=$((n + 1))
	step "without a defect: $boot${list:+ ($list)}"
	run "control-$n" "$boot" "$list"
	[ -z "$red" ] || die "without a defect, $boot${list:+ ($list)} is red: $red" \
		"$res/control-$n/collect.out"
done <"$mut/targets"

out=$res/table.md
missed=0
{
	echo "| defect | in | target | caught | the red line |"
	echo "|---|---|---|---|---|"
} >"$out"
for name in $names; do
	boot=$(cat "$defs/$name.boot")
	list=$(cat "$defs/$name.list" 2>/dev/null || true)
	step "defect $name: $(cat "$defs/$name.what")"
	plant "$name"
	run "$name" "$boot" "$list"
	case $red in
	'')		caught=no; missed=$((missed + 1)) ;;
	'does not build'*) caught="build failed"; missed=$((missed + 1)) ;;
	*)		caught=yes ;;
	esac
	echo "    caught: $caught${red:+: $red}"
	printf '| %s: %s | %s | %s | %s | %s |\n' "$name" "$(cat "$defs/$name.what")" \
		"$(basename "$(cat "$defs/$name.file")")" "$boot${list:+: $list}" "$caught" \
		"$(echo "$red" | cut -c1-240 | sed 's/|/\\|/g')" >>"$out"
done
step "the mutation table: $out"
cat "$out"
[ "$missed" = 0 ] || die "$missed defects not caught (or not built), see $out"
