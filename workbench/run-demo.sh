#!/bin/sh
# run-demo.sh: the main job: build the project kernel, boot it, scan out on
# vkms and print what debugfs says about the framebuffers' GEM objects.
set -eu
. "$(dirname "$0")/common.sh"

"$WB_DIR/prepare.sh" project
"$WB_DIR/run-vm.sh" project demo "$WB_BUILD/results/demo"
cat "$WB_BUILD/results/demo/demo.log"
echo "==> logs: $WB_BUILD/results/demo/"
