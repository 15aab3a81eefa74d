#!/bin/sh
# build-kernel.sh KIND [CONFIG]: build the "base" (unmodified 7.3), the
# "project" or the "huge" kernel (the benchmark's anchor, see overlay.sh)
# with config/CONFIG.config (default vm) on top of allnoconfig. Output:
# $WB_BUILD/out-KIND-CONFIG/arch/x86/boot/bzImage, a link to out-CONFIG in
# the kernel's source tree. Nothing is run when neither the sources nor the
# config changed.
set -eu
. "$(dirname "$0")/common.sh"

kind=$1
cfg=${2:-vm}
frag=$WB_DIR/config/$cfg.config
[ -f "$frag" ] || die "no config fragment $frag"
# One overlay and build of a kernel at a time, whoever asks for it.
mkdir -p "$WB_BUILD/logs"
exec 9>"$WB_BUILD/build-$kind.lock"
flock 9
case $kind in
base)	src=$WB_BUILD/linux; rev=$(git -C "$src" rev-parse pristine) ;;
project|huge) src=$WB_BUILD/src-$kind; rev=$("$WB_DIR/overlay.sh" "$kind") ;;
*)	die "build-kernel.sh: KIND is base, project or huge, not '$kind'" ;;
esac
# The output directory is a subdirectory of the source tree, so kbuild names
# every source and header relative to it ("../"): a file the trees share
# compiles to the same ccache entry in each of them, and the second kernel
# of a config is mostly cache hits. (With the trees' absolute paths in the
# commands nothing was shared.) A build of the old layout, a directory
# where the link goes now, is dropped.
out=$src/out-$cfg
link=$WB_BUILD/out-$kind-$cfg
log=$WB_BUILD/logs/build-$kind-$cfg.log
mkdir -p "$out" "$WB_BUILD/logs"
[ -L "$link" ] || rm -rf "$link"
ln -sfn "$out" "$link"

stamp="$rev $(cat "$WB_DIR/config/vm.config" "$frag" | sha256sum | cut -c1-16)"
if [ -f "$out/arch/x86/boot/bzImage" ] && [ "$(cat "$out/.wb-stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "==> $kind kernel ($cfg) is up to date"
	exit 0
fi

kmake() {
	make -C "$src" O="$out" CC="ccache gcc" -j"$(nproc)" "$@" >>"$log" 2>&1
}

: >"$log"
step "configuring the $kind kernel ($cfg); log: $log"
# The debug fragment is laid over the VM one.
cat "$WB_DIR/config/vm.config" "$frag" >"$out/.wb-fragment"
kmake KCONFIG_ALLCONFIG="$out/.wb-fragment" allnoconfig ||
	die "configuring the $kind kernel failed" "$log"
missing=$(grep -h '^CONFIG_' "$out/.wb-fragment" | while read -r line; do
	grep -qx "$line" "$out/.config" || echo "$line"
done)
[ -z "$missing" ] || die "config symbols that did not stick (missing dependency?): $(echo $missing)"

step "building the $kind kernel ($cfg) with ccache; log: $log"
kmake bzImage || die "building the $kind kernel failed" "$log"
grep -E ' warning: ' "$log" | sort -u >"$out/.wb-warnings" || true
echo "$stamp" >"$out/.wb-stamp"
echo "==> $kind kernel: $out/arch/x86/boot/bzImage ($(wc -l <"$out/.wb-warnings") compiler warnings)"
