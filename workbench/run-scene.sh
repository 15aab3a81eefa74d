#!/bin/sh
# run-scene.sh: the main job. Build the project kernel, boot it and run the
# compositor scene (wayland/scene.sh): weston on vkms showing a vgem dma-buf,
# a vkms dma-buf and a wl_shm client. Prints where the writeback capture and
# the screenshot are, what is on them and which framebuffers vkms scanned
# out. KEEP=1 leaves weston running and gives a shell in the guest.
set -eu
. "$(dirname "$0")/common.sh"

out=$WB_BUILD/results/run
mode=scene
[ "${KEEP:-0}" = 1 ] && mode=scene-shell
"$WB_DIR/prepare.sh" project
# weston puts a client's dma-buf on a plane only if vkms has overlays.
WB_CMDLINE=vkms.enable_overlay=1 "$WB_DIR/run-vm.sh" project "$mode" "$out"
[ "$mode" = scene ] && cat "$out/scene.log"
grep -q '^scene: done' "$out/scene.log" ||
	die "the compositor scene failed" "$out/scene.log"
step "what the captures show (wayland/chunk_weston.py --describe)"
python3 "$WB_TOP/wayland/chunk_weston.py" --describe "$out/scene"
step "the composed frame, as vkms's writeback connector captured it: $out/scene/writeback.png"
step "weston's screenshot of the same frame: $out/scene/screenshot.png"
echo "==> logs (weston.log, scene-graph.txt, framebuffer.txt, state.txt): $out/scene/"
