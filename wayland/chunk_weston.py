#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""chunk_weston: the compositor scene (wayland/scene.sh) checked pixel by pixel.

An IGT-style test binary (--list-subtests, --run-subtest, "Subtest X: RESULT"
lines, exit 0/77/98, [IGT] markers in /dev/kmsg). It runs the scene once:
weston on vkms with a vgem dma-buf client, a vkms dma-buf client, a udmabuf
dma-buf client and a wl_shm client, each showing its pattern (red = tag, green = x, blue = y). From
weston's scene graph (where the compositor placed each window, and in which
order) it computes the frame the screen must show and compares it with the
captures, every pixel.

  chunk_weston [--run-subtest NAME[,NAME]] [--list-subtests]
  chunk_weston --describe DIR    describe an existing scene's output (host)
"""

import fnmatch
import glob
import os
import re
import struct
import subprocess
import sys
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
SCENE = next((p for p in (os.path.join(HERE, "scene.sh"), "/wb/wayland/scene.sh")
              if os.path.exists(p)), None)
BACKGROUND = 0x203040       # weston.ini, [shell] background-color
OUT = os.environ.get("CHUNK_WESTON_OUT", "/tmp/chunk_weston")


class Fail(Exception):
    pass


class Skip(Exception):
    pass


def read_png(path):
    """8-bit RGB or RGBA PNG (what weston-screenshooter writes): (w, h, rows)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise Fail(f"{path} is not a PNG file")
    pos, idat = 8, []
    while pos < len(data):
        n, typ = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if typ == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif typ == b"IDAT":
            idat.append(body)
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise Fail(f"{path}: unsupported PNG (depth {depth}, colour type {ctype})")
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = w * bpp
    prev = bytearray(stride)
    rows = []
    for y in range(h):
        ftype = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if ftype == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif ftype:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                if ftype == 1:
                    line[i] = (line[i] + a) & 255
                elif ftype == 3:
                    line[i] = (line[i] + (a + b) // 2) & 255
                else:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                    line[i] = (line[i] + pr) & 255
        rows.append([line[x] << 16 | line[x + 1] << 8 | line[x + 2]
                     for x in range(0, stride, bpp)])
        prev = line
    return w, h, rows


def read_scene(d):
    """The clients (kind, tag, w, h) and their views, top first, as placed."""
    clients = {}
    for kind in ("vgem", "vkms", "udmabuf", "shm"):
        try:
            with open(f"{d}/client-{kind}.log") as f:
                m = re.search(r"^ready (\w+) (0x[0-9a-f]+) (\d+)x(\d+)", f.read(), re.M)
        except OSError:
            m = None
        if not m:
            raise Fail(f"the {kind} client never showed its buffer (client-{kind}.log)")
        clients[kind] = (int(m[2], 16), int(m[3]), int(m[4]))
    views = []
    with open(f"{d}/scene-graph.txt") as f:
        graph = f.read()
    for m in re.finditer(r"'chunk_wl_client (\w+)' of .*\n\s*position: \((-?\d+), (-?\d+)\)",
                         graph):
        views.append((m[1], int(m[2]), int(m[3])))
    missing = set(clients) - {v[0] for v in views}
    if missing:
        raise Fail(f"weston's scene graph has no view of {', '.join(sorted(missing))}")
    return clients, views


def expected_frame(w, h, clients, views):
    frame = [[BACKGROUND] * w for _ in range(h)]
    for kind, vx, vy in reversed(views):      # bottom first
        tag, cw, ch = clients[kind]
        for y in range(max(0, -vy), min(ch, h - vy)):
            row = frame[vy + y]
            for x in range(max(0, -vx), min(cw, w - vx)):
                row[vx + x] = tag << 16 | (x & 0xff) << 8 | (y & 0xff)
    return frame


def compare(png, clients, views):
    """Mismatching pixels of a capture, and how many of each client's show."""
    w, h, got = read_png(png)
    want = expected_frame(w, h, clients, views)
    bad = [(x, y) for y in range(h) for x in range(w) if got[y][x] != want[y][x]]
    shown = {k: sum(1 for row in want for p in row if p >> 16 == t and p != BACKGROUND)
             for k, (t, _, _) in clients.items()}
    return w, h, got, want, bad, shown


def describe_capture(png, clients, views):
    w, h, got, want, bad, shown = compare(png, clients, views)
    lines = [f"{os.path.basename(png)}: {w}x{h}, background 0x{BACKGROUND:06x}"]
    for kind, vx, vy in views:
        tag, cw, ch = clients[kind]
        lines.append(f"  {kind} client (red 0x{tag:02x}), {cw}x{ch} at ({vx},{vy}): "
                     f"{shown[kind]} of {cw * ch} pixels visible")
    if bad:
        x, y = bad[0]
        lines.append(f"  {len(bad)} pixels differ from the expected frame, first at ({x},{y}): "
                     f"0x{got[y][x]:06x} instead of 0x{want[y][x]:06x}")
    else:
        lines.append("  every pixel is as expected (windows top to bottom: "
                     + ", ".join(v[0] for v in views) + ")")
    return bad, shown, lines


def check_capture(name):
    clients, views = read_scene(OUT)
    bad, shown, lines = describe_capture(f"{OUT}/{name}", clients, views)
    for line in lines:
        print(line)
    hidden = [k for k, n in shown.items() if not n]
    if hidden:
        raise Fail(f"no pixel of {', '.join(hidden)} is visible: the scene cannot show it")
    if bad:
        raise Fail(f"{name}: {len(bad)} pixels differ from the composition weston reported")


def scanned_out():
    """Framebuffers on a vkms plane, with the GEM info debugfs gives for them."""
    with open(f"{OUT}/state.txt") as f:
        fbs = set(re.findall(r"^\s*fb=(\d+)$", f.read(), re.M))
    with open(f"{OUT}/framebuffer.txt") as f:
        blocks = re.split(r"^framebuffer\[", f.read(), flags=re.M)[1:]
    return {b.split("]")[0]: b for b in blocks if b.split("]")[0] in fbs}


def scanout_lines(planes):
    lines = []
    for fb, info in sorted(planes.items()):
        size = re.search(r"^\s*size=(\S+)", info, re.M)[1]
        imported = re.search(r"imported=(\w+)", info)
        chunks = re.search(r"chunk object:.*", info)
        lines.append(f"framebuffer {fb} on a vkms plane: {size}, "
                     f"imported={imported[1] if imported else '?'}, "
                     f"{chunks[0] if chunks else 'not a chunk object'}")
    return lines


def vkms_imports():
    """The dma-bufs attached to vkms during the scene (bufinfo.txt): a list
    of (size, exporter)."""
    with open(f"{OUT}/bufinfo.txt") as f:
        text = f.read()
    found = []
    for m in re.finditer(r"^(\d+)\t\S+\t\S+\t\S+\t(\S+)\t.*\n((?:\t.*\n)*)", text, re.M):
        if re.search(r"^\tvkms$", m[3], re.M):
            found.append((int(m[1]), m[2]))
    return found


def check_scanout():
    """Every framebuffer on a vkms plane is a chunk object; an imported one
    comes from a dma-buf the chunk helper exported (vgem's)."""
    planes = scanned_out()
    print("\n".join(scanout_lines(planes)))
    if not planes:
        raise Fail("no framebuffer on a vkms plane during the scene (state.txt)")
    # The helper's debugfs directory says whether this kernel has it at all.
    if not os.path.isdir("/sys/kernel/debug/dri/drm_chunk"):
        raise Skip("this kernel has no GEM chunk helper (no /sys/kernel/debug/dri/drm_chunk)")
    plain = [fb for fb, info in planes.items() if "chunk object:" not in info]
    if plain:
        raise Fail(f"framebuffers {', '.join(plain)} are not chunk objects")
    imported = [fb for fb, info in planes.items() if "imported=yes" in info]
    if not imported:
        raise Fail("no imported (vgem) buffer is scanned out: weston composited it instead")
    imports = vkms_imports()
    print("dma-bufs imported into vkms: "
          + ", ".join(f"{size} bytes from {exp}" for size, exp in imports))
    # GEM exports are all named "drm": that vgem's are the chunk helper's
    # shows in vgem's debugfs directory, which has the helper's reclaim file.
    if not vgem_on_chunk_helper():
        raise Fail("vgem's debugfs directory has no chunk_reclaim: vgem is not on the chunk helper")
    for fb in imported:
        pages = int(re.search(r"chunk object: (\d+) pages", planes[fb])[1])
        exporters = {exp for size, exp in imports if size == pages * 4096}
        if exporters != {"drm"}:
            raise Fail(f"framebuffer {fb} ({pages} pages) was exported by "
                       f"{', '.join(sorted(exporters)) or 'no dma-buf attached to vkms'}, "
                       "not by a GEM driver (vgem)")


def vgem_on_chunk_helper():
    """Whether vgem's debugfs directory has the chunk helper's reclaim file."""
    for name in glob.glob("/sys/kernel/debug/dri/*/name"):
        with open(name) as f:
            if f.read().split()[:1] == ["vgem"]:
                return os.path.exists(os.path.join(os.path.dirname(name), "chunk_reclaim"))
    return False


SUBTESTS = {
    "writeback-pixels": lambda: check_capture("writeback.png"),
    "screenshot-pixels": lambda: check_capture("screenshot.png"),
    "scanout-chunk-objects": check_scanout,
}


def kmsg(msg):
    try:
        with open("/dev/kmsg", "w") as f:
            f.write(f"[IGT] chunk_weston: {msg}\n")
    except OSError:
        pass


def run_scene():
    """The scene, once per invocation; a failed scene fails every subtest."""
    if not SCENE:
        raise Skip("no scene.sh next to chunk_weston or in /wb/wayland")
    if not os.path.isdir("/sys/kernel/debug/dri"):
        raise Skip("no debugfs DRM directory: not the workbench guest")
    subprocess.run(["rm", "-rf", OUT], check=True)
    r = subprocess.run([SCENE, OUT], capture_output=True, text=True, timeout=400)
    print(r.stdout, end="")
    if r.returncode:
        raise Fail(f"the scene failed: {r.stdout.strip().splitlines()[-1]}")


def main(argv):
    if argv[1:2] == ["--describe"]:
        global OUT
        OUT = argv[2]
        clients, views = read_scene(OUT)
        for png in ("writeback.png", "screenshot.png"):
            print("\n".join(describe_capture(f"{OUT}/{png}", clients, views)[2]))
        print("\n".join(scanout_lines(scanned_out())))
        return 0
    if "--list-subtests" in argv:
        print("\n".join(SUBTESTS))
        return 0
    patterns = ["*"]
    if "--run-subtest" in argv:
        patterns = argv[argv.index("--run-subtest") + 1].split(",")
    selected = [n for n in SUBTESTS if any(fnmatch.fnmatch(n, p) for p in patterns)]
    if not selected:
        print(f"Unknown subtest: {','.join(patterns)}", file=sys.stderr)
        return 79
    scene_error = None
    try:
        run_scene()
    except (Fail, Skip, subprocess.SubprocessError, OSError) as e:
        scene_error = e
    results = []
    for name in selected:
        print(f"Starting subtest: {name}", flush=True)
        kmsg(f"starting subtest {name}")
        t0 = time.monotonic()
        result = "SUCCESS"
        try:
            if scene_error:
                raise scene_error
            SUBTESTS[name]()
        except Skip as e:
            result = "SKIP"
            print(f"Test requirement not met: {e}")
        except Exception as e:  # noqa: BLE001 - any error fails the subtest
            result = "FAIL"
            print(f"Failed: {e}", file=sys.stderr)
        kmsg(f"finished subtest {name}, {result}")
        print(f"Subtest {name}: {result} ({time.monotonic() - t0:.3f}s)", flush=True)
        results.append(result)
    if "FAIL" in results:
        return 98
    return 77 if all(r == "SKIP" for r in results) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
