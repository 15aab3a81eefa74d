#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Turn the guest's raw results into per-test verdicts, and compare kernels.

  results.py collect DIR        parse DIR (one kernel's run) into DIR/results.tsv
  results.py report BASE PROJ [DEBUG]
                                print the per-test table of both kernels and
                                the summary (with DEBUG: the debug kernel's
                                too, counted in); exit 1 on a regression, a
                                KUnit failure, a crash of the project kernel
                                or anything the debug kernel found
  results.py debug DIR          summary of a debug kernel's run; exit 1 on
                                any kernel report, leak, crash or failure
  results.py resume LIST DIR OUT
                                what of LIST is left after a kernel oops
                                stopped DIR's boot, into OUT; exit 1 if
                                nothing is left

A result is one of: pass, skip, fail, timeout, crash, dmesg-warn, notrun.
Kernel reports (crash-patterns) are attributed to the test that was running:
an IGT subtest through IGT's own "[IGT] ... subtest" kernel log lines, a KUnit
case through its KTAP suite; KUnit suites that provoke WARNs on purpose are
listed in kunit-expected-warns.
"""

import os
import re
import sys

WB_DIR = os.path.dirname(os.path.abspath(__file__))
PASSING = {"pass"}


def patterns(name):
    with open(os.path.join(WB_DIR, name)) as f:
        return [l.strip() for l in f if l.strip() and not l.startswith("#")]


REPORT = re.compile("|".join(patterns("crash-patterns")))


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read().splitlines()
    except (FileNotFoundError, NotADirectoryError):
        return []


def parse_kunit(lines):
    """KTAP from dmesg: one result a test case ("kunit:suite.case")."""
    results = {}
    expected = set(patterns("kunit-expected-warns"))
    suite = None
    reports = []
    for line in lines:
        m = re.match(r"^    # Subtest: (\S+)", line)
        if m:
            suite = m.group(1)
            continue
        m = re.match(r"^    (ok|not ok) \d+ (\S+)(.*)", line)
        if m and suite:
            status = "pass" if m.group(1) == "ok" else "fail"
            if "# SKIP" in m.group(3):
                status = "skip"
            results[f"kunit:{suite}.{m.group(2)}"] = status
            continue
        if REPORT.search(line) and not (suite in expected and "WARNING:" in line):
            reports.append((suite, line.strip()))
    for suite, line in reports:
        results[f"kunit:{suite or 'boot'}(report)"] = "crash"
    return results, reports


IGT_STATUS = {"SUCCESS": "pass", "SKIP": "skip", "FAIL": "fail",
              "CRASH": "crash", "TIMEOUT": "timeout"}


def parse_igt(d):
    """The guest's run-igt.sh output: one result a subtest ("bin@subtest")."""
    results = {}
    reports = []
    for entry in read(os.path.join(d, "index")):
        n, binary, rc = entry.split("\t")
        out = read(os.path.join(d, f"{n}.out"))
        started = []
        own = {}
        for line in out:
            m = re.match(r"^Starting subtest: (\S+)", line)
            if m:
                started.append(m.group(1))
            m = re.match(r"^Subtest (\S+): (\w+)", line)
            if m:
                own[m.group(1)] = IGT_STATUS.get(m.group(2), "fail")
        for sub in started:
            if sub not in own:
                own[sub] = "timeout" if rc in ("124", "137") else "crash"
        if not started and not own:
            own[None] = {"0": "pass", "77": "skip", "died": "crash"}.get(
                rc, "timeout" if rc in ("124", "137") else "fail")
        # Kernel reports, attributed to the subtest IGT said was running.
        current = None
        for line in read(os.path.join(d, f"{n}.dmesg")):
            m = re.search(r"\[IGT\] \S+: starting subtest (\S+)", line)
            if m:
                current = m.group(1)
            elif re.search(r"\[IGT\] \S+: (finished subtest|exiting)", line):
                current = None
            elif REPORT.search(line):
                reports.append((binary, current, line.strip()))
                keys = [current] if current in own else list(own)
                for k in keys:
                    if own[k] in PASSING:
                        own[k] = "dmesg-warn"
        for sub, status in own.items():
            results[binary if sub is None else f"{binary}@{sub}"] = status
    # A guest that died in a test leaves no index line for it: name it from
    # run-igt.sh's last "wb: [N] driver binary" line on the console.
    started = [l for l in read(os.path.join(d, "console.log"))
               if re.match(r"^wb: \[\d+\] \S+ \S+", l) and " exit " not in l]
    done = len(read(os.path.join(d, "index")))
    if len(started) > done:
        results[started[-1].split()[3] + "(guest died)"] = "crash"
    return results, reports


def parse_kmemleak(d):
    """Leaks found by the last kmemleak scan of each boot under d, one report
    per allocation site (the first frames of the backtrace below kmalloc)."""
    leaks = []
    for boot in sorted(os.listdir(d)):
        lines = read(os.path.join(d, boot, "kmemleak.txt"))
        sites = {}
        for i, line in enumerate(lines):
            if line.startswith("unreferenced object"):
                frames = []
                for l in lines[i + 1:i + 40]:
                    if l.startswith("unreferenced object"):
                        break
                    if re.match(r"^\s+\S+\+0x", l):
                        frames.append(l.split("+")[0].strip())
                site = " <- ".join(frames[:4]) or "no backtrace"
                sites[site] = sites.get(site, 0) + 1
        for site, n in sites.items():
            leaks.append(("kmemleak", boot, f"{n} unreferenced objects allocated at {site}"))
    return leaks


def collect(d):
    results, reports = parse_kunit(read(os.path.join(d, "kunit", "kunit.log")))
    igt_reports = []
    # The IGT list's boots (igt, then igt.1, igt.2 ... when a kernel oops
    # stopped one: run-long.sh), then the one with vkms's overlay planes (the
    # compositor scene, and subtests that skip without an overlay plane).
    parts = sorted((b for b in os.listdir(d) if re.fullmatch(r"igt(\.\d+)?", b)),
                   key=lambda b: int(b[4:] or 0))
    for boot in parts + ["overlay"]:
        igt, boot_reports = parse_igt(os.path.join(d, boot))
        results.update(igt)
        igt_reports += boot_reports
    # lint.sh's static checks, already one line a check.
    results.update(l.split("\t") for l in read(os.path.join(d, "static.tsv")))
    # The fault injection boot's tests may fail; only kernel reports count.
    _, fault_reports = parse_igt(os.path.join(d, "faults"))
    reports = [("kunit",) + r for r in reports] + igt_reports + \
        [("faults",) + r for r in fault_reports] + parse_kmemleak(d)
    with open(os.path.join(d, "results.tsv"), "w") as f:
        for name in sorted(results):
            f.write(f"{name}\t{results[name]}\n")
    with open(os.path.join(d, "reports.txt"), "w") as f:
        for r in reports:
            f.write(" | ".join(str(x) for x in r) + "\n")
    if not results:
        sys.exit(f"results.py: no test results at all in {d}")


def resume(list_path, d, out_path):
    """What of LIST is left after the boot in d stopped at a kernel oops
    (guest/run-igt.sh: exit code "died") or died itself: the subtests of
    the program that oopsed after the one it was running, and the programs
    after it, written to out_path. Exit 1 when nothing is left."""
    lines = [l for l in read(list_path) if l.strip() and not l.startswith("#")]
    index = read(os.path.join(d, "index"))
    done = len(index)
    if index and index[-1].endswith("\tdied"):
        crashed = done
    elif os.path.exists(os.path.join(d, f"{done + 1}.out")):
        crashed = done + 1
    else:
        return 1
    rest = lines[crashed:]
    drv, binary, *subs = lines[crashed - 1].split()
    started = [l.split()[2] for l in read(os.path.join(d, f"{crashed}.out"))
               if l.startswith("Starting subtest: ")]
    names = subs[0].split(",") if subs else []
    if started and started[-1] in names:
        left = names[names.index(started[-1]) + 1:]
        if left:
            rest.insert(0, f"{drv} {binary} {','.join(left)}")
    if not rest:
        return 1
    with open(out_path, "w") as f:
        f.write("\n".join(rest) + "\n")
    print(f"==> the kernel died in {binary} ({started[-1] if started else 'start-up'}); "
          f"{len(rest)} programs left: booting again")
    return 0


def load(d):
    res = {}
    for line in read(os.path.join(d, "results.tsv")):
        name, status = line.split("\t")
        res[name] = status
    return res


def tally(res):
    """"3 pass, 1 skip": how many of each result, KUnit and static checks
    left out."""
    counts = {}
    for name, status in res.items():
        if not name.startswith(("kunit:", "static:")):
            counts[status] = counts.get(status, 0) + 1
    return ", ".join(f"{n} {s}" for s, n in sorted(counts.items(), key=lambda c: -c[1])) \
        or "no results"


def report(base_dir, proj_dir, debug_dir=None):
    base, proj = load(base_dir), load(proj_dir)
    names = sorted(set(base) | set(proj))
    width = max([len(n) for n in names if not n.startswith("kunit:")] + [4])
    kunit = {"pass": 0, "fail": 0, "skip": 0}
    regressions = []
    failed_kunit = []
    print(f"{'test':<{width}}  {'unmodified':<10}  {'project':<10}")
    for name in names:
        b, p = base.get(name, "notrun"), proj.get(name, "notrun")
        mark = ""
        if name.startswith("kunit:"):
            kunit[p if p in kunit else "fail"] += 1
            if p not in ("pass", "skip"):
                failed_kunit.append(name)
                mark = "  <- KUnit failure"
        elif name.startswith("static:") and p != "pass":
            failed_kunit.append(name)
            mark = "  <- static check failed (build/logs/lint.log)"
        elif b in PASSING and p not in PASSING:
            regressions.append(name)
            mark = "  <- REGRESSION"
        elif p != b:
            mark = "  (new)" if b == "notrun" else "  (differs)"
        if not name.startswith("kunit:") or mark:
            print(f"{name:<{width}}  {b:<10}  {p:<10}{mark}")
    print(f"KUnit (project kernel, in the guest): {kunit['pass']} passed, "
          f"{kunit['fail']} failed, {kunit['skip']} skipped "
          f"(cases listed above only when not passing)")
    both = [n for n in names if n in base and n in proj]
    differ = [n for n in both if base[n] != proj[n]]
    only = len([n for n in proj if n not in base])
    print(f"The two kernels give the same results on all {len(both)} tests both ran."
          if not differ else "The two kernels differ on: " + ", ".join(differ))
    for kind, res in (("unmodified", base), ("project", proj)):
        print(f"IGT-protocol tests on the {kind} kernel: {tally(res)}")
    if only:
        print(f"{only} tests ran on the project kernel only (new tests, such as the helper's KUnit suite).")
    for d, kind in ((proj_dir, "project"), (base_dir, "unmodified")):
        for line in read(os.path.join(d, "reports.txt")):
            print(f"kernel report on the {kind} kernel: {line}")
    vm_failed = read(os.path.join(proj_dir, "vm-failures"))
    for line in read(os.path.join(base_dir, "vm-failures")):
        print(f"the unmodified kernel's guest crashed or hung: {line}")
    for line in vm_failed:
        print(f"FAIL: the project kernel's guest crashed or hung: {line}")
    notrun = [n for n in regressions if n not in proj]
    for name in regressions:
        if name in proj:
            print(f"FAIL: {name} passes on the unmodified kernel but is "
                  f"'{proj[name]}' on the project kernel")
    if notrun:
        print(f"FAIL: {len(notrun)} tests that pass on the unmodified kernel did "
              f"not run on the project kernel (e.g. {notrun[0]})")
    for name in failed_kunit:
        print(f"FAIL: {name} is '{proj.get(name)}' on the project kernel")
    counts = {"pass": 0, "skip": 0}
    for status in proj.values():
        counts[status] = counts.get(status, 0) + 1
    # Tests that did not run on the project kernel are failures too.
    failed = sum(v for k, v in counts.items() if k not in ("pass", "skip")) + \
        len([n for n in base if n not in proj])
    debug_failed = 0
    if debug_dir:
        passed, debug_failed, skipped = debug_summary(debug_dir)
        counts["pass"] += passed
        counts["skip"] += skipped
        failed += debug_failed
    print(f"{counts['pass']} passed, {failed} failed, {counts['skip']} skipped")
    return 1 if regressions or failed_kunit or vm_failed or debug_failed else 0


def debug_summary(d):
    """The debug kernel's run: counts, reports, faults injected, printed.
    Returns (passed, failed, skipped); kernel reports, crashed guests and
    dma-bufs left behind count as failures."""
    res = load(d)
    counts = {}
    for status in res.values():
        counts[status] = counts.get(status, 0) + 1
    kunit = sum(1 for n in res if n.startswith("kunit:"))
    faults_dir = os.path.join(d, "faults")
    injected = sum(1 for f in os.listdir(faults_dir) if f.endswith(".dmesg")
                   for l in read(os.path.join(faults_dir, f))
                   if "FAULT_INJECTION: forcing a failure" in l) \
        if os.path.isdir(faults_dir) else 0
    fault_runs = len(read(os.path.join(faults_dir, "index")))
    reports = read(os.path.join(d, "reports.txt"))
    vm_failed = read(os.path.join(d, "vm-failures"))
    for name, status in sorted(res.items()):
        if status not in ("pass", "skip"):
            print(f"FAIL: {name} is '{status}' on the debug kernel")
    for line in reports:
        print(f"FAIL: kernel report on the debug kernel: {line}")
    for line in vm_failed:
        print(f"FAIL: the debug kernel's guest crashed or hung: {line}")
    print(f"debug kernel: {len(res)} tests ({kunit} KUnit cases, {len(res) - kunit} IGT and "
          f"igt-tests subtests): " +
          ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
    print(f"fault injection: {injected} allocation failures injected into "
          f"{fault_runs} test programs, survived: "
          f"{'no' if any(l.startswith('fault') for l in vm_failed) else 'yes'}")
    # What the failed calls allocated must be given back: no dma-buf left
    # (memory only reported: KASAN's quarantine holds freed memory back).
    before, after = (dict(l.split() for l in read(os.path.join(faults_dir, f))
                          if len(l.split()) == 2) for f in ("before", "after"))
    keys = ("dma-bufs", "available_kb")
    fault_problems = []
    if os.path.isdir(faults_dir):
        if not fault_runs:
            fault_problems.append("no test ran under fault injection (console.log)")
        if not all(k in before and k in after for k in keys):
            fault_problems.append("the state before or after the fault injection pass "
                                  "could not be read: the guest broke")
        elif int(after["dma-bufs"]) > int(before["dma-bufs"]):
            fault_problems.append("dma-bufs were left behind by the fault injection pass")
        else:
            print(f"after the fault injection pass: {after['dma-bufs']} dma-bufs alive "
                  f"(before: {before['dma-bufs']}), {int(after['available_kb']) >> 10} MiB "
                  f"available (before: {int(before['available_kb']) >> 10} MiB)")
    for problem in fault_problems:
        print(f"FAIL: {problem}")
    print(f"kernel reports (KASAN, lockdep, kmemleak, DMA-API, WARN, BUG): "
          f"{len(reports)}")
    failed = sum(v for k, v in counts.items() if k not in ("pass", "skip")) + \
        len(reports) + len(vm_failed) + len(fault_problems)
    return counts.get("pass", 0), failed, counts.get("skip", 0)


def debug(d):
    passed, failed, skipped = debug_summary(d)
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "collect":
        collect(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "debug":
        sys.exit(debug(sys.argv[2]))
    elif len(sys.argv) == 5 and sys.argv[1] == "resume":
        sys.exit(resume(*sys.argv[2:]))
    elif len(sys.argv) in (4, 5) and sys.argv[1] == "report":
        sys.exit(report(*sys.argv[2:]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
