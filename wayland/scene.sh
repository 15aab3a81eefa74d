#!/bin/sh
# scene.sh OUTDIR [keep]: the compositor scene, in the guest. weston on
# vkms (drm backend, GL renderer) with four chunk_wl_client windows
# (a vgem dma-buf, a vkms dma-buf, a udmabuf dma-buf and a wl_shm buffer);
# once all are shown, save the writeback capture and a renderer screenshot
# as PNG, the debugfs framebuffer and dma-buf lists and weston's scene
# graph, then stop (with "keep": leave weston and the clients running).
# Output in OUTDIR: writeback.png, screenshot.png, framebuffer.txt,
# state.txt, bufinfo.txt, scene-graph.txt, weston.log, client-*.log;
# "scene: ..." lines on stdout say what happened.
out=$1
keep=${2:-}
bin=$(dirname "$0")
# Programs built for the guest live in /wb/build/wayland, this script in /wb/wayland.
[ -x "$bin/chunk_wl_client" ] || bin=/wb/build/wayland
fail() {
	echo "scene: FAILED: $*"
	stop
	exit 1
}
stop() {
	[ -z "$pids" ] || kill $pids 2>/dev/null
	[ -z "$weston" ] || { kill "$weston" 2>/dev/null; wait "$weston" 2>/dev/null; }
}
# wait_for TIMEOUT FILE PATTERN: until FILE has PATTERN (weston is slow under TCG).
wait_for() {
	i=0
	while ! grep -qs "$3" "$2"; do
		i=$((i + 1))
		[ "$i" -le "$(($1 * 5))" ] || return 1
		sleep 0.2
	done
}

pids= weston=
mkdir -p "$out"
dri=$(grep -l '^vkms' /sys/kernel/debug/dri/*/name | head -n 1)
dri=${dri%/name}
[ -n "$dri" ] || fail "no vkms device in /sys/kernel/debug/dri"
card=card${dri##*/}

export XDG_RUNTIME_DIR=/tmp/scene-xdg WAYLAND_DISPLAY=wl-chunk LIBSEAT_BACKEND=noop
# llvmpipe's 256-bit (AVX) code under QEMU's TCG samples every texel at
# (0, 0); with 128-bit vectors the GL renderer's output is exact.
export LP_NATIVE_VECTOR_WIDTH=128
rm -rf "$XDG_RUNTIME_DIR"
mkdir -m 700 "$XDG_RUNTIME_DIR"
echo "scene: weston on $card (vkms), GL renderer (llvmpipe)"
weston --backend=drm --renderer=gl --drm-device="$card" \
	--continue-without-input --debug --config=/wb/wayland/weston.ini \
	--socket="$WAYLAND_DISPLAY" --log="$out/weston.log" 2>&1 &
weston=$!
wait_for 120 "$out/weston.log" "launching '.*weston-desktop-shell'" ||
	fail "weston did not start (see weston.log)"

# vgem: vgem's buffer, imported by vkms; vkms: vkms's own, re-imported;
# udmabuf: a memfd's pages as a dma-buf, imported by vkms (a size of its
# own, so that its dma-buf is told from vgem's). New windows go on top, and
# weston puts the top dma-buf on an overlay plane (vkms planes have no zpos:
# one overlay at most): the vgem one, started last.
for c in shm:0x50:256x192 vkms:0xd0:256x192 udmabuf:0xb0:192x160 vgem:0x90:256x192; do
	kind=${c%%:*} tag=${c#*:} size=${c##*:}
	"$bin/chunk_wl_client" --buffer="$kind" --tag="${tag%:*}" --size="$size" \
		>"$out/client-$kind.log" 2>&1 &
	pids="$pids $!"
	wait_for 60 "$out/client-$kind.log" '^ready' ||
		fail "the $kind client was not shown: $(tail -n 1 "$out/client-$kind.log")"
	echo "scene: $(cat "$out/client-$kind.log")"
done
# Let the last client's frame reach the screen before capturing.
sleep 3
cat "$dri/framebuffer" >"$out/framebuffer.txt"
cat "$dri/state" >"$out/state.txt"
cat /sys/kernel/debug/dma_buf/bufinfo >"$out/bufinfo.txt"
timeout 20 weston-debug -o "$out/scene-graph.txt" scene-graph >/dev/null 2>&1
cd "$out" || fail "cannot enter $out"
for src in writeback framebuffer; do
	rm -f wayland-screenshot*
	timeout 60 weston-screenshooter --source-type="$src" >"screenshooter-$src.log" 2>&1 ||
		fail "weston-screenshooter --source-type=$src: $(tail -n 1 "screenshooter-$src.log")"
	name=$src.png
	[ "$src" = framebuffer ] && name=screenshot.png
	mv wayland-screenshot*.png "$name" || fail "no PNG from weston-screenshooter ($src)"
	echo "scene: $src capture saved as $name"
done
[ -n "$keep" ] || stop
echo "scene: done"
