#!/usr/bin/env python3
"""Differential check of the libinjectionrs port against the C libinjection (PyPI
`libinjection-python`): same verdict and fingerprint on every line of the payload files.

Usage: libinjection_diff.py [--bin target/debug/examples/sqli_fingerprints] [files…]
"""
import argparse, os, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
CORPORA = os.path.join(ROOT, "..", "shared", "corpora", "payloads")


def main():
    import libinjection
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")),
                                                  "debug", "examples", "sqli_fingerprints"))
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    files = a.files or [os.path.join(CORPORA, f) for f in ["sqli.txt", "benign.txt", "xss.txt", "cmdi.txt", "code.txt", "nosqli.txt", "xxe.txt", "path.txt"]]
    total = diff = skipped = 0
    for f in files:
        data = open(f, "rb").read().split(b"\n")
        if data and data[-1] == b"":
            data.pop()
        rs = subprocess.run([a.bin, f], capture_output=True, check=True).stdout.decode().splitlines()
        assert len(rs) == len(data), (f, len(rs), len(data))
        d = 0
        for line, fp in zip(data, rs):
            line = line[:-1] if line.endswith(b"\r") else line
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError:
                skipped += 1  # the binding only takes str
                continue
            r = libinjection.is_sql_injection(text)
            c = r["fingerprint"] if r["is_sqli"] else "-"
            c = c.decode() if isinstance(c, bytes) else c
            if c != fp:
                d += 1
                if d <= 5:
                    print(f"  {os.path.basename(f)}: C={c!r} rs={fp!r} {line[:80]!r}")
        total += len(data)
        diff += d
        print(f"{os.path.basename(f):<14}{len(data):>7} lines  {d} differences")
    print(f"total {total} lines, {diff} differences ({skipped} lines of invalid UTF-8 skipped)")
    sys.exit(1 if diff else 0)


if __name__ == "__main__":
    main()
