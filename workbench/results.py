#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Turn the guest's raw results into per-test results, and give the verdict.

  results.py collect DIR        parse DIR (one kernel configuration's boots)
                                into DIR/results.tsv
  results.py report BASE PROJ [CONFIG=DIR ...]
                                the per-test table of both kernels, every
                                failure with its cause, and the last line
                                "N passed, N failed, N skipped" over the
                                project kernel's configurations (PROJ, and
                                each CONFIG of OWN, judged on its own: its
                                results are in DIR); exit 1 exactly when it
                                counts a failure
  results.py debug DIR          the same for a debug kernel's run alone
  results.py differ BASE PROJ OUTDIR
                                the IGT list entries whose results differ
                                between the kernels, to run again on both:
                                OUTDIR/rerun-BOOT.txt; exit 1 if none
  results.py figures RESULTS    the figures of the last runs (RESULTS:
                                build/results) for the cover letter
  results.py resume LIST DIR OUT
                                what of LIST is left after a kernel oops
                                stopped DIR's boot, into OUT; exit 1 if
                                nothing is left

The verdict rule: every result of the project kernel other than pass or skip
is a failure unless workbench/xfails/ lists it (project-CONFIG-fails.txt:
"test,Result", project-CONFIG-flakes.txt: "test"); a listed failure that
passes is an unexpected pass, a failure too. On top of that, a test that
passes on the unmodified kernel and not on the project kernel fails the run
even if listed.

A result is one of: pass, skip, fail, timeout, crash, dmesg-warn (a kernel
report during a test that passed or skipped), dmesg-fail (one during a test
that failed), notrun (a list entry that matched nothing, or a test the
unmodified kernel ran and the project kernel did not). Kernel reports
(crash-patterns) are found on each boot's whole console and attributed to
the test running, or to "boot", "between tests" or "after the tests".
"""

import fnmatch
import os
import re
import sys
import textwrap
import time

WB_DIR = os.path.dirname(os.path.abspath(__file__))
OK = ("pass", "skip")
TAINT_WARN, TAINT_SOFTLOCKUP, TAINT_TEST = 1 << 9, 1 << 14, 1 << 18
TAINT_LETTERS = "PFSRMBUDAWCIOELKXTNJ"
# The project kernel's configurations that have no counterpart on the
# unmodified kernel and are judged on their own (report's CONFIG=DIR),
# with the kernel their failures name.
OWN = {"debug": "debug kernel", "swiotlb": "project kernel with swiotlb=force"}


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


# What nbcon prints before a record it prints again: another CPU took the
# console over in the middle of it (8250 ends the cut line first).
REPLAY = "** replaying previous printk message **"


def console(d):
    """A boot's console without printk timestamps. A record cut short by a
    console takeover is printed again whole after REPLAY; only the whole
    one is kept, or a KTAP line would count twice, once under a cut name."""
    raw = [l.rstrip("\r") for l in read(os.path.join(d, "console.log"))]
    lines = []
    for l, nxt in zip(raw, raw[1:] + [""]):
        if l == REPLAY:
            if lines and nxt.startswith(lines[-1]):
                lines.pop()
            continue
        lines.append(l)
    return [re.sub(r"^\[\s*\d+\.\d+\] ?", "", l) for l in lines]


def taint_flags(mask):
    return "".join(c for i, c in enumerate(TAINT_LETTERS) if mask & (1 << i))


class Run:
    """One kernel configuration's results: name -> (status, boot, detail)."""

    def __init__(self):
        self.res = {}

    def set(self, name, status, boot, detail=""):
        self.res[name] = (status, boot, detail)

    def report(self, name, boot, line):
        """A kernel report during test `name`: the test fails whatever it
        printed (dmesg-warn if it passed or skipped, dmesg-fail if not)."""
        status, _, detail = self.res.get(name, ("pass", boot, ""))
        status = "dmesg-warn" if status in OK + ("dmesg-warn",) else "dmesg-fail"
        self.set(name, status, boot, detail or line)


