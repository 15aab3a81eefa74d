#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""pagescan.py QEMU_PID DIR: where in guest memory a guest buffer is.

For guest tests that need the physical layout of a buffer the kernel does
not show (the unmodified virtio-gpu driver keeps no count of its memory
entries, and GEM mappings are VM_PFNMAP, so /proc/self/pagemap has no page
frames for them). The guest tags every page of its buffer with an 8-byte
magic and the page's index, and writes DIR/NAME.scan ("MAGIC NPAGES", hex
and decimal); this script finds the tags in the guest's RAM (QEMU's
largest anonymous mapping, read through /proc/QEMU_PID/mem), and answers in
DIR/NAME.scanned: "runs R iommu I" or "error: ...". R: the number of
physically contiguous runs, in buffer order (what virtio-gpu sends without
an IOMMU: one memory entry per sg_table segment). I: what iommu_dma_map_sg()
makes of them for a device with 64 KiB maximum segments (virtio-pci):
__finalise_sg() appends a run to the current segment while
"max_len - cur_len >= s_length" in unsigned 32-bit arithmetic, so once a
segment has grown past 64 KiB everything after joins it.

RAM offsets stand for guest physical addresses: the only discontinuity, the
PCI hole below 4 GiB, lies next to reserved guest memory that no buffer
holds. Writes DIR/pagescan-ready when it starts.
"""
import os
import re
import struct
import sys
import time

BLOCK = 64 << 20
PAGE = 4096


def ram_mapping(pid):
    best = None
    with open(f"/proc/{pid}/maps") as f:
        for line in f:
            m = re.match(r"([0-9a-f]+)-([0-9a-f]+) rw.p \S+ \S+ 0\s*$", line)
            if m:
                lo, hi = int(m.group(1), 16), int(m.group(2), 16)
                if not best or hi - lo > best[1] - best[0]:
                    best = (lo, hi)
    return best


def scan(pid, magic, npages):
    lo, hi = ram_mapping(pid)
    tag = struct.pack("<Q", magic)
    where = [None] * npages
    with open(f"/proc/{pid}/mem", "rb", buffering=0) as mem:
        for base in range(lo, hi, BLOCK):
            mem.seek(base)
            try:
                buf = mem.read(min(BLOCK, hi - base))
            except OSError:
                continue
            i = buf.find(tag)
            while i >= 0:
                if i % PAGE == 0:
                    idx = struct.unpack_from("<I", buf, i + 8)[0]
                    if idx < npages:
                        where[idx] = base - lo + i
                i = buf.find(tag, i + 1)
    missing = sum(1 for w in where if w is None)
    if missing:
        return f"error: {missing} of {npages} pages not found in guest memory"
    runs = iommu = 0
    cur = 0
    start = 0
    for i in range(npages + 1):
        if i == npages or (i and where[i] != where[i - 1] + PAGE):
            if i:
                runs += 1
                length = (i - start) * PAGE
                if cur and (65536 - cur) % (1 << 32) >= length:
                    cur = (cur + length) % (1 << 32)
                else:
                    cur = length
                    iommu += 1
            start = i
    return f"runs {runs} iommu {iommu}"


def main():
    pid, d = int(sys.argv[1]), sys.argv[2]
    open(os.path.join(d, "pagescan-ready"), "w").close()
    while os.path.exists(f"/proc/{pid}"):
        for name in sorted(os.listdir(d)):
            if not name.endswith(".scan"):
                continue
            req = os.path.join(d, name)
            try:
                magic, npages = open(req).read().split()
                result = scan(pid, int(magic, 16), int(npages))
            except Exception as e:  # the guest gets the reason
                result = f"error: {e}"
            os.unlink(req)
            out = req[:-len(".scan")] + ".scanned"
            with open(out + ".tmp", "w") as f:
                f.write(result + "\n")
            os.rename(out + ".tmp", out)
            print(name, result, flush=True)
        time.sleep(0.2)


if __name__ == "__main__":
    main()
