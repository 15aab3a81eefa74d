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
  results.py check BASE PROJ CONFIG=DIR ...
                                make check's verdict: the report, and
                                whatever workbench/manifest.txt names that
                                the results lack (a boot, a list, a KUnit
                                suite, results, the page count), a failure
                                named; with the manifest's counts per boot
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
  results.py boots CONFIG       the manifest's boots of CONFIG, for
                                run-tests.sh: "NAME MODE LIST SETTINGS" a line

The verdict rule: every result of the project kernel other than pass or skip
is a failure unless workbench/xfails/ lists it (project-CONFIG-fails.txt:
"test,Result", project-CONFIG-flakes.txt: "test"); a listed failure that
passes is an unexpected pass, a failure too. A project test (a chunk_*
program, a KUnit suite the manifest marks the project's) that skips is a
failure unless project-CONFIG-skips.txt lists it. On top of that, a test
that passes on the unmodified kernel and not on the project kernel fails
the run, unless it passed when run again and is listed as a flake.

Every result is named by its boot and test: "bin@subtest" in the igt
boot, "BOOT:bin@subtest" in another (a boot with display devices adds the
driver: "display:bochs-drm:bin@subtest"), "kunit:suite.case"; a test the
list runs twice in one boot is two results, the second "bin@subtest#2". A
boot run again (rerun-BOOT) is a boot of its own: "rerun-igt:bin@subtest".

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
import shlex
import sys
import textwrap
import time

WB_DIR = os.path.dirname(os.path.abspath(__file__))
WB_TOP = os.path.dirname(WB_DIR)
XFAILS = os.path.join(WB_DIR, "xfails")
OK = ("pass", "skip")
# The chunk helper's count of the pages it holds (guest/run-igt.sh).
PAGES = "/sys/kernel/debug/drm_chunk/pages"
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


class Manifest:
    """workbench/manifest.txt: the boots of make check (dicts: config,
    name, mode, list, min, settings), the KUnit suites each KUnit boot
    must run ({(config, boot): [(suite, kernels)]}) and what each boot
    must show on the project kernel ({(config, boot): [what]})."""

    def __init__(self, path=os.path.join(WB_DIR, "manifest.txt")):
        self.boots, self.suites, self.needs = [], {}, {}
        for n, line in enumerate(patterns(path), 1):
            kind, config, name, *rest = shlex.split(line)
            if kind == "boot":
                mode, lst, least, *settings = rest
                self.boots.append({
                    "config": config, "name": name, "mode": mode,
                    "list": "" if lst == "-" else lst, "min": int(least),
                    "settings": dict(s.split("=", 1) for s in settings)})
            elif kind == "suites" and rest[0] in ("both", "project"):
                self.suites.setdefault((config, name), []).extend(
                    (suite, rest[0]) for suite in rest[1:])
            elif kind == "need":
                self.needs.setdefault((config, name), []).extend(rest)
            else:
                sys.exit(f"results.py: {path}: line {n} is not boot, suites or need: {line}")

    def configs(self):
        return list(dict.fromkeys(b["config"] for b in self.boots))

    def of(self, config):
        return [b for b in self.boots if b["config"] == config]

    def project_suites(self):
        return {s for v in self.suites.values() for s, k in v if k == "project"}

    def display(self, boot):
        """Whether a boot of that name has display devices: its results
        carry the driver."""
        return any(b["name"] == boot and b["settings"].get("WB_DISPLAY") for b in self.boots)


MANIFEST = Manifest()


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
        self.res, self.runs = {}, {}

    def unique(self, name):
        """The name of one more run of a test: "name", then "name#2" ..."""
        n = self.runs[name] = self.runs.get(name, 0) + 1
        return name if n == 1 else f"{name}#{n}"

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
    ("kunit:suite.case"; a failed one with its cause, kunit_cause), and
    one a suite that printed no case line (a suite_init failure: "not
    ok", or a suite skipped whole). A suite whose case lines fall short
    of its plan (1..N), a run whose suites fall short of the top plan, a
    boot with no suite at all fail. A WARN is expected only inside a
    suite that kunit-expected-warns lists with the WARN's source, until
    that suite ends; every other report fails. Returns how many expected
    WARNs were seen."""
    allowed = [l.split() for l in patterns("kunit-expected-warns")]
    suite, last, expected, log = None, None, 0, []
    plan, cases, suites, top = None, 0, 0, 0
    for line in console(d):
        m = re.match(r"^    # Subtest: (\S+)", line)
        if m:
            suite, log, plan, cases = m.group(1), [], None, 0
            continue
        m = re.match(r"^(    )?1\.\.(\d+)$", line)
        if m:
            if m.group(1) and suite:
                plan = int(m.group(2))
            elif not m.group(1):
                top += int(m.group(2))
            continue
        m = re.match(r"^(    )?(ok|not ok) \d+ (\S+)(.*)", line)
        if m and not m.group(1):
            # The suite's own result line, at the top level: it has ended.
            name, suites = m.group(3), suites + 1
            if not cases:
                status = "skip" if "# SKIP" in m.group(4) else \
                    "pass" if m.group(2) == "ok" and not plan else "fail"
                run.set(f"kunit:{name}", status, boot, f"{m.group(2)} with no case line: "
                        + (kunit_cause(name, log) or f"plan 1..{plan or 0}"))
            elif plan is not None and plan != cases:
                run.set(f"kunit:{name}(plan)", "fail", boot,
                        f"plan 1..{plan}, {cases} case lines")
            suite, last = None, name
            continue
        if m and suite:
            status = "pass" if m.group(2) == "ok" else "fail"
            if "# SKIP" in m.group(4):
                status = "skip"
            run.set(f"kunit:{suite}.{m.group(3)}", status, boot,
                    kunit_cause(m.group(3), log) if status == "fail" else "")
            log, cases = [], cases + 1
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
    if suite:
        run.set(f"kunit:{suite}(plan)", "fail", boot,
                f"the suite never ended: plan 1..{plan}, {cases} case lines")
    if not suites:
        run.set("kunit:(suites)", "fail", boot,
                "no KUnit suite ran (a kunit.filter_glob that matches none?)")
    elif top != suites and os.path.exists(os.path.join(d, "done")):
        run.set("kunit:(plan)", "fail", boot, f"plan 1..{top} suites, {suites} suite results")
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
    a signal, or a code other than the protocol's for the results it
    printed (igt-tests/lib/wbtest.c, IGT's igt_exit(): 0 if one passed and
    none failed, 77 if all skipped, else the first failure's: 98, IGT's 78
    for a timeout or 112 for an abort; 79, a list entry that matched
    nothing, prints none)."""
    if None in own or rc == "died":
        return None
    if rc in TIMED_OUT:
        return None if "timeout" in own.values() else ("timeout", "killed at the timeout")
    if signalled(rc):
        return ("crash", f"killed by signal {int(rc) - 128} after its subtests")
    want = ("98", "78", "112") if set(own.values()) - set(OK) else \
        ("0",) if "pass" in own.values() else ("77",)
    if rc not in want:
        return ("fail", f"exit code {rc} after subtests that ended "
                f"{', '.join(sorted(set(own.values())))}: the protocol's is {want[0]}")
    return None


def index(d):
    """run-igt.sh's index: one dict an invocation."""
    cols = ("n", "bin", "rc", "pages_before", "pages_after", "sub", "nth", "slab", "page", "drv",
            "wc_before", "wc_after")
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


def leaked(inv, what="pages"):
    """How many more pages the chunk helper holds after the invocation
    than before it, or (what="wc") KiB more of the linear map that are
    write-combined; 0 where the kernel does not count it."""
    before, after = inv.get(f"{what}_before", "-"), inv.get(f"{what}_after", "-")
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
    """Results of the igt boot (and of its continuations, igt.1 ...: see
    run-long.sh) are named "bin@subtest", those of another boot
    "BOOT:bin@subtest"; a boot with display devices (the manifest's
    WB_DISPLAY) adds the driver: "display:bochs-drm:bin@subtest". A rerun
    of a boot is a boot of its own: "rerun-display:bochs-drm:..."."""
    if re.fullmatch(r"igt(\.\d+)?", boot):
        return ""
    return f"{boot}:" + (f"{drv}:" if MANIFEST.display(re.sub(r"^rerun-", "", boot)) else "")


def original(name):
    """The result a rerun's result is the second run of ("rerun-igt:x" ->
    "x", "rerun-display:..." -> "display:..."); any other name itself."""
    return re.sub(r"^rerun-(igt:)?", "", name)


def requirements(lines):
    """Why each subtest (None: the program) skipped: the requirement it
    did not meet, as wbtest ("Test requirement not met: ...") or IGT
    ("Test requirement: ...") prints it."""
    why, sub = {}, None
    for line in lines:
        m = re.match(r"^Starting subtest: (\S+)", line)
        if m:
            sub = m.group(1)
        elif re.match(r"Test requirement(?: not met)?: ", line) and sub not in why:
            why[sub] = line.strip()
    return why


def parse_igt(run, d, boot):
    """run-igt.sh's results: one a subtest ("bin@subtest"), "bin(exit)" for
    a program whose exit code is not the protocol's for what it printed,
    "bin(pages)" for one after which the chunk helper holds more pages than
    before, "bin(write-combined)" for one after which more of the linear
    map is write-combined; named as test_prefix() says, a second run of a
    name in the same list "name#2"."""
    names = {}
    for inv in invocations(d):
        binary, rc = test_prefix(boot, inv.get("drv", "vkms")) + inv["bin"], inv["rc"]
        out = read(os.path.join(d, f"{inv['n']}.out"))
        own, why = parse_out(out, rc), requirements(out)
        names[inv["n"]] = {}
        for sub, status in own.items():
            name = run.unique(binary if sub is None else f"{binary}@{sub}")
            run.set(name, status, boot, why.get(sub, "") if status == "skip" else "")
            names[inv["n"]][sub] = name
        problem = exit_problem(rc, own)
        if problem:
            run.set(run.unique(f"{binary}(exit)"), problem[0], boot, problem[1])
        if leaked(inv) > 0:
            run.set(run.unique(f"{binary}(pages)"), "fail", boot,
                    f"the chunk helper holds {leaked(inv)} more pages after the "
                    f"program than before ({inv['pages_before']} -> {inv['pages_after']})")
        if leaked(inv, "wc") > 0:
            run.set(run.unique(f"{binary}(write-combined)"), "fail", boot,
                    f"{leaked(inv, 'wc')} KiB more of the linear map are write-combined "
                    f"after the program than before ({inv['wc_before']} -> {inv['wc_after']} KiB)")

    def key(inv, sub):
        own = names.get(inv["n"], {})
        binary = test_prefix(boot, inv.get("drv", "vkms")) + inv["bin"]
        return own.get(sub) or own.get(None) or f"{binary}(kernel report)"
    attribute(run, d, boot, key)


def check_list(run, d, boot):
    """Every entry of the boot's list must match a result: a misspelt or
    renamed subtest is a failure ("notrun"), not a silent gap."""
    names = list(run.res)
    for drv, binary, *subs in list_entries(os.path.join(d, boot, "list.txt")):
        binary = test_prefix(boot, drv) + binary
        wanted = [f"{binary}@{p}" for p in subs[0].split(",")] if subs else [binary]
        for w in wanted:
            if not any(n == w or fnmatch.fnmatchcase(n, w) or n.startswith(w + "@")
                       for n in names):
                run.set(w, "notrun", boot, "the list entry matches no test")


def fault_state(d):
    """run-igt.sh's state before and after the fault pass: {key: value}."""
    return (dict(l.split() for l in read(os.path.join(d, f)) if len(l.split()) == 2)
            for f in ("before", "after"))


def enomem(out):
    """Whether a subtest failed on an allocation failure, as its own
    assertions say: every failed assertion it printed (wbtest.h) gives
    ENOMEM as its result: wb_assert's "(errno 12: ...)", wb_assert_ret's
    "got -12 (...)", or the strerror() that ends a wb_assert_f message.
    A data mismatch is no allocation failure, whatever else the output
    says."""
    failed = [l.split("Failed assertion: ", 1)[1] for l in out if "Failed assertion: " in l]
    return bool(failed) and all(
        re.search(r"\(errno 12: [^)]*\)$|: got -12 \(|: Cannot allocate memory$", a)
        for a in failed)


def parse_faults(run, d, boot):
    """The systematic fault injection pass (guest/run-igt.sh faults): one
    result a subtest ("faults:bin@subtest"). Under an injected failure a
    subtest may fail only with ENOMEM (enomem()); the run that gets nothing
    injected must pass; nothing may crash or keep pages. Two more a
    subtest, "faults:bin@subtest(slab failure)" and "(page failure)": it
    got at least one slab, and one page, allocation failure injected (a
    subtest that cannot is listed in workbench/xfails/ with the reason)."""
    runs = {}
    for inv in index(d):
        runs.setdefault(f"{test_prefix(boot, inv['drv'])}{inv['bin']}@{inv['sub']}", []).append(inv)
    for name, invs in runs.items():
        problems = []
        for inv in invs:
            out = read(os.path.join(d, f"{inv['n']}.out"))
            status = parse_out(out, inv["rc"]).get(inv["sub"], "notrun")
            injected = int(inv["slab"]) + int(inv["page"])
            what = f"with allocation {inv['nth']} failed" if injected else \
                f"with nothing injected (run {inv['nth']})"
            if injected and status in OK or status == "fail" and injected and enomem(out):
                pass
            elif status != "pass":
                problems.append(f"{status} {what} ({inv['n']}.out)")
            problem = exit_problem(inv["rc"], {inv["sub"]: status})
            if problem:
                problems.append(f"{problem[1]} {what}")
            if leaked(inv) > 0:
                problems.append(f"{leaked(inv)} pages not freed {what}")
            if leaked(inv, "wc") > 0:
                problems.append(f"{leaked(inv, 'wc')} KiB left write-combined {what}")
        more = f"; {len(problems) - 3} more runs like these" if len(problems) > 3 else ""
        run.set(name, "fail" if problems else "pass", boot, "; ".join(problems[:3]) + more)
        for kind in ("slab", "page"):
            n = sum(int(i[kind]) for i in invs)
            run.set(f"{name}({kind} failure)", "pass" if n else "fail", boot,
                    "" if n else f"no {kind} allocation failure injected in {len(invs)} runs")
    for line in read(os.path.join(d, "index")):
        if line.startswith("cap\t"):
            _, name, runs = line.split("\t")
            run.set(f"{test_prefix(boot, '')}{name}", "fail", boot,
                    f"failures still injected after {runs} runs: not exhaustive")
    if os.path.exists(os.path.join(d, "done")):
        # What the failed calls allocated must be given back.
        before, after = fault_state(d)
        if int(after.get("dma-bufs", 1 << 30)) > int(before.get("dma-bufs", 0)):
            run.set(f"{boot}:(dma-bufs)", "fail", boot,
                    f"dma-bufs alive: {before.get('dma-bufs')} before, {after.get('dma-bufs')} after")

    def key(inv, sub):
        return f"{test_prefix(boot, inv['drv'])}{inv['bin']}@{inv.get('sub', sub)}"
    attribute(run, d, boot, key)


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
    # Every boot on its own terms (igt, then igt.1, igt.2 ... when a kernel
    # oops stopped one: run-long.sh), the reruns of the differing tests
    # (rerun-BOOT, run-tests.sh) too.
    for boot in boots:
        bd = os.path.join(d, boot)
        warns = 0
        if boot == "kunit":
            warns = parse_kunit(run, bd, boot)
        elif boot == "faults":
            parse_faults(run, bd, boot)
        else:
            parse_igt(run, bd, boot)
        parse_kmemleak(run, bd, boot)
        check_boot(run, bd, boot, warns)
    for boot in boots:
        if boot != "kunit":
            check_list(run, d, boot)
    # lint.sh's static checks, already one line a check.
    for line in read(os.path.join(d, "static.tsv")):
        name, status = line.split("\t")
        run.set(name, status, "static", "see build/logs/lint.log" if status != "pass" else "")
    write(run.res, os.path.join(d, "results.tsv"))
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


def xfails(config):
    """workbench/xfails/project-CONFIG-{fails,flakes,skips}.txt: {test:
    result, None (a flake: any result) or "skip" (a project test that
    may skip)}."""
    listed = {}
    for kind in ("fails", "flakes", "skips"):
        path = os.path.join(XFAILS, f"project-{config}-{kind}.txt")
        for line in read(path):
            if line.strip() and not line.startswith("#"):
                name, _, result = line.strip().partition(",")
                listed[name] = {"fails": result.lower(), "flakes": None}.get(kind, "skip")
    return listed


def project_test(name):
    """Whether a result is of the project's own tests: a chunk_* program,
    a KUnit suite the manifest marks the project's."""
    m = re.match(r"^kunit:([^.(]+)", name)
    if m:
        return m.group(1) in MANIFEST.project_suites()
    return bool(re.search(r"(^|:)chunk_\w+(@|#|$)", name))


def judge(res, config, prefix=""):
    """The verdict on each result of one project configuration:
    {name: (counted as pass|skip|fail, why)}. A rerun's result is listed
    under the name of the test it ran again."""
    listed, verdict = xfails(config), {}
    for name, (status, boot, detail) in res.items():
        want = listed.get(name, listed.get(original(name), ""))
        if status == "skip" and project_test(name) and want != "skip":
            verdict[name] = ("fail", f"{prefix}skip: a project test skipped on the project kernel"
                             + (f" ({detail})" if detail else "") + "; one that cannot run "
                             f"here is listed in workbench/xfails/project-{config}-skips.txt")
        elif status == "skip" and want == "skip":
            verdict[name] = ("skip", "expected skip (workbench/xfails/)")
        elif status in OK and want:
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


def logical(boot):
    """The boot a result counts for: igt for igt.1 ... (run-long.sh)."""
    return re.sub(r"\.\d+$", "", boot)


def lacks(config, kernel, d, res):
    """What the manifest's boots of CONFIG on KERNEL (base or project)
    lack in d and its results res: {name: (boot, why)}, and each boot's
    results: {boot: (how many, the manifest's least)}."""
    missing, counts = {}, {}
    for b in MANIFEST.of(config):
        boot, bd = b["name"], os.path.join(d, b["name"])
        mine = [n for n, (_, bt, _) in res.items() if logical(bt) == boot]
        counts[boot] = (sum("(" not in n for n in mine), b["min"])
        if not os.path.isdir(bd):
            failed = [l for l in read(os.path.join(d, "vm-failures")) if l.startswith(f"{boot} boot")]
            missing[f"{boot}:(boot)"] = (boot, f"the manifest's boot {boot} left no results: "
                                         f"no {bd}" + (f" ({failed[0]})" if failed else ""))
            continue
        if b["list"]:
            ran = list_entries(os.path.join(bd, "list.txt"))
            if not ran:
                missing[f"{boot}:(list)"] = (boot, f"the boot ran an empty list ({bd}/list.txt)")
            elif ran != list_entries(os.path.join(WB_TOP, b["list"])):
                missing[f"{boot}:(list)"] = (boot, f"the boot ran another list than the "
                                             f"manifest's {b['list']}")
        if counts[boot][0] < b["min"]:
            missing[f"{boot}:(results)"] = (boot, f"{counts[boot][0]} results, the manifest "
                                            f"wants at least {b['min']}")
        for suite, kernels in MANIFEST.suites.get((config, boot), []):
            if (kernels == "both" or kernel == "project") and \
                    not any(n.startswith(f"kunit:{suite}.") for n in mine):
                missing[f"kunit:{suite}(suite)"] = (boot, "no case of the suite ran (absent from "
                                                    "the console, or no case line)")
        for what in MANIFEST.needs.get((config, boot), []) if kernel == "project" else []:
            if what == "pages":
                invs = [i for i in invocations(bd) if i["rc"] != "died"]
                blind = [i["bin"] for i in invs if "-" in (i["pages_before"], i["pages_after"])]
                if blind or not invs:
                    missing[f"{boot}:(page count)"] = (boot, (
                        f"no page count of the chunk helper ({PAGES}) around "
                        f"{len(blind)} of {len(invs)} programs ({', '.join(sorted(set(blind))[:3])}): "
                        "the leak check is off") if invs else "no program ran")
            elif not any(re.search(rf"(^|:){re.escape(what)}(@|#|$)", n) for n in mine):
                missing[f"{boot}:{what}(ran)"] = (boot, f"no result of {what}")
    return missing, counts


def report(base_dir, proj_dir, *own_dirs, check=False):
    own = dict(a.split("=", 1) for a in own_dirs)
    if set(own) - set(OWN):
        sys.exit(f"results.py: a CONFIG=DIR names one of {', '.join(OWN)}")
    if check and set(MANIFEST.configs()) - {"vm"} - set(own):
        sys.exit(f"results.py check: no CONFIG=DIR for "
                 f"{', '.join(sorted(set(MANIFEST.configs()) - {'vm'} - set(own)))}")
    base, proj = load(base_dir), load(proj_dir)
    per_boot = {}
    if check:
        base_lacks, per_boot["vm unmodified"] = lacks("vm", "base", base_dir, base)
        proj_lacks, per_boot["vm project"] = lacks("vm", "project", proj_dir, proj)
        for name, (boot, why) in proj_lacks.items():
            proj[name] = ("fail", boot, why)
    names = sorted(set(base) | set(proj))
    width = max([len(n) for n in names if not n.startswith("kunit:")] + [4])
    print(f"{'test':<{width}}  {'unmodified':<10}  {'project':<10}")
    verdict = judge(proj, "vm")
    # The reruns of the tests whose results differed: {test: rerun's name}.
    again = {original(n): n for res in (base, proj)
             for n, (_, boot, _) in res.items() if boot.startswith("rerun-")}

    def rerun(name):
        return None if name in again.values() else again.get(re.sub(r"#\d+$", "", name))
    for name in names:
        b, p = base.get(name, ("notrun",))[0], proj.get(name, ("notrun",))[0]
        mark = ""
        if rerun(name):
            b2, p2 = base.get(rerun(name), ("-",))[0], proj.get(rerun(name), ("-",))[0]
            mark = f"  (run again: {b2}, {p2})"
        if name not in base:
            mark += "  (new)"
        if name.startswith("kunit:") and p in OK:
            continue
        print(f"{name:<{width}}  {b:<10}  {p:<10}{mark}")
    # The comparison: what passes on the unmodified kernel (in either of its
    # runs) and not on the project kernel fails the run, unless the project
    # kernel passed it when run again and it is listed as a flake. A
    # rerun's own results are judged as any other's.
    flakes = xfails("vm")
    for name, (b, _, _) in base.items():
        b2 = base.get(rerun(name), (None,))[0]
        p, p2 = proj.get(name, ("notrun",))[0], proj.get(rerun(name), (None,))[0]
        if "pass" not in (b, b2) or p == "pass":
            continue
        if p2 == "pass" and name in flakes and flakes[name] is None:
            verdict[name] = ("skip", f"expected flake: '{p}', then passed when run again "
                             "(workbench/xfails/)")
        else:
            detail = proj.get(name, ("", "", ""))[2]
            verdict[name] = ("fail", f"REGRESSION: passes on the unmodified kernel, '{p}'"
                             + (f" and '{p2}' when run again" if p2 else "") + " on the project kernel"
                             + (f": {detail}" if detail else ""))
    if again:
        print(f"Run again on both kernels because their results differed: {', '.join(sorted(again))}")
    for kind, res in (("unmodified", base), ("project", proj)):
        print(f"results on the {kind} kernel: {tally(res)}")
    if check:
        for name, (_, why) in base_lacks.items():
            verdict[f"unmodified:{name}"] = ("fail", f"on the unmodified kernel: {why}")
    # Each configuration's results, its names prefixed with the
    # configuration's but for vm's.
    verdicts = {"vm": verdict}
    for config, d in own.items():
        verdicts[config], per_boot[config] = own_summary(config, d, check)
    if check:
        print("The manifest's boots (workbench/manifest.txt), results in each (at least):")
        for what, c in per_boot.items():
            print(f"  {what}: " + ", ".join(f"{b} {n} ({least})" for b, (n, least) in c.items()))
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
          + f" (passed/failed/skipped; skipped includes {listed} expected results listed "
          "in workbench/xfails/); the unmodified kernel is the reference, not counted.")
    total = {k: sum(n[k] for n in counts.values()) for k in ("pass", "fail", "skip")}
    print(f"{total['pass']} passed, {total['fail']} failed, {total['skip']} skipped")
    return 1 if total["fail"] else 0


def check(base_dir, proj_dir, *own_dirs):
    return report(base_dir, proj_dir, *own_dirs, check=True)


def tally(res):
    """"3 pass, 1 skip": how many of each result."""
    counts = {}
    for status, _, _ in res.values():
        counts[status] = counts.get(status, 0) + 1
    return ", ".join(f"{n} {s}" for s, n in sorted(counts.items(), key=lambda c: -c[1])) \
        or "no results"


def own_summary(config, d, check=False):
    """A configuration of OWN (the debug kernel's run, the swiotlb=force
    boots), judged on its own (check: with what the manifest names that
    it lacks); prints what it found. Returns the verdicts and the
    manifest's counts."""
    res, counts = load(d), {}
    if check:
        missing, counts = lacks(config, "project", d, res)
        for name, (boot, why) in missing.items():
            res[name] = ("fail", boot, why)
    verdict = judge(res, config, f"on the {OWN[config]}: ")
    kunit = sum(1 for n in res if n.startswith("kunit:") and "(" not in n)
    faults = [n for n in res if n.startswith("faults:") and "(" not in n]
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
    return verdict, counts


def debug(d):
    verdict, _ = own_summary("debug", d)
    for name, (v, why) in sorted(verdict.items()):
        if v == "fail":
            print(f"FAIL: {name}: {why}")
    counts = summary(verdict)
    print(f"{counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped")
    return 1 if counts["fail"] else 0


def driver_of(d, boot, name):
    """The driver a result of DIR's BOOT ran on, and the result's name
    without the boot's prefix (test_prefix())."""
    test = name.split(":", 1)[1] if test_prefix(boot, "") else name
    if MANIFEST.display(re.sub(r"^rerun-", "", boot)):
        drv, _, test = test.partition(":")
        return drv, test
    binary = re.split(r"[@(#]", test)[0]
    return next((e[0] for e in list_entries(os.path.join(d, boot, "list.txt"))
                 if e[1:2] == [binary]), "vkms"), test


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
            if boot not in ("kunit", "static") and not boot.startswith("rerun-"):
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
        if b == p or (b in OK and p in OK) or boot in ("kunit", "static") or "(" in name \
                or boot.startswith("rerun-"):
            continue
        drv, test = driver_of(proj_dir, boot, name)
        binary, _, sub = re.sub(r"#\d+$", "", test).partition("@")
        subs = lists.setdefault(logical(boot), {}).setdefault((drv, binary), [])
        if sub not in subs:
            subs.append(sub)
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


def manifest_boots(config):
    """The manifest's boots of CONFIG for run-tests.sh, one a line: NAME
    MODE LIST ("-": none) and run-vm.sh's settings as sh words."""
    for b in MANIFEST.of(config):
        print(b["name"], b["mode"], b["list"] or "-",
              " ".join(shlex.quote(f"{k}={v}") for k, v in b["settings"].items()))
    return 0


def main():
    cmds = {"collect": (collect, [1]), "debug": (debug, [1]), "differ": (differ, [3]),
            "resume": (resume, [3]), "figures": (figures, [1]), "boots": (manifest_boots, [1]),
            "report": (report, range(2, 3 + len(OWN))), "check": (check, range(2, 3 + len(OWN)))}
    cmd = cmds.get(sys.argv[1] if len(sys.argv) > 1 else "")
    nargs = len(sys.argv) - 2
    if not cmd or nargs not in cmd[1]:
        sys.exit(__doc__)
    sys.exit(cmd[0](*sys.argv[2:]) or 0)


if __name__ == "__main__":
    main()