def parse_kunit(run, d, boot):
    """KTAP on the console of the KUnit boot: one result a test case
    ("kunit:suite.case"; a failed one with its cause, kunit_cause). A WARN
    is expected only inside a suite that kunit-expected-warns lists with the
    WARN's source, until that suite ends; every other report fails. Returns
    how many expected WARNs were seen."""
    allowed = [l.split() for l in patterns("kunit-expected-warns")]
    suite, last, expected, log = None, None, 0, []
    for line in console(d):
        m = re.match(r"^    # Subtest: (\S+)", line)
        if m:
            suite, log = m.group(1), []
            continue
        m = re.match(r"^(    )?(ok|not ok) \d+ (\S+)(.*)", line)
        if m and not m.group(1):
            # The suite's own result line, at the top level: it has ended.
            suite, last = None, m.group(3)
            continue
        if m and suite:
            status = "pass" if m.group(2) == "ok" else "fail"
            if "# SKIP" in m.group(4):
                status = "skip"
            run.set(f"kunit:{suite}.{m.group(3)}", status, boot,
                    kunit_cause(m.group(3), log) if status == "fail" else "")
            log = []
            continue
        log.append(line)
        if not REPORT.search(line):
            continue
        if line.startswith("WARNING:") and any(
                s == suite and src in line for s, src in allowed):
            expected += 1
            continue
        where = f"in suite {suite}" if suite else \
            f"after suite {last}" if last else "boot"
        run.report(f"kunit:(kernel report {where})", boot, line)
    return expected


KTAP_STRUCTURE = re.compile(r"^(KTAP version|1\.\.\d|ok \d|# Subtest:|# module:|# \S+: pass:\d)")


def kunit_cause(case, log):
    """Why a KUnit case failed, from the console lines since the case
    before it: KUnit's own (indented: the failed assertions and
    expectations, a parameter that failed) and the kernel's lines that
    name the case (a KUnit device is named after its case:
    "drv case.drv: swiotlb buffer is full ..."), the first four."""
    parts = []
    for line in log:
        text = line.strip()
        if line.startswith("    ") and not KTAP_STRUCTURE.match(text):
            if text.startswith(("#", "not ok")) or not parts:
                parts.append(re.sub(rf"^# {re.escape(case)}: ", "", text))
            else:
                parts[-1] += " " + text
        elif not line.startswith(" ") and case in line:
            parts.append(text)
    return "; ".join(parts[:4]) + (" ..." if len(parts) > 4 else "")


IGT_STATUS = {"SUCCESS": "pass", "SKIP": "skip", "FAIL": "fail",
              "CRASH": "crash", "TIMEOUT": "timeout"}
TIMED_OUT = ("124", "137")


def parse_out(lines, rc):
    """An IGT-protocol program's output: {subtest (None: no subtests): result}."""
    started, own = [], {}
    for line in lines:
        m = re.match(r"^Starting subtest: (\S+)", line)
        if m:
            started.append(m.group(1))
        m = re.match(r"^Subtest (\S+): (\w+)", line)
        if m:
            own[m.group(1)] = IGT_STATUS.get(m.group(2), "fail")
    for sub in started:
        if sub not in own:
            own[sub] = "timeout" if rc in TIMED_OUT else "crash"
    if not own:
        own[None] = {"0": "pass", "77": "skip", "died": "crash"}.get(rc) or \
            ("timeout" if rc in TIMED_OUT else "crash" if signalled(rc) else "fail")
    return own


def signalled(rc):
    return rc.isdigit() and int(rc) > 128 and rc not in TIMED_OUT


def exit_problem(rc, own):
    """What is wrong with a program's exit code whatever its subtests said:
    a signal, or a code outside IGT's protocol (0, 77, 98; 79 is a list
    entry that matched nothing, judged by the list check)."""
    if None in own or rc in ("0", "77", "98", "79", "died"):
        return None
    if rc in TIMED_OUT:
        return None if "timeout" in own.values() else ("timeout", "killed at the timeout")
    if signalled(rc):
        return ("crash", f"killed by signal {int(rc) - 128} after its subtests")
    return ("fail", f"exit code {rc}")


def index(d):
    """run-igt.sh's index: one dict an invocation."""
    cols = ("n", "bin", "rc", "pages_before", "pages_after", "sub", "nth", "slab", "page", "drv")
    return [dict(zip(cols, l.split("\t"))) for l in read(os.path.join(d, "index"))
            if not l.startswith("cap\t")]


def list_entries(path):
    """An IGT list's entries: [driver, binary, subtests...] a line."""
    return [l.split() for l in read(path) if l.strip() and not l.startswith("#")]


