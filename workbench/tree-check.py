#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""tree-check.py words | links FILE...: checks of the project's own text.

words: no file git tracks in the project names a work session or an issue
by number (the word and a number, or "#" and two digits). Of a patch, only
what the project writes counts: its message and the lines it adds; context
and removed lines quote upstream code.

links: every relative link and image of the Markdown FILEs resolves to a
file or directory git tracks, and a "#heading" in it to a heading of the
page it names (GitHub's anchors).

Prints one line a finding (FILE:LINE: what) and exits 1 if there is any.
"""
import os
import re
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

WORDS = re.compile(r"\bsessions?\s+[0-9]+|\bissues?\s+#?\s*[0-9]+|#[0-9]{2}\b", re.I)
# A name at the end of a line whose number starts the next one.
WORD_AT_END = re.compile(r"\b(sessions?|issues?)\s*$", re.I)
NUMBER_AT_START = re.compile(r"^\s*(\*|#|//|;|--)?\s*#?[0-9]+\b")


def tracked():
    out = subprocess.run(["git", "-C", TOP, "ls-files", "-z"], check=True,
                         capture_output=True).stdout
    return [p for p in out.decode().split("\0") if p]


def text_lines(path):
    """The file's lines, or None for a binary file."""
    with open(os.path.join(TOP, path), "rb") as f:
        data = f.read()
    if b"\0" in data[:8192]:
        return None
    return data.decode("utf-8", "replace").split("\n")


def own_lines(path, lines):
    """(line number, text) of what the project wrote in the file."""
    if not path.endswith(".patch"):
        return list(enumerate(lines, 1))
    own, in_diff = [], False
    for n, line in enumerate(lines, 1):
        in_diff = in_diff or line.startswith("diff --git ")
        if not in_diff:
            own.append((n, line))
        elif line.startswith("+") and not line.startswith("+++ "):
            own.append((n, line[1:]))
    return own


def words():
    found = []
    for path in tracked():
        lines = text_lines(path)
        if lines is None:
            continue
        own = own_lines(path, lines)
        for i, (n, line) in enumerate(own):
            m = WORDS.search(line)
            if m:
                found.append(f"{path}:{n}: '{m.group(0)}'")
            elif WORD_AT_END.search(line) and i + 1 < len(own) and own[i + 1][0] == n + 1 \
                    and NUMBER_AT_START.search(own[i + 1][1]):
                found.append(f"{path}:{n}: '{WORD_AT_END.search(line).group(0).strip()}' "
                             f"numbered on the next line")
    for f in found:
        print(f)
    if found:
        print(f"tree-words: {len(found)} mentions of a session or an issue number")
    return not found


LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(\s|$)")


def prose(lines):
    """(line number, text) of the lines outside code blocks, code spans removed."""
    fence = None
    for n, line in enumerate(lines, 1):
        m = re.match(r"^\s{0,3}(`{3,}|~{3,})", line)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        if line.startswith(("    ", "\t")):
            continue
        yield n, re.sub(r"(`+).*?\1", "", line)


def anchors(lines):
    """GitHub's anchors of a Markdown page's headings."""
    seen, out = {}, set()
    for _, line in prose(lines):
        m = re.match(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not m:
            continue
        slug = re.sub(r"[^\w\- ]", "", m.group(1).replace("`", "").lower()).replace(" ", "-")
        k = seen.get(slug, 0)
        seen[slug] = k + 1
        out.add(slug if k == 0 else f"{slug}-{k}")
    return out


def links(files):
    paths = set(tracked())
    dirs = {"."}
    for p in paths:
        d = os.path.dirname(p)
        while d:
            dirs.add(d)
            d = os.path.dirname(d)
    found = []
    for page in files:
        lines = text_lines(page) or []
        targets = []
        for n, line in prose(lines):
            targets += [(n, m.group(1)) for m in LINK.finditer(line)]
            m = REF.match(line)
            if m:
                targets.append((n, m.group(1)))
        for n, target in targets:
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
                continue        # a URL: not ours to resolve
            name, _, anchor = target.partition("#")
            path = os.path.normpath(os.path.join(os.path.dirname(page), name)) if name else page
            if path not in paths and path not in dirs:
                found.append(f"{page}:{n}: {target}: no such file in the project")
            elif anchor and path.endswith(".md") and anchor not in anchors(text_lines(path)):
                found.append(f"{page}:{n}: {target}: no heading '{anchor}' in {path}")
    for f in found:
        print(f)
    if found:
        print(f"links: {len(found)} relative links that do not resolve")
    return not found


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("words", "links"):
        sys.exit(__doc__)
    ok = words() if sys.argv[1] == "words" else links(sys.argv[2:])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
