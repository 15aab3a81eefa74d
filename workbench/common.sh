# Sourced by every workbench script: paths, settings and messages.
# shellcheck shell=sh

WB_DIR=$(cd "$(dirname "$0")" && pwd)
WB_TOP=$(dirname "$WB_DIR")
WB_BUILD=${WB_BUILD:-$WB_TOP/build}
WB_SOURCE_PKG=linux-source-7.3
WB_SOURCE_SUITE=trixie-backports
# Top-level directories of the project that hold files at kernel paths.
WB_KERNEL_DIRS="drivers include Documentation"
export CCACHE_DIR=${CCACHE_DIR:-$WB_BUILD/ccache}

step() {
	echo "==> $*"
}

# die MESSAGE [LOG]: name the failed step and where its log is.
die() {
	echo "ERROR: $1" >&2
	if [ -n "${2:-}" ]; then
		echo "       log: $2" >&2
		tail -n 15 "$2" 2>/dev/null | sed 's/^/       | /' >&2
	fi
	exit 1
}

# boot KIND MODE DIR [LIST]: run-vm.sh; a guest that crashed, hung or did not
# finish is recorded in DIR's parent's vm-failures, and the run goes on.
boot() {
	"$WB_DIR/run-vm.sh" "$@" ||
		echo "$(basename "$3") boot: see $3/console.log" >>"$(dirname "$3")/vm-failures"
}