def invocations(d):
    """index(d), and the invocation a kernel oops stopped before run-igt.sh
    could write its index line (oops=panic): its output is there, its exit
    code is "died", its binary and driver are its list entry's."""
    invs = index(d)
    n = len(invs) + 1
    entries = list_entries(os.path.join(d, "list.txt"))
    if os.path.exists(os.path.join(d, f"{n}.out")) and len(entries) >= n:
        drv, binary, *subs = entries[n - 1]
        invs.append({"n": str(n), "bin": binary, "rc": "died", "pages_before": "-",
                     "pages_after": "-", "sub": subs[0] if subs else "-", "drv": drv})
    return invs


def leaked(inv):
    before, after = inv["pages_before"], inv["pages_after"]
    if before == "-" or after == "-":
        return 0
    return int(after) - int(before)


def attribute(run, d, boot, key):
    """Scan the boot's whole console for kernel reports. key(inv, subtest)
    names the test an invocation's report goes to."""
    invs = {i["n"]: i for i in invocations(d)}
    where, inv, sub, pending = "boot", None, None, []
    for line in console(d):
        m = re.match(r"^wb: \[(\d+)\] (\S+) exit \S+$", line)
        if m:
            where, inv, sub = f"between tests (after {m.group(2)})", None, None
            continue
        m = re.match(r"^wb: \[(\d+)\] \S+ (\S+)", line)
        if m:
            inv, sub = invs.get(m.group(1), {"n": m.group(1), "bin": m.group(2)}), None
            for w, l in pending:
                run.report(f"{boot}:(kernel report {w}, before {m.group(2)})", boot, l)
            pending = []
            continue
        m = re.search(r"\[IGT\] \S+: starting subtest (\S+)", line)
        if m and inv:
            sub = m.group(1)
            continue
        if re.search(r"\[IGT\] \S+: finished subtest", line):
            sub = None
            continue
        m = re.search(r"\[IGT\] (\S+): exiting", line)
        if m and inv:
            # What the program's exit frees runs on: after it, not in it.
            where, inv, sub = f"between tests (after {m.group(1)})", None, None
            continue
        if not REPORT.search(line):
            continue
        if inv:
            run.report(key(inv, sub), boot, line)
        elif where == "boot":
            run.report(f"{boot}:(kernel report during boot)", boot, line)
        else:
            pending.append((where, line))
    for w, l in pending:
        run.report(f"{boot}:(kernel report after the tests, {w})", boot, l)


def test_prefix(boot, drv):
    """Results of the vkms boots are named "bin@subtest"; those of a boot
    with display devices (run-tests.sh: display, iommu ...) carry the boot
    and the driver: "display:bochs-drm:bin@subtest". A rerun of a boot's
    tests gives the same names."""
    boot = re.sub(r"^rerun-", "", boot)
    if re.fullmatch(r"igt(\.\d+)?|overlay|faults", boot):
        return ""
    return f"{boot}:{drv}:"


def parse_igt(run, d, boot):
    """run-igt.sh's results: one a subtest ("bin@subtest"), "bin(exit)" for
    a program that died by a signal, "bin(pages)" for one after which the
    chunk helper holds more pages than before; named as test_prefix()
    says."""
    names = {}
    for inv in invocations(d):
        binary, rc = test_prefix(boot, inv.get("drv", "vkms")) + inv["bin"], inv["rc"]
        own = parse_out(read(os.path.join(d, f"{inv['n']}.out")), rc)
        for sub, status in own.items():
            name = binary if sub is None else f"{binary}@{sub}"
            run.set(name, status, boot)
        names[inv["n"]] = own
        problem = exit_problem(rc, own)
        if problem:
            run.set(f"{binary}(exit)", problem[0], boot, problem[1])
        if leaked(inv) > 0:
            run.set(f"{binary}(pages)", "fail", boot,
                    f"the chunk helper holds {leaked(inv)} more pages after the "
                    f"program than before ({inv['pages_before']} -> {inv['pages_after']})")

    def key(inv, sub):
        own = names.get(inv["n"], {})
        binary = test_prefix(boot, inv.get("drv", "vkms")) + inv["bin"]
        if sub in own:
            return f"{binary}@{sub}"
        return binary if None in own else f"{binary}(kernel report)"
    attribute(run, d, boot, key)


def check_list(run, d, boots, prefix=""):
    """Every entry of the boot's list must match a result: a misspelt or
    renamed subtest is a failure ("notrun"), not a silent gap."""
    names = list(run.res)
    for line in read(os.path.join(d, boots[0], "list.txt")):
        if not line.strip() or line.startswith("#"):
            continue
        drv, binary, *subs = line.split()
        binary = prefix + test_prefix(boots[0], drv) + binary
        wanted = [f"{binary}@{p}" for p in subs[0].split(",")] if subs else [binary]
        for w in wanted:
            if not any(n == w or fnmatch.fnmatchcase(n, w) or n.startswith(w + "@")
                       for n in names):
                run.set(w, "notrun", boots[0], "the list entry matches no test")


