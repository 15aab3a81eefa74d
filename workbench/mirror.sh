#!/bin/sh
# Print the Debian mirror this machine's apt is configured with (first
# "debian" archive URI, deb822 or one-line format). Never hard-code a host.
set -eu
uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
	awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i }' |
	grep -E '/debian/?$' | head -n 1 || true)
[ -n "$uri" ] || uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
	awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; break } }' |
	grep -E '/debian/?$' | head -n 1 || true)
if [ -z "$uri" ]; then
	echo "mirror.sh: no Debian archive URI found in /etc/apt/sources.list*" >&2
	exit 1
fi
echo "${uri%/}"
