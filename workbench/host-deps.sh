#!/bin/sh
# Install what the host needs with apt; does nothing when all is there.
# host-deps.sh [PACKAGE...]: those Debian packages instead of the default
# list (what building, booting and comparing need).
set -eu
. "$(dirname "$0")/common.sh"

pkgs="qemu-system-x86 mmdebstrap flex bison bc make gcc libc6-dev libelf-dev
libssl-dev cpio ccache python3 python3-matplotlib rsync xz-utils zstd git kmod"
[ $# -eq 0 ] || pkgs="$*"
missing=$(for p in $pkgs; do
	dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || echo "$p"
done)
[ -n "$missing" ] || exit 0

log=$WB_BUILD/logs/host-deps.log
mkdir -p "$WB_BUILD/logs"
step "installing host packages:" $missing
[ "$(id -u)" = 0 ] || die "installing packages needs root: apt-get install" $missing
apt-get update >"$log" 2>&1 || die "apt-get update failed (no network to the mirror?)" "$log"
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing >>"$log" 2>&1 ||
	die "apt-get install failed (a package missing from the archive, or disk full?)" "$log"
