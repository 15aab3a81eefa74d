#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The verdict's own test: a make check results tree made by hand, whole
(everything workbench/manifest.txt names, in the layout guest/run-igt.sh
and guest/init.sh write), must pass; each case below breaks one thing in
a copy of it, and results.py check must fail naming it. -v prints the
failure lines of each case. Part of lint.sh's static checks."""

import contextlib
import io
import os
import re
import shutil
import sys
import tempfile

WB_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, WB_DIR)
import results as R  # noqa: E402

KUNIT_SOURCES = {"drm_chunk": "drm_chunk_test.c", "drm_gem_chunk_helper": "drm_gem_chunk_helper_test.c"}
KINDS = {"vm": ("base", "project"), "swiotlb": ("swiotlb",), "debug": ("debug-ci",)}
# The expected results the tree is judged with (results.py reads these
# instead of workbench/xfails/).
LONG = "kunit:drm_gem_chunk_helper.drm_gem_chunk_test_page_at_long"
XFAILS = {"vm-skips": [LONG], "debug-skips": [LONG],
          "vm-flakes": ["vesa:simpledrm:kms_getfb@sub-1"]}


def write(path, lines):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("".join(f"{l}\n" for l in lines))


def cases_of(suite):
    """The helper's suites' real case names; made-up ones for others."""
    src = KUNIT_SOURCES.get(suite)
    if not src:
        return [f"{suite}_case_{i}" for i in range(1, 11)]
    with open(os.path.join(R.WB_TOP, "drivers/gpu/drm/tests", src)) as f:
        return re.findall(r"KUNIT_CASE(?:_PARAM)?\((\w+)", f.read())


def kunit_boot(d, config, kernel, boot, least):
    suites = [s for s, k in R.MANIFEST.suites.get((config, boot["name"]), [])
              if k == "both" or kernel != "base"]
    cases = {s: cases_of(s) for s in suites}
    while sum(map(len, cases.values())) < least:
        for s in cases:
            if s not in KUNIT_SOURCES:
                cases[s].append(f"{s}_case_{len(cases[s]) + 1}")
    listed = R.xfails(config) if kernel != "base" else {}
    lines = ["wb: guest up (7.3.0), mode kunit", "KTAP version 1", f"1..{len(suites)}"]
    for i, s in enumerate(suites, 1):
        lines += ["    KTAP version 1", f"    # Subtest: {s}", f"    1..{len(cases[s])}"]
        for j, c in enumerate(cases[s], 1):
            skip = listed.get(f"kunit:{s}.{c}") == "skip"
            lines.append(f"    ok {j} {c}" + (" # SKIP needs swiotlb=force" if skip else ""))
        lines.append(f"ok {i} {s}")
    lines.append("wb: guest done, taint 262144")
    write(os.path.join(d, "console.log"), [f"[    1.000000] {l}" for l in lines])
    write(os.path.join(d, "taint"), ["262144"])
    write(os.path.join(d, "done"), ["kunit"])


def subtests(entry, extra):
    drv, binary, *subs = entry
    if subs:
        return [s.replace("*", "x") for s in subs[0].split(",")]
    return [f"sub-{i}" for i in range(1, extra + 1)]


