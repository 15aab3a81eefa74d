#!/bin/sh
# lint.sh OUTFILE: the kernel's own static checks on what the project adds:
# checkpatch --strict on every new kernel file and patch, kernel-doc -Wall on
# the new sources and headers, and a W=1 build of the new objects (in their
# own output directory, so the test kernel's flags stay as they are); the
# verdict's own test (test-results.py: results.py's rules on results made
# by hand). Writes
# "static:CHECK:FILE<TAB>pass|fail" lines to OUTFILE, the findings to the log.
set -eu
. "$(dirname "$0")/common.sh"

res=$1
src=$WB_BUILD/src-project
out=$WB_BUILD/out-project-lint
log=$WB_BUILD/logs/lint.log
: >"$res"
: >"$log"

# check NAME FILE COMMAND...: one result line, the command's output logged.
check() {
	name=$1 file=$2
	shift 2
	if "$@" >"$log.one" 2>&1 && ! grep -qE '^(ERROR|WARNING|CHECK)|warning:|error:' "$log.one"; then
		printf 'static:%s:%s\tpass\n' "$name" "$file" >>"$res"
	else
		printf 'static:%s:%s\tfail\n' "$name" "$file" >>"$res"
		{ echo "== $name $file"; cat "$log.one"; } >>"$log"
	fi
}

# The project's own text (tree-check.py): no session or issue numbers in
# the tracked files, no relative link of README.md and doc/ that does not
# resolve.
check tree-words tree python3 "$WB_DIR/tree-check.py" words
for page in $(git -C "$WB_TOP" ls-files -- README.md 'doc/*.md'); do
	check links "$page" python3 "$WB_DIR/tree-check.py" links "$page"
done

files=$(git -C "$WB_TOP" ls-files -- 'drivers/*.[ch]' 'include/*.h')
patches=$(cd "$WB_TOP" && ls patches/*.patch)
mkdir -p "$out"
exec 9>"$WB_BUILD/build-project.lock"
flock 9
if [ ! -f "$out/.config" ] || [ "$WB_BUILD/out-project-vm/.config" -nt "$out/.config" ]; then
	cp "$WB_BUILD/out-project-vm/.config" "$out/.config"
	make -C "$src" O="$out" CC="ccache gcc" olddefconfig prepare >>"$log" 2>&1 ||
		die "preparing the W=1 build failed" "$log"
fi
# The project tree holds the files as they are in the working tree.
cd "$src"
for f in $files; do
	check checkpatch "$f" perl scripts/checkpatch.pl --strict --no-tree -q -f "$f"
	check kernel-doc "$f" scripts/kernel-doc -none -Wall "$f"
	case $f in
	drivers/*.c)
		# Compiled every time: an up-to-date object would hide its warnings.
		rm -f "$out/${f%.c}.o"
		check W=1 "$f" make O="$out" CC="ccache gcc" W=1 "${f%.c}.o" ;;
	esac
done
# The patches are not mails yet: whoever sends the series signs it off
# (make series), and a tree without history cannot look up a Fixes: commit
# (nor give one where a fix quotes a trace: 0002 says why it has none).
for p in $patches; do
	check checkpatch "$p" perl scripts/checkpatch.pl --strict --no-tree -q \
		--ignore MISSING_SIGN_OFF,UNKNOWN_COMMIT_ID,MISSING_FIXES_TAG "$WB_TOP/$p"
done
check selftest workbench/results.py python3 "$WB_DIR/test-results.py"
rm -f "$log.one"