def fault_state(d):
    """run-igt.sh's state before and after the fault pass: {key: value}."""
    return (dict(l.split() for l in read(os.path.join(d, f)) if len(l.split()) == 2)
            for f in ("before", "after"))


def parse_faults(run, d, boot):
    """The systematic fault injection pass (guest/run-igt.sh faults): one
    result a subtest ("faults:bin@subtest"). Under an injected failure a
    subtest may fail only with ENOMEM; the run that gets nothing injected
    must pass; nothing may crash or keep pages. Returns (slab, page)
    failures injected."""
    runs = {}
    for inv in index(d):
        runs.setdefault(f"faults:{inv['bin']}@{inv['sub']}", []).append(inv)
    slab = page = 0
    for name, invs in runs.items():
        problems = []
        for inv in invs:
            out = read(os.path.join(d, f"{inv['n']}.out"))
            status = parse_out(out, inv["rc"]).get(inv["sub"], "notrun")
            injected = int(inv["slab"]) + int(inv["page"])
            slab, page = slab + int(inv["slab"]), page + int(inv["page"])
            what = f"with allocation {inv['nth']} failed" if injected else \
                f"with nothing injected (run {inv['nth']})"
            if status == "fail" and injected and \
                    any("Cannot allocate memory" in l for l in out):
                pass
            elif status not in OK:
                problems.append(f"{status} {what} ({inv['n']}.out)")
            problem = exit_problem(inv["rc"], {inv["sub"]: status})
            if problem:
                problems.append(f"{problem[1]} {what}")
            if leaked(inv) > 0:
                problems.append(f"{leaked(inv)} pages not freed {what}")
        more = f"; {len(problems) - 3} more runs like these" if len(problems) > 3 else ""
        run.set(name, "fail" if problems else "pass", boot, "; ".join(problems[:3]) + more)
    for line in read(os.path.join(d, "index")):
        if line.startswith("cap\t"):
            _, name, runs = line.split("\t")
            run.set(f"faults:{name}", "fail", boot,
                    f"failures still injected after {runs} runs: not exhaustive")
    if os.path.exists(os.path.join(d, "done")):
        if not slab or not page:
            run.set("faults:(injected)", "fail", boot,
                    f"{slab} slab and {page} page allocation failures injected: "
                    f"the pass reached no {' and no '.join(k for k, v in (('slab', slab), ('page', page)) if not v)} allocation")
        # What the failed calls allocated must be given back.
        before, after = fault_state(d)
        if int(after.get("dma-bufs", 1 << 30)) > int(before.get("dma-bufs", 0)):
            run.set("faults:(dma-bufs)", "fail", boot,
                    f"dma-bufs alive: {before.get('dma-bufs')} before, {after.get('dma-bufs')} after")

    def key(inv, sub):
        return f"faults:{inv['bin']}@{inv.get('sub', sub)}"
    attribute(run, d, boot, key)
    return slab, page


def parse_kmemleak(run, d, boot):
    """Leaks found by the boot's last kmemleak scan, one result per
    allocation site (the first frames of the backtrace below kmalloc)."""
    lines = read(os.path.join(d, "kmemleak.txt"))
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
        run.set(f"{boot}:(kmemleak {site})", "fail", boot, f"{n} unreferenced objects")


def check_boot(run, d, boot, expected_warns):
    """The guest finished, its console is whole, and its kernel's taint is
    what the boot may have: N (TAINT_TEST) in the KUnit boot, W there if
    allow-listed WARNs were seen; L in the test boots, since every sw_sync
    fence IGT creates taints L on purpose (drivers/dma-buf/sw_sync.c; the
    soft-lockup detector, the other source of L, is off). Any other flag
    with no report found to explain it fails the boot."""
    failures = [l for l in read(os.path.join(os.path.dirname(d), "vm-failures"))
                if l.startswith(f"{boot} boot")]
    if failures or not os.path.exists(os.path.join(d, "done")):
        run.set(f"{boot}:(guest)", "crash", boot,
                failures[0] if failures else f"the guest did not finish ({d}/console.log)")
        return
    if not any(l.startswith("wb: guest done") for l in console(d)):
        run.set(f"{boot}:(console)", "fail", boot, "the console ends before the guest did")
    taint = int((read(os.path.join(d, "taint")) or ["0"])[0])
    allowed = (TAINT_TEST if boot.startswith("kunit") else TAINT_SOFTLOCKUP) | \
        (TAINT_WARN if expected_warns else 0)
    reported = any(b == boot and (s.startswith(("dmesg", "crash")) or "(k" in n)
                   for n, (s, b, _) in run.res.items())
    if taint & ~allowed and not reported:
        run.set(f"{boot}:(taint)", "fail", boot,
                f"the kernel is tainted {taint_flags(taint)} ({taint}) "
                f"and no report on the console says why")


