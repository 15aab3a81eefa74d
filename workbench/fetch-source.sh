#!/bin/sh
# Fetch Debian's linux-source-7.3 with private apt state and unpack it once
# into $WB_BUILD/linux as a git repository whose first commit is the
# pristine tree (tagged "pristine").
set -eu
. "$(dirname "$0")/common.sh"

src=$WB_BUILD/linux
if git -C "$src" rev-parse -q --verify pristine >/dev/null 2>&1; then
	exit 0
fi

apt=$WB_BUILD/apt
mirror=$("$WB_DIR/mirror.sh")
mkdir -p "$apt/lists/partial" "$apt/archives/partial" "$apt/etc"
cat > "$apt/etc/sources.list" <<SRC
deb $mirror $WB_SOURCE_SUITE main
SRC
set -- -o Dir::State::Lists="$apt/lists" \
	-o Dir::Etc::SourceList="$apt/etc/sources.list" \
	-o Dir::Etc::SourceParts=/dev/null \
	-o Dir::Cache::Archives="$apt/archives" \
	-o Acquire::Check-Valid-Until=false \
	-o APT::Get::List-Cleanup=false

step "apt-get update ($mirror $WB_SOURCE_SUITE)"
# apt-get update exits 0 when it cannot reach the mirror: look at what it got.
apt-get "$@" update >"$apt/update.log" 2>&1 && ls "$apt"/lists/*_Packages* >/dev/null 2>&1 ||
	die "apt-get update of $mirror $WB_SOURCE_SUITE failed (no network to the mirror?)" "$apt/update.log"
step "downloading $WB_SOURCE_PKG"
(cd "$apt/archives" && apt-get "$@" download "$WB_SOURCE_PKG") >"$apt/download.log" 2>&1 ||
	die "could not download $WB_SOURCE_PKG" "$apt/download.log"

deb=$(ls "$apt"/archives/"$WB_SOURCE_PKG"_*.deb | tail -n 1)
step "unpacking $(basename "$deb")"
rm -rf "$apt/unpack" "$src.tmp"
dpkg-deb -x "$deb" "$apt/unpack" || die "dpkg-deb -x $deb failed (disk full?)"
tarball=$(ls "$apt"/unpack/usr/src/linux-source-*.tar.* | head -n 1)
mkdir -p "$src.tmp"
tar -xf "$tarball" -C "$src.tmp" --strip-components=1 ||
	die "could not unpack $tarball (disk full?)"
rm -rf "$apt/unpack"

step "committing the pristine tree"
cd "$src.tmp"
# Debian's packaging stanza ends .gitignore with "/*": keep the tree tracked.
git init -q
git add -f -A
git -c user.name=workbench -c user.email=workbench@localhost \
	commit -q -m "Linux $(make -s kernelversion) (pristine, $(basename "$deb"))"
git tag pristine
cd - >/dev/null
mv "$src.tmp" "$src"
