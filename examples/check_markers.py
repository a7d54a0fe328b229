#!/usr/bin/env python3
"""Check perimeter's findings on the examples against their `VULN:` markers.

Usage: python3 examples/check_markers.py [PERIMETER_BINARY]
(default: `cargo run -q -p perimeter --`). Standard library only.

For each example it runs `perimeter scan <example> --format json` and reports:
- every marker code (e.g. AUTH001) with no finding of that code whose primary or related
  location is on the marked line (MISSED, or ELSEWHERE when the code fired on other lines);
- every finding on no marker (EXTRA), i.e. a false positive or a flaw nobody marked.
Markers whose family is `planned` (e.g. `AUTH, planned`) are counted but not checked. Scans use the
examples' own advisory database (`examples/osv`), so DEP002 findings are checked too.
Exits 1 when anything is missed or extra, so it can guard the examples in CI.
"""

import json
import os
import re
import shlex
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = ["vulnerable-sam", "vulnerable-serverless", "vulnerable-terraform", "clean-sam"]
MARKER = re.compile(r"(?:#|//)\s*VULN:\s*(.*?)\s*\(([^()]*)\)\s*$")
CODE = re.compile(r"[A-Z]+\d{3}")


def markers(root):
    """(file relative to root, line, code, what) for every marker; own-line comments mark the next line."""
    found = []
    for folder, _, files in os.walk(root):
        for name in sorted(files):
            if name.endswith(".md") or name == "MARKERS":
                continue
            path = os.path.join(folder, name)
            try:
                with open(path, encoding="utf-8") as f:
                    lines = f.read().splitlines()
            except (UnicodeDecodeError, OSError):
                continue
            for number, text in enumerate(lines, 1):
                m = MARKER.search(text)
                if not m:
                    continue
                line = number if text[: m.start()].strip() else number + 1
                for code in (c.strip() for c in m.group(2).split(",")):
                    found.append((os.path.relpath(path, root), line, code, m.group(1)))
    # Files that cannot carry a comment (JSON lockfiles) list their flaws in MARKERS.
    sidecar = os.path.join(root, "MARKERS")
    if os.path.exists(sidecar):
        with open(sidecar, encoding="utf-8") as f:
            for text in f:
                if not text.strip() or text.startswith("#"):
                    continue
                place, codes, what = text.strip().split(" ", 2)
                file, line = place.rsplit(":", 1)
                for code in codes.split(","):
                    found.append((file, int(line), code, what))
    return found


def scan(command, root):
    out = subprocess.run(
        command + ["scan", root, "--format", "json", "--vuln-db", os.path.join(HERE, "osv")],
        capture_output=True,
        text=True,
    )
    if out.returncode not in (0, 1):
        sys.exit(f"perimeter failed on {root} (exit {out.returncode}):\n{out.stderr}")
    return json.loads(out.stdout)["findings"]


def main():
    command = shlex.split(sys.argv[1]) if len(sys.argv) > 1 else ["cargo", "run", "-q", "-p", "perimeter", "--"]
    bad = 0
    for example in EXAMPLES:
        root = os.path.join(HERE, example)
        findings = scan(command, root)
        used, matched, planned, problems = set(), 0, 0, []
        for f, line, code, what in markers(root):
            if not CODE.fullmatch(code):
                planned += code != "planned"
                continue
            hits = [
                i
                for i, x in enumerate(findings)
                if x["code"] == code
                and any(l["file"] == f and l["line"] == line for l in [x["location"]] + [r["location"] for r in x["related"]])
            ]
            used.update(hits)
            if hits:
                matched += 1
                continue
            elsewhere = sorted({x["location"]["line"] for x in findings if x["code"] == code})
            kind = f"ELSEWHERE (lines {elsewhere})" if elsewhere else "MISSED"
            problems.append(f"  {kind}: {code} {f}:{line} {what}")
        for i, x in enumerate(findings):
            if i not in used:
                loc = x["location"]
                problems.append(f"  EXTRA: {x['code']} {loc['file']}:{loc['line']} {x['message'][:120]}")
        print(f"{example}: {matched} markers matched, {planned} planned, {len(findings)} findings, {len(problems)} problems")
        if problems:
            print("\n".join(problems))
        bad += len(problems)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