def collect(d):
    run = Run()
    boots = sorted((b for b in os.listdir(d) if os.path.isdir(os.path.join(d, b))),
                   key=lambda b: (re.sub(r"\.\d+$", "", b), int(b.split(".")[1]) if "." in b else 0))
    # The IGT list's boots (igt, then igt.1, igt.2 ... when a kernel oops
    # stopped one: run-long.sh), then the one with vkms's overlay planes;
    # results of the later boots replace those of the earlier.
    igt_boots = [b for b in boots if re.fullmatch(r"igt(\.\d+)?", b)]
    for boot in boots:
        bd = os.path.join(d, boot)
        warns = 0
        if boot == "kunit":
            warns = parse_kunit(run, bd, boot)
        elif boot == "faults":
            parse_faults(run, bd, boot)
            check_list(run, d, [boot], "faults:")
        elif boot.startswith("rerun-"):
            continue
        else:
            parse_igt(run, bd, boot)
        parse_kmemleak(run, bd, boot)
        check_boot(run, bd, boot, warns)
    # Boots with display devices: each its own list.
    displays = [[b] for b in boots if b not in ("kunit", "faults") and
                not b.startswith("rerun-") and test_prefix(b, "")]
    for group in (igt_boots, ["overlay"], *displays):
        if os.path.exists(os.path.join(d, group[0] if group else "-", "list.txt")):
            check_list(run, d, group)
    # lint.sh's static checks, already one line a check.
    for line in read(os.path.join(d, "static.tsv")):
        name, status = line.split("\t")
        run.set(name, status, "static", "see build/logs/lint.log" if status != "pass" else "")
    write(run.res, os.path.join(d, "results.tsv"))
    # The differing tests, run once more on both kernels (run-tests.sh).
    for boot in boots:
        if boot.startswith("rerun-"):
            again = Run()
            parse_igt(again, os.path.join(d, boot), boot)
            check_boot(again, os.path.join(d, boot), boot, 0)
            write(again.res, os.path.join(d, f"{boot}.tsv"))
    if not run.res:
        sys.exit(f"results.py: no test results at all in {d}")


def write(res, path):
    with open(path, "w") as f:
        for name in sorted(res):
            status, boot, detail = res[name]
            f.write(f"{name}\t{status}\t{boot}\t{detail}\n")


def load(d, name="results.tsv"):
    res = {}
    for line in read(os.path.join(d, name)):
        name_, status, boot, detail = (line.split("\t") + ["", ""])[:4]
        res[name_] = (status, boot, detail)
    return res


def reruns(d):
    res = {}
    for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        if f.startswith("rerun-") and f.endswith(".tsv"):
            res.update(load(d, f))
    return res


def xfails(config):
    """workbench/xfails/project-CONFIG-{fails,flakes}.txt: {test: result or
    None (a flake: any result)}."""
    listed = {}
    for kind in ("fails", "flakes"):
        path = os.path.join(WB_DIR, "xfails", f"project-{config}-{kind}.txt")
        for line in read(path):
            if line.strip() and not line.startswith("#"):
                name, _, result = line.strip().partition(",")
                listed[name] = result.lower() if kind == "fails" else None
    return listed


def judge(res, again, listed, prefix=""):
    """The verdict on each result of one project configuration:
    {name: (counted as pass|skip|fail, why)}."""
    verdict = {}
    for name, (status, boot, detail) in res.items():
        rerun = again.get(name, (None,))[0]
        if rerun and rerun not in OK and status in OK:
            status, detail = rerun, f"{rerun} when run again ({detail})".rstrip(" ()")
        want = listed.get(name, "")
        if status in OK and want:
            verdict[name] = ("fail", f"unexpected {status}: listed as expected {want} "
                             f"in workbench/xfails/ (update the list)")
        elif status in OK:
            verdict[name] = (status, "")
        elif want is None or want == status:
            verdict[name] = ("skip", f"expected {status} (workbench/xfails/)")
        else:
            verdict[name] = ("fail", f"{prefix}{status}" + (f": {detail}" if detail else ""))
    return verdict


