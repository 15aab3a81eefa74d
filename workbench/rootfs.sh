#!/bin/sh
# Build the guest root filesystem (Debian sid) with mmdebstrap into
# $WB_BUILD/rootfs. Rebuilt only when rootfs.packages or this script change.
set -eu
. "$(dirname "$0")/common.sh"

root=$WB_BUILD/rootfs
key=$(cat "$WB_DIR/rootfs.packages" "$0" "$WB_DIR/guest/wb-init" | sha256sum | cut -c1-16)
if [ "$(cat "$root/.wb-key" 2>/dev/null)" = "$key" ]; then
	exit 0
fi

mirror=$("$WB_DIR/mirror.sh")
pkgs=$(grep -v '^#' "$WB_DIR/rootfs.packages" | xargs | tr ' ' ',')
log=$WB_BUILD/logs/rootfs.log
mkdir -p "$WB_BUILD/logs"
step "building the guest root filesystem (Debian sid, $mirror); log: $log"
rm -rf "$root" "$root.tmp"
# The guest mounts the project read-only on /wb and its results on /results;
# /sbin/wb-init hands over to the project's guest script.
mmdebstrap --variant=apt --include="$pkgs" \
	--aptopt='Acquire::Check-Valid-Until "false"' \
	--dpkgopt='path-exclude=/usr/share/doc/*' \
	--dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/locale/*' \
	--customize-hook='mkdir -p "$1/wb" "$1/results"' \
	--customize-hook="cp '$WB_DIR/guest/wb-init' \"\$1/sbin/wb-init\"" \
	sid "$root.tmp" "$mirror" >"$log" 2>&1 ||
	die "mmdebstrap failed (missing package or no network to the mirror?)" "$log"
chroot "$root.tmp" dpkg-query -W >"$root.tmp/.wb-packages"
echo "$key" >"$root.tmp/.wb-key"
mv "$root.tmp" "$root"
