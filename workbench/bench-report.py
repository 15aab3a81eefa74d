#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""bench-report.py DIR: the table of the benchmark's boots in DIR.

DIR holds KIND-N/bench.json (run-bench.sh) for the kernels base (unmodified
7.3, shmem helper), huge (7.3 with vkms on a huge tmpfs mount: shmem with
THP, benchmark/vkms-huge-mount.patch) and project (chunk helper). Prints per
figure, driver and size the median over the boots of each kernel with its
min-max spread, and the ratios project/unmodified and project/huge (median
of the ratios of boots paired in run order, with their min-max); then the
in-boot comparison against anonymous memory with THP (the limit), and the
project's performance targets, met or missed, each with its figure.
Writes DIR/bench.csv, DIR/bench-summary.json and DIR/bench.png.
"""
import csv
import glob
import json
import os
import re
import statistics
import sys

KINDS = ("base", "huge", "project")
SIZE_NAMES = {4 << 10: "4K", 64 << 10: "64K", 2 << 20: "2M", 8 << 20: "8M",
              64 << 20: "64M", 256 << 20: "256M"}
MIB2 = 2 << 20
# figure, driver: what goes into the main table, in this order.
ROWS = [("meta_bytes", "vkms"), ("meta_chunks", "vkms"),
        ("meta_chunks", "vkms_fragmented"),
        ("touch_ms", "vkms"), ("touch_ms", "vgem"), ("touch_ms", "anon_thp"),
        ("touch_ms", "anon_4k"), ("touch_faults", "vkms"), ("touch_faults", "vgem"),
        ("touch_faults", "anon_thp"), ("memset_ms", "vkms"), ("memset_ms", "anon_thp"),
        ("create_ms", "vkms"), ("create_ms", "anon_thp"), ("destroy_ms", "vkms"),
        ("destroy_ms", "anon_thp"),
        ("pgtable_kib", "vkms"), ("pgtable_kib", "anon_thp"), ("ceiling_ms", "anon"),
        ("fault_mib_s", "vkms_1thread"), ("fault_mib_s", "vkms_4threads"),
        ("fault_faults", "vkms_1thread"), ("fault_faults", "vkms_4threads"),
        ("prime_us", "vgem_to_vkms_fresh"), ("prime_us", "vkms_to_vgem_fresh"),
        ("prime_us", "vgem_to_vkms_cached"), ("prime_us", "vkms_to_vgem_cached"),
        ("compose_wall_ms", "vkms"), ("compose_cpu_ms", "vkms"),
        ("compose_crc_per_flip", "vkms")]


def print_table(lines):
    """Print rows of strings as left-aligned columns."""
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    for line in lines:
        print("  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip())


def size_name(size):
    return SIZE_NAMES.get(size, "%.1fM" % (size / 2**20))


def load(d):
    """{kind: [ {(fig, drv, size): value}, ... in boot order ]}"""
    kinds = {re.sub(r"-\d+$", "", os.path.basename(os.path.dirname(p)))
             for p in glob.glob(os.path.join(d, "*-*", "bench.json"))}
    runs = {kind: [] for kind in set(KINDS) | kinds}
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


class Bench:
    def __init__(self, runs):
        self.runs = runs

    def value(self, kind, key):
        return stats([r.get(key) for r in self.runs[kind]])

    def paired(self, num, den, key, den_key=None):
        """Ratio num/den of boots paired in run order."""
        return stats([ratio(a.get(key), b.get(den_key or key))
                      for a, b in zip(self.runs[num], self.runs[den])])

    def inboot(self, kind, key, ref_key):
        """Ratio key/ref_key within each boot of kind."""
        return stats([ratio(r.get(key), r.get(ref_key)) for r in self.runs[kind]])

    def normalised(self, num, den, key, ref_key):
        """Paired ratio num/den of key, each divided by ref_key of its own boot."""
        return stats([ratio(ratio(a.get(key), a.get(ref_key)),
                            ratio(b.get(key), b.get(ref_key)))
                      for a, b in zip(self.runs[num], self.runs[den])])


def main():
    d = sys.argv[1]
    runs = load(d)
    missing = [k for k in KINDS if not runs[k]]
    if missing:
        sys.exit("bench-report: no %s in %s" % (", ".join(k + "-N/bench.json" for k in missing), d))
    b = Bench(runs)
    keys = sorted({k for kind in KINDS for r in runs[kind] for k in r if k != "_helper"})
    rows = []
    for fig, drv in ROWS:
        for k in [k for k in keys if k[0] == fig and k[1] == drv]:
            rows.append({"fig": fig, "drv": drv, "size": k[2],
                         "base": b.value("base", k), "huge": b.value("huge", k),
                         "project": b.value("project", k),
                         "ratio": b.paired("project", "base", k),
                         "ratio_huge": b.paired("project", "huge", k)})

    print("Benchmark: boots of the unmodified kernel (vkms on %s) %d, of 7.3 with a huge "
          "mount (vkms on %s with THP) %d, of the project kernel (vkms on %s) %d; "
          "medians over boots [min-max]" %
          (runs["base"][0]["_helper"], len(runs["base"]), runs["huge"][0]["_helper"],
           len(runs["huge"]), runs["project"][0]["_helper"], len(runs["project"])))
    lines = [("figure", "driver", "size", "unmodified", "huge mount", "project",
              "project/unmodified", "project/huge")]
    for r in rows:
        lines.append((r["fig"], r["drv"], size_name(r["size"]), fmt_spread(r["base"]),
                      fmt_spread(r["huge"]), fmt_spread(r["project"]),
                      fmt_spread(r["ratio"]), fmt_spread(r["ratio_huge"])))
    print_table(lines)
    print("(fault_mib_s: higher is better; every other figure: lower is better)")

    # Against the limit, in the same boot: vkms / anonymous memory with THP.
    print()
    print("In-boot create+touch+destroy of vkms / of anonymous memory with THP "
          "(median over boots [min-max]; 1 = the limit), and project/huge normalised "
          "by it:")
    limit = []
    lines = [("size", "unmodified", "huge mount", "project", "project/huge normalised")]
    sizes = sorted({k[2] for k in keys if k[:2] == ("touch_ms", "vkms")})
    for size in sizes:
        key, ref = ("touch_ms", "vkms", size), ("touch_ms", "anon_thp", size)
        cells = {kind: b.inboot(kind, key, ref) for kind in KINDS}
        norm = b.normalised("project", "huge", key, ref)
        limit.append({"size": size, "norm_huge": norm, **cells})
        lines.append((size_name(size), fmt_spread(cells["base"]), fmt_spread(cells["huge"]),
                      fmt_spread(cells["project"]), fmt_spread(norm)))
    print_table(lines)

    targets = []

    def target(name, s, limit, better="lower"):
        value = s[0] if s else None
        ok = value is not None and (value <= limit if better == "lower" else value >= limit)
        targets.append({"target": name, "value": value, "spread": s, "limit": limit,
                        "met": ok})
        print("  %-6s %s: %s (limit %s)" % ("met" if ok else "MISSED", name, fmt_spread(s),
                                           fmt(limit)))

    def worst(vals):
        vals = [v for v in vals if v]
        return max(vals, key=lambda s: s[0]) if vals else None

    print()
    print("Targets (median [min-max] over boots):")
    for size in sizes:
        key, ref = ("touch_ms", "vkms", size), ("touch_ms", "anon_thp", size)
        if size >= MIB2:
            target("create+touch %s vkms, project/huge mount (normalised by anon THP)" %
                   size_name(size), b.normalised("project", "huge", key, ref), 1.0)
            target("create+touch %s vkms, project/anon THP in the same boot" %
                   size_name(size), b.inboot("project", key, ref), 1.02)
        else:
            target("create+touch %s vkms, project/unmodified" % size_name(size),
                   b.paired("project", "base", key), 1.0)
    pt = ("pgtable_kib", "vkms", 256 << 20)
    target("page tables of a touched 256M vkms mapping, project/unmodified",
           b.paired("project", "base", pt), 0.01)
    pt_p, pt_h = b.value("project", pt), b.value("huge", pt)
    target("page tables of a touched 256M vkms mapping, project - huge mount (KiB)",
           (pt_p[0] - pt_h[0], pt_p[1] - pt_h[2], pt_p[2] - pt_h[1]) if pt_p and pt_h
           else None, 0)
    for drv in ("vgem_to_vkms_fresh", "vkms_to_vgem_fresh"):
        target("fresh PRIME %s, project/unmodified, worst size" % drv,
               worst([b.paired("project", "base", k) for k in keys
                      if k[:2] == ("prime_us", drv)]), 1.0)
    for fig in ("compose_cpu_ms", "compose_wall_ms"):
        target("composition %s, project/unmodified" % fig,
               worst([b.paired("project", "base", k) for k in keys
                      if k[:2] == (fig, "vkms")]), 1.05)
    meta = ("meta_bytes", "vkms", 64 << 20)
    target("metadata of a 64M vkms object, project/unmodified",
           b.paired("project", "base", meta), 1 / 50)
    faults = ("touch_faults", "vkms", 64 << 20)
    target("faults of create+touch 64M vkms, project/unmodified",
           b.paired("project", "base", faults), 0.1)

    print()
    print("Reported (median [min-max]):")
    m64 = 64 << 20
    for kind, name in (("project", "project"), ("huge", "huge mount"),
                       ("base", "unmodified")):
        print("  %s: chunks (or pages) per 64 MiB vkms object %s fresh, %s after "
              "fragmenting" %
              (name, fmt_spread(b.value(kind, ("meta_chunks", "vkms", m64))),
               fmt_spread(b.value(kind, ("meta_chunks", "vkms_fragmented", m64)))))
    f1, f4 = ("fault_mib_s", "vkms_1thread", 256 << 20), ("fault_mib_s", "vkms_4threads", 256 << 20)
    for kind, name in (("project", "project"), ("huge", "huge mount"),
                       ("base", "unmodified")):
        print("  %s: 256M fault throughput 4 threads %s MiB/s, 1 thread %s MiB/s, "
              "4/1 %s" % (name, fmt_spread(b.value(kind, f4)), fmt_spread(b.value(kind, f1)),
                          fmt_spread(b.inboot(kind, f4, f1))))
    print("  4 threads, project/unmodified %s, project/huge %s" %
          (fmt_spread(b.paired("project", "base", f4)),
           fmt_spread(b.paired("project", "huge", f4))))

    for other in sorted(set(runs) - set(KINDS)):
        print()
        print("The project kernel against the %s kernel, same run (paired ratio "
              "project/%s [min-max]):" % (other, other))
        lines = [("figure", "driver", "size", other, "project", "project/" + other)]
        for fig in ("touch_ms", "create_ms", "memset_ms", "destroy_ms"):
            for k in [k for k in keys if k[:2] == (fig, "vkms") and k[2] >= MIB2]:
                lines.append((fig, "vkms", size_name(k[2]), fmt_spread(b.value(other, k)),
                              fmt_spread(b.value("project", k)),
                              fmt_spread(b.paired("project", other, k))))
        print_table(lines)

    with open(os.path.join(d, "bench.csv"), "w", newline="") as f:
        w = csv.writer(f)
        cols = ("base", "huge", "project", "ratio", "ratio_huge")
        w.writerow(["figure", "driver", "size"] +
                   ["%s_%s" % (c, m) for c in cols for m in ("median", "min", "max")])
        for r in rows:
            w.writerow([r["fig"], r["drv"], r["size"]] +
                       [x for c in cols for x in (r[c] or (None, None, None))])
    with open(os.path.join(d, "bench-summary.json"), "w") as f:
        json.dump({"boots": {k: len(runs[k]) for k in KINDS}, "rows": rows,
                   "limit": limit, "targets": targets}, f, indent=1)
    chart(d, rows, limit)
    print()
    print("Files: %s/bench.csv, bench-summary.json, bench.png" % d)


def chart(d, rows, limit):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("bench-report: no matplotlib (python3-matplotlib), no chart", file=sys.stderr)
        return
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5))
    for name, drv, col in (("touch_ms", "vkms", "ratio"), ("touch_ms", "vkms", "ratio_huge"),
                           ("prime_us", "vgem_to_vkms_fresh", "ratio"),
                           ("prime_us", "vkms_to_vgem_fresh", "ratio"),
                           ("meta_bytes", "vkms", "ratio")):
        pts = sorted((r["size"], r[col][0]) for r in rows
                     if r["fig"] == name and r["drv"] == drv and r[col] and r[col][0])
        if pts:
            left.plot([p[0] for p in pts], [p[1] for p in pts], marker="o",
                      label="%s %s, project/%s" % (name, drv,
                                                   "huge" if col == "ratio_huge" else
                                                   "unmodified"))
    left.set_yscale("log")
    left.set_ylabel("ratio (lower is better)")
    left.set_title("project against the unmodified kernel and the huge mount")
    for kind, name in (("base", "unmodified shmem"), ("huge", "shmem with THP (huge mount)"),
                       ("project", "chunk helper")):
        pts = [(l["size"], l[kind][0]) for l in limit if l[kind]]
        right.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=name)
    right.set_ylabel("vkms create+touch / anonymous THP, same boot")
    right.set_title("distance from the limit (1 = anonymous THP memory)")
    sizes = sorted(SIZE_NAMES)
    for ax in (left, right):
        ax.axhline(1.0, color="grey", linewidth=0.8)
        ax.set_xscale("log", base=2)
        ax.set_xticks(sizes)
        ax.set_xticklabels([SIZE_NAMES[s] for s in sizes])
        ax.set_xlabel("object size")
        ax.legend(fontsize="small")
    fig.suptitle("drm_gem_chunk_helper benchmark (median over boots)")
    fig.tight_layout()
    fig.savefig(os.path.join(d, "bench.png"), dpi=100)


if __name__ == "__main__":
    main()