def summary(verdicts):
    counts = {"pass": 0, "fail": 0, "skip": 0}
    for v, _ in verdicts.values():
        counts[v] += 1
    return counts


def report(base_dir, proj_dir, *own_dirs):
    own = dict(a.split("=", 1) for a in own_dirs)
    if set(own) - set(OWN):
        sys.exit(f"results.py: a CONFIG=DIR names one of {', '.join(OWN)}")
    base, proj = load(base_dir), load(proj_dir)
    base_again, proj_again = reruns(base_dir), reruns(proj_dir)
    names = sorted(set(base) | set(proj))
    width = max([len(n) for n in names if not n.startswith("kunit:")] + [4])
    print(f"{'test':<{width}}  {'unmodified':<10}  {'project':<10}")
    verdict = judge(proj, proj_again, xfails("vm"))
    for name in names:
        b, p = base.get(name, ("notrun",))[0], proj.get(name, ("notrun",))[0]
        mark = ""
        if name in base_again or name in proj_again:
            b2, p2 = base_again.get(name, ("-",))[0], proj_again.get(name, ("-",))[0]
            mark = f"  (run again: {b2}, {p2})"
        if name not in base:
            mark += "  (new)"
        if name.startswith("kunit:") and p in OK:
            continue
        print(f"{name:<{width}}  {b:<10}  {p:<10}{mark}")
    # The comparison: what passes on the unmodified kernel (in either of its
    # runs) and not on the project kernel fails the run, listed or not.
    for name, (b, _, _) in base.items():
        b2 = base_again.get(name, (b,))[0]
        p = proj.get(name, ("notrun",))[0]
        p2 = proj_again.get(name, (p,))[0]
        if "pass" in (b, b2) and (p, p2) != ("pass", "pass"):
            verdict[name] = ("fail", f"REGRESSION: passes on the unmodified kernel, "
                             f"'{p}'{'/' + p2 if p2 != p else ''} on the project kernel")
    reruns_seen = sorted(set(base_again) | set(proj_again))
    if reruns_seen:
        print(f"Run again on both kernels because their results differed: {', '.join(reruns_seen)}")
    for kind, res in (("unmodified", base), ("project", proj)):
        print(f"results on the {kind} kernel: {tally(res)}")
    # Each configuration's results, its names prefixed with the
    # configuration's but for vm's.
    verdicts = {"vm": verdict}
    for config, d in own.items():
        verdicts[config] = own_summary(config, d)
    named = [(f"{c}:" if c != "vm" else "", v) for c, v in verdicts.items()]
    for prefix, v in named:
        for name, (result, why) in v.items():
            if result == "fail":
                print(f"FAIL: {prefix}{name}: {why}")
    for prefix, v in named:
        for name, (_, why) in sorted(v.items()):
            if why.startswith("expected"):
                print(f"listed: {prefix}{name}: {why}")
    counts = {c: summary(v) for c, v in verdicts.items()}
    listed = sum(why.startswith("expected") for v in verdicts.values() for _, why in v.values())
    print("Counted below: each result once per project kernel configuration: "
          + ", ".join(f"{c} {n['pass']}/{n['fail']}/{n['skip']}" for c, n in counts.items())
          + f" (passed/failed/skipped; skipped includes {listed} expected failures listed "
          "in workbench/xfails/); the unmodified kernel is the reference, not counted.")
    total = {k: sum(n[k] for n in counts.values()) for k in ("pass", "fail", "skip")}
    print(f"{total['pass']} passed, {total['fail']} failed, {total['skip']} skipped")
    return 1 if total["fail"] else 0


def tally(res):
    """"3 pass, 1 skip": how many of each result."""
    counts = {}
    for status, _, _ in res.values():
        counts[status] = counts.get(status, 0) + 1
    return ", ".join(f"{n} {s}" for s, n in sorted(counts.items(), key=lambda c: -c[1])) \
        or "no results"


