#!/usr/bin/env python3
"""Accuracy of `perimeter shield check` on the shared corpora, side by side with libinjection.

Usage: accuracy.py [--perimeter BIN] [--corpora DIR] [--show-fp] [--show-misses CLASS]

Recall per attack file = lines with a non-pass verdict / lines; "kind" recall counts only
detections of the file's own class. False positives = non-pass verdicts on benign.txt and on
the events of benign_events.jsonl. libinjection (PyPI `libinjection-python`, the C library)
runs on the same lines: is_sql_injection for sqli.txt, is_xss for xss.txt, either for the
rest; it has no event walker, so its event column is empty.
"""
import argparse, json, os, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
KIND = {"sqli": "sqli", "nosqli": "nosqli", "cmdi": "cmdi", "code": "code", "path": "path-traversal",
        "xss": "xss", "xxe": "xxe"}


def lines_of(path):
    with open(path, "rb") as f:
        data = f.read()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return [l[:-1] if l.endswith(b"\r") else l for l in lines]


def run_shield(binary, mode, path):
    p = subprocess.run([binary, "shield", "check", mode, path, "--format", "jsonl"],
                       capture_output=True)
    if p.returncode not in (0, 1):
        sys.exit(f"perimeter failed ({p.returncode}): {p.stderr.decode()}")
    return [json.loads(l) for l in p.stdout.decode().splitlines()]


PREDEFINED = {"lt", "gt", "amp", "quot", "apos"}


def xxe_capable(line):
    """Whether a line holds anything XXE is made of (independent of any detector)."""
    import re
    if re.search(r"<!(?:doctype|entity|element|attlist|notation)|xi:include|xmlns:xi|<xsl:", line, re.I):
        return True
    refs = re.findall(r"[&%]([A-Za-z_][\w.-]*);", line)
    return any(r.lower() not in PREDEFINED for r in refs)