def igt_boot(d, config, kernel, boot, least):
    entries = R.list_entries(os.path.join(R.WB_TOP, boot["list"]))
    whole = sum(1 for e in entries if len(e) == 2)
    fixed = sum(len(e[2].split(",")) for e in entries if len(e) > 2)
    extra = max(1, -(-(least - fixed) // whole)) if whole else 0
    listed = R.xfails(config) if kernel != "base" else {}
    pages = "-" if kernel == "base" else "0"
    faults = boot["mode"] == "faults"
    index, console, n = [], ["wb: guest up (7.3.0), mode igt"], 0
    for entry in entries:
        drv, binary = entry[:2]
        prefix = R.test_prefix(boot["name"], drv)
        runs = [(sub, nth) for sub in subtests(entry, extra) for nth in (1, 2, 3)] if faults \
            else [(",".join(subtests(entry, extra)), "-")]
        for sub, nth in runs:
            n += 1
            out, failed = ["IGT-Version: fabricated"], False
            for s in sub.split(","):
                status = "SKIP" if listed.get(f"{prefix}{binary}@{s}") == "skip" else "SUCCESS"
                out.append(f"Starting subtest: {s}")
                if nth in (1, 2):
                    out.append(f"(fab:1) fab.c:1:\n(fab:1) fab: Failed assertion: "
                               "create == 0: got -12 (Cannot allocate memory), want 0 (success)")
                    status, failed = "FAIL", True
                out.append(f"Subtest {s}: {status} (0.001s)")
            rc = "98" if failed else "0" if "SUCCESS" in "".join(out) else "77"
            slab, page = {1: ("1", "0"), 2: ("0", "1"), 3: ("0", "0")}.get(nth, ("-", "-"))
            write(os.path.join(d, f"{n}.out"), out)
            index.append("\t".join([str(n), binary, rc, pages, pages,
                                    sub if faults else (entry[2:] or ["-"])[0], str(nth),
                                    slab, page, drv]))
            console += [f"wb: [{n}] {drv} {binary}", f"wb: [{n}] {binary} exit {rc}"]
    console.append("wb: guest done, taint 0")
    write(os.path.join(d, "index"), index)
    write(os.path.join(d, "list.txt"), [" ".join(e) for e in entries])
    write(os.path.join(d, "console.log"), [f"[    2.000000] {l}" for l in console])
    write(os.path.join(d, "taint"), ["0"])
    write(os.path.join(d, "done"), [boot["mode"]])
    if faults:
        for f in ("before", "after"):
            write(os.path.join(d, f), ["dma-bufs 0", "available_kb 3000000"])


def fabricate(root):
    """A whole make check results tree under root, as run-tests.sh lays
    it out: base, project, swiotlb, debug-ci."""
    for config, kernels in KINDS.items():
        for kernel in kernels:
            for boot in R.MANIFEST.of(config):
                d = os.path.join(root, kernel, boot["name"])
                least = boot["min"]
                (kunit_boot if boot["mode"] == "kunit" else igt_boot)(
                    d, config, "base" if kernel == "base" else "project", boot, least)


def verdict(root):
    """results.py collect on each kernel's directory, then check: its exit
    code and output lines."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for kernel in ("base", "project", "swiotlb", "debug-ci"):
            R.collect(os.path.join(root, kernel))
        rc = R.check(f"{root}/base", f"{root}/project", f"swiotlb={root}/swiotlb",
                     f"debug={root}/debug-ci")
    return rc, out.getvalue().splitlines()


def edit(path, fn):
    with open(path) as f:
        lines = f.read().splitlines()
    write(path, fn(lines))


def sub(path, old, new, count=1):
    edit(path, lambda ls: "\n".join(ls).replace(old, new, count).splitlines())


def twice(r, binary):
    """BINARY twice in the igt boot's list on both kernels; on the project
    kernel its first run fails sub-1, its second passes."""
    for k in ("base", "project"):
        edit(f"{r}/{k}/igt/list.txt", lambda ls: ls + [f"vkms {binary}"])
    index = f"{r}/project/igt/index"
    n = next(l.split("\t")[0] for l in open(index) if l.split("\t")[1] == binary)
    shutil.copy(f"{r}/project/igt/{n}.out", f"{r}/project/igt/99.out")
    sub(f"{r}/project/igt/{n}.out", "Subtest sub-1: SUCCESS", "Subtest sub-1: FAIL")
    sub(index, f"{n}\t{binary}\t0", f"{n}\t{binary}\t98")
    edit(index, lambda ls: ls + [f"99\t{binary}\t0\t0\t0\t-\t-\t-\t-\tvkms"])


# Each case: what it breaks, how (a function of the tree's root), and the
# failure lines the verdict must print (regular expressions).
CASES = [
    ("a boot's directory missing (project)",
     lambda r: shutil.rmtree(f"{r}/project/overlay"),
     [r"^FAIL: overlay:\(boot\): fail: the manifest's boot overlay left no results"]),
    ("a boot's directory missing (unmodified kernel)",
     lambda r: shutil.rmtree(f"{r}/base/display"),
     [r"^FAIL: unmodified:display:\(boot\): on the unmodified kernel: the manifest's boot"]),
    ("the debug run's fault pass missing",
     lambda r: shutil.rmtree(f"{r}/debug-ci/faults"),
     [r"^FAIL: debug:faults:\(boot\): on the debug kernel: fail: the manifest's boot faults"]),
    ("an empty list on both kernels",
     lambda r: [write(f"{r}/{k}/vesa/{f}", []) for k in ("base", "project")
                for f in ("list.txt", "index")],
     [r"^FAIL: vesa:\(list\): fail: the boot ran an empty list",
      r"^FAIL: vesa:\(results\): fail: 0 results, the manifest wants at least",
      r"^FAIL: unmodified:vesa:\(list\): on the unmodified kernel: the boot ran an empty list"]),
    ("a KUnit suite absent",
     lambda r: edit(f"{r}/project/kunit/console.log",
                    lambda ls: [l for l in ls if "drm_chunk" not in l]),
     [r"^FAIL: kunit:drm_chunk\(suite\): fail: no case of the suite ran",
      r"^FAIL: kunit:\(plan\): fail: plan 1..42 suites, 41 suite results"]),
    ("a suite not ok with no case lines (suite_init failed)",
     lambda r: edit(f"{r}/swiotlb/kunit/console.log", lambda ls: [
         l.replace("ok 2 drm_gem_chunk_helper", "not ok 2 drm_gem_chunk_helper")
         for l in ls if not re.search(r"\s{4}ok \d+ drm_gem_chunk_test", l)]),
     [r"^FAIL: swiotlb:kunit:drm_gem_chunk_helper: on the project kernel with swiotlb=force: "
      r"fail: not ok with no case line",
      r"^FAIL: swiotlb:kunit:drm_gem_chunk_helper\(suite\): "]),
    ("a KTAP plan the case lines fall short of",
     lambda r: edit(f"{r}/debug-ci/kunit/console.log",
                    lambda ls: [l for l in ls if "ok 3 drm_chunk_test" not in l]),
     [r"^FAIL: debug:kunit:drm_chunk\(plan\): on the debug kernel: fail: plan 1..\d+, \d+ case lines"]),
    ("a KUnit filter that matched nothing",
     lambda r: write(f"{r}/swiotlb/kunit/console.log", [
         "wb: guest up (7.3.0), mode kunit", "KTAP version 1", "1..0",
         "wb: guest done, taint 262144"]),
     [r"^FAIL: swiotlb:kunit:\(suites\): .*fail: no KUnit suite ran",
      r"^FAIL: swiotlb:kunit:drm_chunk\(suite\): ",
      r"^FAIL: swiotlb:kunit:\(results\): .*0 results, the manifest wants at least 51"]),
    ("no page counter on the project kernel",
     lambda r: edit(f"{r}/project/igt/index", lambda ls: [
         "\t".join(c if i not in (3, 4) else "-" for i, c in enumerate(l.split("\t"))) for l in ls]),
     [r"^FAIL: igt:\(page count\): fail: no page count of the chunk helper"]),
    ("a boot with fewer results than the manifest's least",
     lambda r: [edit(f"{r}/project/igt/{l.split()[0]}.out", lambda ls: ls[:3])
                for l in open(f"{r}/project/igt/index") if l.split("\t")[5] == "-"],
     [r"^FAIL: igt:\(results\): fail: \d+ results, the manifest wants at least \d+"]),
    ("a report in the igt boot's run of a test that passes in the overlay boot",
     lambda r: [sub(f"{r}/{k}/igt/7.out", "sub-1", "plane-overlay-legacy", 2) for k in ("base", "project")]
     and sub(f"{r}/project/igt/console.log", "\n[    2.000000] wb: [7] kms_atomic exit 0",
             "\n[IGT] kms_atomic: starting subtest plane-overlay-legacy\n"
             "WARNING: CPU: 0 PID: 9 at drivers/gpu/drm/drm_atomic.c:1 x+0x0/0x10"
             "\n[    2.000000] wb: [7] kms_atomic exit 0"),
     [r"^FAIL: kms_atomic@plane-overlay-legacy: REGRESSION: .* 'dmesg-warn' on the project "
      r"kernel: WARNING: CPU: 0 PID: 9"]),
    ("the same test twice in one list, the first failing",
     lambda r: twice(r, "chunk_robust"),
     [r"^FAIL: chunk_robust@sub-1: REGRESSION: passes on the unmodified kernel, 'fail'",
      r"^FAIL: igt:\(list\): fail: the boot ran another list than the manifest's"]),
    ("a crash in a rerun boot",
     lambda r: [shutil.copytree(f"{r}/{k}/display", f"{r}/{k}/rerun-display") for k in ("base", "project")]
     and os.remove(f"{r}/project/rerun-display/done"),
     [r"^FAIL: rerun-display:\(guest\): crash: the guest did not finish"]),
    ("a regression that passes when run again, not listed as a flake",
     lambda r: [shutil.copytree(f"{r}/{k}/vesa", f"{r}/{k}/rerun-vesa") for k in ("base", "project")]
     and [sub(f"{r}/project/vesa/1.out", "SUCCESS", "FAIL"),
          sub(f"{r}/project/vesa/index", "core_getversion\t0", "core_getversion\t98")],
     [r"^FAIL: vesa:simpledrm:core_getversion@sub-1: REGRESSION: passes on the unmodified "
      r"kernel, 'fail' and 'pass' when run again on the project kernel"]),
    ("a regression that passes when run again, listed as a flake: counted as skipped",
     lambda r: [shutil.copytree(f"{r}/{k}/vesa", f"{r}/{k}/rerun-vesa") for k in ("base", "project")]
     and [sub(f"{r}/project/vesa/4.out", "SUCCESS", "FAIL"),
          sub(f"{r}/project/vesa/index", "kms_getfb\t0", "kms_getfb\t98"),
          sub(f"{r}/project/rerun-vesa/console.log", "exit 0\n", "exit 0\nBUG: x\n")],
     [r"^FAIL: rerun-vesa:\(kernel report between tests \(after core_getversion\), before "
      r"dumb_buffer\): dmesg-warn: BUG: x",
      r"^listed: vesa:simpledrm:kms_getfb@sub-1: expected flake: 'fail', then passed when run again"]),
    ("subtests that all pass, and exit code 98",
     lambda r: sub(f"{r}/project/igt/index", "chunk_prime\t0\t", "chunk_prime\t98\t"),
     [r"^FAIL: chunk_prime\(exit\): fail: exit code 98 after subtests that ended pass: "
      r"the protocol's is 0"]),
    ("a chunk test that skips on the project kernel",
     lambda r: [sub(f"{r}/swiotlb/igt/2.out", "SUCCESS", "SKIP", 99),
                sub(f"{r}/swiotlb/igt/index", "chunk_mmap\t0", "chunk_mmap\t77")],
     [r"^FAIL: swiotlb:chunk_mmap@size-1-page: on the project kernel with swiotlb=force: skip: "
      r"a project test skipped on the project kernel"]),
    ("every KUnit case of the helper's suites skipping",
     lambda r: edit(f"{r}/project/kunit/console.log", lambda ls: [
         re.sub(r"^(.*    ok \d+ drm_(gem_)?chunk_test\w+)$", r"\1 # SKIP no device", l) for l in ls]),
     [r"^FAIL: kunit:drm_chunk.drm_chunk_test_\w+: skip: a project test skipped",
      r"^FAIL: kunit:drm_gem_chunk_helper.drm_gem_chunk_test_\w+: skip: a project test"]),
    ("a fault-pass subtest that gets no page failure injected",
     lambda r: sub(f"{r}/debug-ci/faults/index", "\t2\t0\t1\tvkms", "\t2\t1\t0\tvkms"),
     [r"^FAIL: debug:faults:chunk_mmap@size-1-page\(page failure\): .*no page allocation failure "
      r"injected in 3 runs"]),
    ("a fault-pass clean run that skips",
     lambda r: [sub(f"{r}/debug-ci/faults/3.out", "SUCCESS", "SKIP"),
                sub(f"{r}/debug-ci/faults/index", "3\tchunk_mmap\t0", "3\tchunk_mmap\t77")],
     [r"^FAIL: debug:faults:chunk_mmap@size-1-page: .*fail: skip with nothing injected \(run 3\)"]),
    ("a data mismatch under injection, ENOMEM elsewhere in the output",
     lambda r: sub(f"{r}/debug-ci/faults/2.out",
                   "Failed assertion: create == 0: got -12 (Cannot allocate memory), want 0 (success)",
                   "Failed assertion: bad < 0: word 3 differs\nretrying: Cannot allocate memory"),
     [r"^FAIL: debug:faults:chunk_mmap@size-1-page: .*fail: fail with allocation 2 failed"]),
]


def main():
    verbose = "-v" in sys.argv
    root = tempfile.mkdtemp(prefix="wb-test-results.")
    bad = 0
    R.XFAILS = f"{root}/xfails"
    for name, tests in XFAILS.items():
        write(f"{R.XFAILS}/project-{name}.txt", tests)
    try:
        fabricate(f"{root}/whole")
        rc, out = verdict(f"{root}/whole")
        if rc != 0 or not re.match(r"\d+ passed, 0 failed", out[-1]):
            print("test-results: the whole results tree does not pass:",
                  *[l for l in out if l.startswith("FAIL")][:10], out[-1], sep="\n  ")
            return 1
        if verbose:
            print(f"whole tree: {out[-1]}")
        for what, breaks, want in CASES:
            d = f"{root}/{len(want)}-{abs(hash(what))}"
            shutil.copytree(f"{root}/whole", d)
            breaks(d)
            rc, out = verdict(d)
            fails = [l for l in out if l.startswith(("FAIL", "listed"))]
            missing = [w for w in want if not any(re.search(w, l) for l in fails)]
            if rc != 1 or missing or not re.match(r"\d+ passed, [1-9]\d* failed", out[-1]):
                bad += 1
                print(f"test-results: {what}: exit {rc}, no failure line like",
                      *missing, "in", *fails[:10], out[-1], sep="\n  ")
            elif verbose:
                print(f"{what}:", *fails, out[-1], sep="\n  ")
            shutil.rmtree(d)
    finally:
        shutil.rmtree(root)
    if not bad:
        print(f"test-results: the whole tree passes, {len(CASES)} broken ones fail as they must")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