def own_summary(config, d):
    """A configuration of OWN (the debug kernel's run, the swiotlb=force
    boots), judged on its own; prints what it found. Returns the
    verdicts."""
    res = load(d)
    verdict = judge(res, {}, xfails(config), f"on the {OWN[config]}: ")
    kunit = sum(1 for n in res if n.startswith("kunit:") and "(" not in n)
    faults = [n for n in res if n.startswith("faults:")]
    print(f"{OWN[config]}: {len(res)} results ({kunit} KUnit cases"
          + (f", {len(faults)} of the fault injection pass" if faults else "")
          + f"): {tally(res)}")
    fd = os.path.join(d, "faults")
    if os.path.isdir(fd):
        invs = index(fd)
        slab = sum(int(i["slab"]) for i in invs if i["slab"].isdigit())
        page = sum(int(i["page"]) for i in invs if i["page"].isdigit())
        programs = len({i["bin"] for i in invs})
        print(f"fault injection: {slab} slab and {page} page allocation failures injected "
              f"into {programs} test programs ({len(invs)} runs of "
              f"{len({(i['bin'], i['sub']) for i in invs})} subtests)")
        before, after = fault_state(fd)
        if before and after:
            print(f"after the fault injection pass: {after.get('dma-bufs')} dma-bufs alive "
                  f"(before: {before.get('dma-bufs')}), "
                  f"{int(after.get('available_kb', 0)) >> 10} MiB available "
                  f"(before: {int(before.get('available_kb', 0)) >> 10} MiB)")
    if config == "swiotlb":
        # guest/init.sh: the most slots in use at once; reported, not judged.
        used = {b: (read(os.path.join(d, b, "swiotlb")) or ["? ?"])[0].split()
                for b in sorted(os.listdir(d)) if os.path.isdir(os.path.join(d, b))}
        print("swiotlb slots in use at most (0: no DMA mapping bounced): "
              + ", ".join(f"{b} {u[0]} of {u[1]}" for b, u in used.items()))
    return verdict


def debug(d):
    verdict = own_summary("debug", d)
    for name, (v, why) in sorted(verdict.items()):
        if v == "fail":
            print(f"FAIL: {name}: {why}")
    counts = summary(verdict)
    print(f"{counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped")
    return 1 if counts["fail"] else 0


def driver_of(d, boot, name):
    """The driver a result of DIR's BOOT ran on, and the result's name
    without the boot's prefix (test_prefix())."""
    if test_prefix(boot, ""):
        drv, _, test = name[len(re.sub(r"^rerun-", "", boot)) + 1:].partition(":")
        return drv, test
    binary = re.split(r"[@(]", name)[0]
    return next((e[0] for e in list_entries(os.path.join(d, boot, "list.txt"))
                 if e[1:2] == [binary]), "vkms"), name


def figures(root):
    """The figures of the last runs in ROOT (build/results), for the cover
    letter (series.sh): IGT results per driver on both kernels, the
    helper's KUnit cases, virtio-gpu's memory entries, the benchmark's
    table."""
    tsv = os.path.join(root, "project", "results.tsv")
    if not os.path.exists(tsv):
        print("(no make check results in this tree: run make check first)")
        return 0
    when = time.strftime("%Y-%m-%d", time.gmtime(os.path.getmtime(tsv)))
    kinds = (("base", "unmodified 7.3"), ("project", "with this series"))
    counts, res = {}, {}
    for kind, _ in kinds:
        d = os.path.join(root, kind)
        res[kind] = load(d)
        for name, (status, boot, _) in res[kind].items():
            if boot not in ("kunit", "static"):
                c = counts.setdefault(driver_of(d, boot, name)[0], {}).setdefault(kind, {})
                c[status] = c.get(status, 0) + 1

    def cell(c):
        other = ", ".join(f"{n} {s}" for s, n in sorted(c.items()) if s not in ("pass", "fail", "skip"))
        return f"{c.get('pass', 0)}/{c.get('fail', 0)}/{c.get('skip', 0)}" + (f" ({other})" if other else "")
    print(f"IGT and the series' own IGT-style tests under QEMU (TCG), make check\n"
          f"of {when}, subtests passed/failed/skipped (other results named):")
    print(f"  {'driver':<12}  {kinds[0][1]:<16}  {kinds[1][1]}")
    for drv in sorted(counts):
        print(f"  {drv:<12}  {cell(counts[drv].get('base', {})):<16}  "
              f"{cell(counts[drv].get('project', {}))}")
    for suite in ("drm_chunk", "drm_gem_chunk_helper"):
        cases = [st for n, (st, _, _) in res["project"].items() if n.startswith(f"kunit:{suite}.")]
        print(f"KUnit suite {suite}: {cases.count('pass')} of {len(cases)} cases pass")
    display = os.path.join(root, "project", "display")
    rows = {}
    for inv in index(display) if os.path.isdir(display) else []:
        if inv["bin"] != "chunk_virtio":
            continue
        state = "fragmented guest" if "big-resource" in inv["sub"] else "fresh guest"
        sub = inv["sub"] if "," not in inv["sub"] else "scanout-*"
        for line in read(os.path.join(display, f"{inv['n']}.out")):
            m = re.match(r"\d+x\d+ XRGB8888, (\d+ MiB): (\d+) memory entr", line)
            if m:
                rows.setdefault(f"{state} ({sub})", []).append(f"{m.group(1)} {m.group(2)}")
    if rows:
        print("virtio-gpu memory entries of a resource with this series, no IOMMU:")
        for state, r in rows.items():
            print(f"  {state}: {', '.join(r)}")
        big = sorted(n for n in res["base"] if "chunk_virtio@big-resource" in n)
        print(textwrap.fill("unmodified 7.3 in the fragmented guest: " + ", ".join(
            f"{n.rpartition('@')[2]} {res['base'][n][0]}" for n in big)
            + " (QEMU refuses more than 16384 entries; the driver's ioctls return 0)",
            72, break_on_hyphens=False))
    table = os.path.join(root, "bench", "table.txt")
    if os.path.exists(table):
        when = time.strftime("%Y-%m-%d", time.gmtime(os.path.getmtime(table)))
        lines = read(table)
        start = next((i for i, l in enumerate(lines) if l.strip().startswith("Targets")), None)
        if start is not None:
            print(f"\nThe benchmark (make bench, {when}; the whole table is in doc/performance.md), against\n"
                  "7.3's shmem helper, 7.3 with vkms on a huge tmpfs mount (shmem with\n"
                  "THP) and anonymous THP memory in the same boot:")
            for line in lines[start:]:
                if line.startswith(("Files:", "The project kernel against")):
                    break
                if line.strip():
                    print(f"  {line.strip()}")
    return 0