def libinj():
    try:
        import libinjection
    except ImportError:
        return None
    def sqli(s):
        return bool(libinjection.is_sql_injection(s)["is_sqli"])
    def xss(s):
        return bool(libinjection.is_xss(s)["is_xss"])
    return sqli, xss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--perimeter", default=os.environ.get("PERIMETER",
                    os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "debug", "perimeter")))
    ap.add_argument("--corpora", default=os.path.join(ROOT, "..", "shared", "corpora", "payloads"))
    ap.add_argument("--show-fp", action="store_true")
    ap.add_argument("--show-misses", default=None)
    a = ap.parse_args()
    if not os.access(a.perimeter, os.X_OK):
        sys.exit(f"no perimeter binary at {a.perimeter}: build it (`cargo build -p perimeter`) "
                 "or pass --perimeter BIN (or set PERIMETER)")
    if not os.path.isdir(a.corpora):
        sys.exit(f"no payload corpus at {a.corpora}: pass --corpora DIR")
    li = libinj()
    print(f"libinjection: {'libinjection-python' if li else 'not installed (pip install libinjection-python)'}")
    print(f"{'file':<22}{'lines':>7}{'shield any':>12}{'shield kind':>13}{'shield block':>14}{'libinjection':>14}")
    for name in ["sqli", "nosqli", "cmdi", "code", "path", "xss", "xxe"]:
        path = os.path.join(a.corpora, name + ".txt")
        raw = lines_of(path)
        res = run_shield(a.perimeter, "--lines", path)
        assert len(res) == len(raw), (name, len(res), len(raw))
        n = len(raw)
        anyhit = sum(r["verdict"] != "pass" for r in res)
        kind = sum(any(d["kind"] == KIND[name] for d in r["detections"]) for r in res)
        block = sum(r["verdict"] == "block" for r in res)
        lcol = "n/a"
        if li:
            s, x = li
            texts = [l.decode("utf-8", "replace") for l in raw]
            if name == "sqli":
                lh = sum(s(t) for t in texts)
            elif name == "xss":
                lh = sum(x(t) for t in texts)
            else:
                lh = sum(s(t) or x(t) for t in texts)
            lcol = f"{100*lh/n:.1f}%"
        print(f"{name+'.txt':<22}{n:>7}{100*anyhit/n:>11.1f}%{100*kind/n:>12.1f}%{100*block/n:>13.1f}%{lcol:>14}")
        if name == "path":
            # `XXpathXX` lines are RFI URL templates: the payload is whatever replaces the
            # placeholder, so as written they carry none. Headline recall leaves them out.
            keep = [i for i, l in enumerate(raw) if b"XXpathXX" not in l]
            hit = sum(res[i]["verdict"] != "pass" for i in keep)
            kd = sum(any(d["kind"] == KIND[name] for d in res[i]["detections"]) for i in keep)
            print(f"{'  without XXpathXX':<22}{len(keep):>7}{100*hit/len(keep):>11.1f}%{100*kd/len(keep):>12.1f}%   (RFI URL templates whose payload is a placeholder)")
        if name == "xxe":
            # XXE needs a DTD declaration, a reference to a non-predefined entity, XInclude
            # or XSLT; the file also holds XPath injections, plain XML documents, section
            # headings and fuzzing values (numbers, `null`) that can carry none of them.
            keep = [i for i, l in enumerate(raw) if xxe_capable(l.decode("utf-8", "replace"))]
            hit = sum(res[i]["verdict"] != "pass" for i in keep)
            kd = sum(any(d["kind"] == KIND[name] for d in res[i]["detections"]) for i in keep)
            print(f"{'  XXE-capable lines':<22}{len(keep):>7}{100*hit/len(keep):>11.1f}%{100*kd/len(keep):>12.1f}%   (DTD, custom entity reference, XInclude or XSLT)")
        if a.show_misses == name:
            for l, r in zip(raw, res):
                if r["verdict"] == "pass":
                    print("   MISS", l.decode("utf-8", "replace")[:160])
    # Benign strings.
    path = os.path.join(a.corpora, "benign.txt")
    raw = lines_of(path)
    res = run_shield(a.perimeter, "--lines", path)
    fp = [(l, r) for l, r in zip(raw, res) if r["verdict"] != "pass"]
    lcol = "n/a"
    if li:
        s, x = li
        lfp = sum(s(t) or x(t) for t in (l.decode("utf-8", "replace") for l in raw))
        lcol = f"{100*lfp/len(raw):.2f}% ({lfp})"
    print(f"{'benign.txt (FP)':<22}{len(raw):>7}{100*len(fp)/len(raw):>10.2f}% ({len(fp)})   libinjection {lcol}")
    if a.show_fp:
        for l, r in fp:
            print("   FP", r["verdict"], [d["kind"] for d in r["detections"]], l.decode("utf-8", "replace")[:160])
    # Benign events.
    evpath = os.path.join(a.corpora, "benign_events.jsonl")
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as t:
        srcs = []
        for l in lines_of(evpath):
            d = json.loads(l)
            srcs.append(d["source"])
            t.write(json.dumps(d["event"]) + "\n")
    res = run_shield(a.perimeter, "--events", t.name)
    os.unlink(t.name)
    fp = [(s, r) for s, r in zip(srcs, res) if r["verdict"] != "pass"]
    values = None
    print(f"{'benign_events (FP)':<22}{len(res):>7}{100*len(fp)/len(res):>10.2f}% ({len(fp)})   libinjection n/a (no event walker)")
    sources = {}
    for r in res:
        sources[r.get("source")] = sources.get(r.get("source"), 0) + 1
    print("   sources recognized:", ", ".join(f"{k} {v}" for k, v in sorted(sources.items())))
    if a.show_fp:
        for s, r in fp:
            print("   FP", r["verdict"], s, [(d["kind"], d["path"], d["excerpt"]) for d in r["detections"]])


if __name__ == "__main__":
    main()
