#!/bin/sh
# demo.sh OUTDIR: scan out a test pattern on vkms with modetest and show what
# the kernel says about the framebuffers behind it (debugfs).
out=$1
dri=$(for d in /sys/kernel/debug/dri/*; do
	grep -qs '^vkms' "$d/name" && echo "$d" && break
done)
{
	echo "kernel: $(uname -r)"
	echo "vkms debugfs: $dri"
	modetest -M vkms -c 2>&1 | sed -n '1,/^$/p'
	# modetest keeps the mode set until it reads a line from stdin.
	(sleep 3; echo) | modetest -M vkms -s "$(modetest -M vkms -c |
		awk '$3 == "connected" { print $1; exit }')@$(modetest -M vkms -p |
		awk '/^CRTCs:/ { getline; getline; print $1; exit }'):1024x768" >"$out/modetest.log" 2>&1 &
	sleep 2
	echo "--- $dri/framebuffer while modetest scans out:"
	cat "$dri/framebuffer"
	wait
} >"$out/demo.log" 2>&1