def differ(base_dir, proj_dir, out):
    """The IGT list entries whose results differ between the kernels, as
    lists to run again (one a boot they came from): OUTDIR/rerun-BOOT.txt.
    Programs that left a kernel report or crashed go last: an oops ends
    the boot, and what comes after it would not run again."""
    base, proj = load(base_dir), load(proj_dir)
    lists, risky = {}, set()
    for name in sorted(set(base) & set(proj)):
        (b, boot, _), p = base[name], proj[name][0]
        # A pass on one kernel and a skip on the other (a test that needs
        # the chunk helper) is no difference a second run could explain.
        if b == p or (b in OK and p in OK) or boot in ("kunit", "static") or "(" in name:
            continue
        drv, test = driver_of(proj_dir, boot, name)
        binary, _, sub = test.partition("@")
        lists.setdefault(boot, {}).setdefault((drv, binary), []).append(sub)
        if any(r == "crash" or r.startswith("dmesg") for r in (b, p)):
            risky.add((drv, binary))
    for boot, entries in lists.items():
        with open(os.path.join(out, f"rerun-{boot}.txt"), "w") as f:
            for (drv, binary), subs in sorted(entries.items(), key=lambda e: e[0] in risky):
                f.write(f"{drv} {binary} {','.join(s for s in subs if s)}\n".replace(" \n", "\n"))
    return 0 if lists else 1


def resume(list_path, d, out_path):
    """What of LIST is left after the boot in d stopped at a kernel oops
    (guest/run-igt.sh: exit code "died") or died itself: the subtests of
    the program that oopsed after the one it was running, and the programs
    after it, written to out_path. Exit 1 when nothing is left."""
    entries = list_entries(list_path)
    invs = invocations(d)
    if not invs or invs[-1]["rc"] != "died":
        return 1
    crashed = int(invs[-1]["n"])
    rest = [" ".join(e) for e in entries[crashed:]]
    drv, binary, *subs = entries[crashed - 1]
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


def main():
    cmds = {"collect": (collect, [1]), "debug": (debug, [1]), "differ": (differ, [3]),
            "resume": (resume, [3]), "figures": (figures, [1]), "report": (report, range(2, 3 + len(OWN)))}
    cmd = cmds.get(sys.argv[1] if len(sys.argv) > 1 else "")
    nargs = len(sys.argv) - 2
    if not cmd or nargs not in cmd[1]:
        sys.exit(__doc__)
    sys.exit(cmd[0](*sys.argv[2:]) or 0)


if __name__ == "__main__":
    main()
