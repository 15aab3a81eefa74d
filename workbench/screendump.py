#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""screendump.py SOCKET DIR: answer a guest's screendump requests over QMP.

A guest test that scanned out a framebuffer writes DIR/NAME.req (through
the results share) holding the name of the DRM driver it used; this takes
a QMP screendump of the QEMU display device that driver drives into
DIR/NAME.ppm and then writes DIR/NAME.done: "ok", or "error: " and QMP's
message. It runs beside QEMU (run-vm.sh, WB_DISPLAY), which stops it.
"""

import json
import os
import socket
import sys
import time

# The DRM driver's name (DRM_IOCTL_VERSION) -> the device's id in run-vm.sh;
# None: the first console (QEMU's VGA).
DEVICES = {"virtio_gpu": "vgpu", "bochs-drm": "bochs", "cirrus-qemu": "cirrus",
           "simpledrm": None}


class QMP:
    def __init__(self, path):
        # QEMU creates the socket once it starts: give it time.
        for _ in range(600):
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                time.sleep(0.1)
        else:
            sys.exit(f"screendump.py: no QMP socket at {path}")
        self.file = self.sock.makefile("rw")
        self.reply()  # the greeting
        self.command("qmp_capabilities")

    def reply(self):
        """The next message that is not an event; None when QEMU is gone."""
        while True:
            line = self.file.readline()
            if not line:
                return None
            msg = json.loads(line)
            if "event" not in msg:
                return msg

    def command(self, name, **args):
        self.file.write(json.dumps({"execute": name, "arguments": args}) + "\n")
        self.file.flush()
        return self.reply()


def answer(qmp, d, req):
    name = req[:-len(".req")]
    with open(os.path.join(d, req)) as f:
        driver = f.read().strip()
    if driver not in DEVICES:
        result = f"error: no display device for driver '{driver}'"
    else:
        args = {"filename": os.path.abspath(os.path.join(d, name + ".ppm"))}
        if DEVICES[driver]:
            args["device"] = DEVICES[driver]
        msg = qmp.command("screendump", **args)
        if msg is None:
            return False
        result = "ok" if "return" in msg else f"error: {msg.get('error', {}).get('desc', msg)}"
    print(f"{name}: {driver}: {result}", flush=True)
    with open(os.path.join(d, name + ".done"), "w") as f:
        f.write(result + "\n")
    os.rename(os.path.join(d, req), os.path.join(d, name + ".req-done"))
    return True


def main():
    path, d = sys.argv[1:3]
    qmp = QMP(path)
    while True:
        for req in sorted(f for f in os.listdir(d) if f.endswith(".req")):
            if not answer(qmp, d, req):
                return
        time.sleep(0.2)


if __name__ == "__main__":
    main()
