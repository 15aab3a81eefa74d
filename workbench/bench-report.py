#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""bench-report.py DIR: the table of the benchmark's boots in DIR.

DIR holds base-N/bench.json and project-N/bench.json (run-bench.sh). Prints
one table: per figure, driver and size the median over the boots of each
kernel with its min-max spread, and the ratio project/unmodified (median of
the ratios of boots paired in run order, with their min-max); then the
in-boot comparison vkms/vgem on each kernel, the first-touch ceiling, and
the issue's targets, met or missed. Writes DIR/bench.csv,
DIR/bench-summary.json and DIR/bench.png (ratio against size).
"""
import csv
import glob
import json
import os
import re
import statistics
import sys

SIZE_NAMES = {4 << 10: "4K", 64 << 10: "64K", 2 << 20: "2M", 8 << 20: "8M",
              64 << 20: "64M", 256 << 20: "256M"}
# figure, driver: what goes into the main table, in this order.
ROWS = [("meta_bytes", "vkms"), ("meta_bytes", "vgem"), ("sgt_bytes", "vkms"),
        ("meta_chunks", "vkms"),
        ("touch_ms", "vkms"), ("touch_ms", "vgem"), ("touch_faults", "vkms"),
        ("touch_faults", "vgem"), ("memset_ms", "vkms"), ("ceiling_ms", "anon"),
        ("fault_mib_s", "vkms_1thread"), ("fault_mib_s", "vkms_4threads"),
        ("fault_faults", "vkms_1thread"), ("fault_faults", "vkms_4threads"),
        ("prime_us", "vgem_to_vkms"), ("prime_us", "vkms_to_vgem"),
        ("compose_wall_ms", "vkms"), ("compose_cpu_ms", "vkms"),
        ("compose_crc_per_flip", "vkms")]



def print_table(lines):
    """Print rows of strings as left-aligned columns."""
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    for line in lines:
        print("  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip())

def size_name(size):
    if size in SIZE_NAMES:
        return SIZE_NAMES[size]
    return "%.1fM" % (size / 2**20)


def load(d):
    """{kind: [ {(fig, drv, size): value}, ... in boot order ]}"""
    runs = {"base": [], "project": []}
    for kind in runs:
        paths = glob.glob(os.path.join(d, kind + "-*", "bench.json"))
        paths.sort(key=lambda p: int(re.search(r"-(\d+)/bench.json$", p).group(1)))
        for p in paths:
            with open(p) as f:
                data = json.load(f)
            runs[kind].append({(r["fig"], r["drv"], r["size"]): r["value"]
                               for r in data["results"]})
            runs[kind][-1]["_helper"] = data.get("vkms_helper")
    return runs


def ratio(a, b):
    if a is None or b is None:
        return None
    if b == 0:
        return None if a else 1.0
    return a / b


def stats(vals):
    vals = [v for v in vals if v is not None]
    if not vals:
        return None
    return (statistics.median(vals), min(vals), max(vals))


def fmt(v):
    if v is None:
        return "-"
    if v == 0:
        return "0"
    if abs(v) >= 100:
        return "%.0f" % v
    if abs(v) >= 1:
        return "%.3g" % v
    return "%.2g" % v


def fmt_spread(s):
    if s is None:
        return "-"
    return "%s [%s-%s]" % (fmt(s[0]), fmt(s[1]), fmt(s[2]))


def main():
    d = sys.argv[1]
    runs = load(d)
    base, proj = runs["base"], runs["project"]
    if not base or not proj:
        sys.exit("bench-report: no base-N/bench.json or project-N/bench.json in %s" % d)
    keys = sorted({k for r in base + proj for k in r if k != "_helper"})
    rows = []
    for fig, drv in ROWS:
        for k in [k for k in keys if k[0] == fig and k[1] == drv]:
            b = stats([r.get(k) for r in base])
            p = stats([r.get(k) for r in proj])
            pairs = [ratio(pr.get(k), br.get(k)) for br, pr in zip(base, proj)]
            rows.append({"fig": fig, "drv": drv, "size": k[2], "base": b, "project": p,
                         "ratio": stats(pairs)})

    print("Benchmark: %d boots of the unmodified kernel (vkms on %s), %d of the project "
          "kernel (vkms on %s); medians over boots [min-max]" %
          (len(base), base[0]["_helper"], len(proj), proj[0]["_helper"]))
    hdr = ("figure", "driver", "size", "unmodified", "project", "ratio p/u [min-max]")
    lines = [hdr]
    for r in rows:
        lines.append((r["fig"], r["drv"], size_name(r["size"]), fmt_spread(r["base"]),
                      fmt_spread(r["project"]), fmt_spread(r["ratio"])))
    print_table(lines)
    print("(fault_mib_s: higher is better; every other figure: lower is better)")

    # In the same boot: vkms vs vgem (write-combined), on the same helper.
    print()
    print("In-boot vkms/vgem (median over boots [min-max]; both on the shmem helper on "
          "the unmodified kernel, on the chunk helper on the project kernel; vgem maps "
          "write-combined):")
    inboot = []
    lines = [("figure", "size", "unmodified vkms/vgem", "project vkms/vgem")]
    for fig in ("meta_bytes", "touch_ms", "touch_faults", "memset_ms"):
        for size in sorted({k[2] for k in keys if k[0] == fig}):
            b = stats([ratio(r.get((fig, "vkms", size)), r.get((fig, "vgem", size)))
                       for r in base])
            p = stats([ratio(r.get((fig, "vkms", size)), r.get((fig, "vgem", size)))
                       for r in proj])
            inboot.append({"fig": fig, "size": size, "base": b, "project": p})
            lines.append((fig, size_name(size), fmt_spread(b), fmt_spread(p)))
    print_table(lines)

    # First touch against the ceiling: populated memset time / touch time.
    print()
    print("First touch as a fraction of the ceiling (memset of populated anonymous "
          "memory / create+mmap+touch+destroy; 1 = no overhead), median over boots:")
    ceiling = []
    lines = [("size", "unmodified vkms", "project vkms", "unmodified vgem", "project vgem")]
    for size in sorted({k[2] for k in keys if k[0] == "ceiling_ms"}):
        cells = [size_name(size)]
        for drv in ("vkms", "vgem"):
            for kind, rs in (("base", base), ("project", proj)):
                s = stats([ratio(r.get(("ceiling_ms", "anon", size)),
                                 r.get(("touch_ms", drv, size))) for r in rs])
                ceiling.append({"size": size, "drv": drv, "kernel": kind, "fraction": s})
                cells.append(fmt(s[0]) if s else "-")
        lines.append((cells[0], cells[1], cells[2], cells[3], cells[4]))
    print_table(lines)

    # The targets, on the median ratio project/unmodified.
    def r_of(fig, drv, size):
        for r in rows:
            if (r["fig"], r["drv"], r["size"]) == (fig, drv, size):
                return r["ratio"][0] if r["ratio"] else None
        return None

    targets = []

    def target(name, value, limit, better="lower"):
        ok = value is not None and (value <= limit if better == "lower" else value >= limit)
        targets.append({"target": name, "value": value, "limit": limit, "met": ok})
        print("  %-6s %s: %s (limit %s)" % ("met" if ok else "MISSED", name, fmt(value),
                                           fmt(limit)))

    print()
    print("Targets (median ratio project/unmodified):")
    target("metadata per 64 MiB vkms object", r_of("meta_bytes", "vkms", 64 << 20), 1 / 50)
    for size in (64 << 20, 256 << 20):
        t = r_of("touch_ms", "vkms", size)
        target("create+first-touch %s vkms, speed-up" % size_name(size),
               1 / t if t else None, 2.0, "higher")
        f = r_of("touch_faults", "vkms", size)
        target("create+first-touch %s vkms, fewer faults" % size_name(size),
               1 / f if f else None, 10.0, "higher")
    for drv in ("vgem_to_vkms", "vkms_to_vgem"):
        vals = [r["ratio"][0] for r in rows
                if r["fig"] == "prime_us" and r["drv"] == drv and r["ratio"]]
        target("PRIME %s round trip, median over sizes (worst size %s)" %
               (drv, fmt(max(vals)) if vals else "-"),
               statistics.median(vals) if vals else None, 1.0)
    for fig in ("compose_cpu_ms", "compose_wall_ms"):
        vals = [r["ratio"][0] for r in rows if r["fig"] == fig and r["ratio"]]
        target("composition %s" % fig, vals[0] if vals else None, 1.05)

    with open(os.path.join(d, "bench.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["figure", "driver", "size", "unmodified_median", "unmodified_min",
                    "unmodified_max", "project_median", "project_min", "project_max",
                    "ratio_median", "ratio_min", "ratio_max"])
        for r in rows:
            w.writerow([r["fig"], r["drv"], r["size"]] +
                       [x for s in (r["base"], r["project"], r["ratio"])
                        for x in (s or (None, None, None))])
    with open(os.path.join(d, "bench-summary.json"), "w") as f:
        json.dump({"boots": {"base": len(base), "project": len(proj)}, "rows": rows,
                   "inboot": inboot, "ceiling": ceiling, "targets": targets}, f, indent=1)
    chart(d, rows)
    print()
    print("Files: %s/bench.csv, bench-summary.json, bench.png" % d)


def chart(d, rows):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("bench-report: no matplotlib (python3-matplotlib), no chart", file=sys.stderr)
        return
    fig, ax = plt.subplots(figsize=(8, 5))
    for name, drv in (("meta_bytes", "vkms"), ("touch_ms", "vkms"), ("touch_faults", "vkms"),
                      ("touch_ms", "vgem"), ("prime_us", "vgem_to_vkms"),
                      ("prime_us", "vkms_to_vgem")):
        pts = sorted((r["size"], r["ratio"][0]) for r in rows
                     if r["fig"] == name and r["drv"] == drv and r["ratio"] and r["ratio"][0])
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o",
                    label="%s %s" % (name, drv))
    ax.axhline(1.0, color="grey", linewidth=0.8)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    sizes = sorted(SIZE_NAMES)
    ax.set_xticks(sizes)
    ax.set_xticklabels([SIZE_NAMES[s] for s in sizes])
    ax.set_xlabel("object size")
    ax.set_ylabel("ratio project / unmodified (lower is better)")
    ax.set_title("drm_gem_chunk_helper benchmark (median over boots)")
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(os.path.join(d, "bench.png"), dpi=100)


if __name__ == "__main__":
    main()
