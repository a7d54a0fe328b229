#!/usr/bin/env python3
"""Measure `perimeter policy` on folders of real apps: how many functions got a policy, how many
SDK calls were mapped to IAM actions, how many were not recognized, and how resources were named.

Usage (from the repository root):

    cargo build -p perimeter            # or --release
    python3 bench/policy/measure.py [--bin target/debug/perimeter] [ROOT ...]

Without ROOT it measures the Serverless Framework and SAM apps of ../shared/corpora/iac, the
examples, and perimeter_code's fixture apps (the corpora hold no handler code, so SDK-call
figures come from the folders that do). Standard library only.
"""

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
CORPORA = os.path.normpath(os.path.join(REPO, "..", "shared", "corpora", "iac"))
DEFAULT_ROOTS = [
    os.path.join(CORPORA, "serverless-examples"),
    os.path.join(CORPORA, "serverless-patterns"),
    os.path.join(REPO, "examples"),
    os.path.join(REPO, "crates", "perimeter_code", "tests", "fixtures"),
]


def resource_kind(r):
    if isinstance(r, dict):
        return "intrinsic"
    if r == "*":
        return "star"
    if "*" in r.split(":")[-1] or r.endswith(":*"):
        return "pattern"
    return "arn"


def measure(binary, root):
    start = time.monotonic()
    out = subprocess.run([binary, "policy", root, "--format", "json"], capture_output=True)
    elapsed = time.monotonic() - start
    if out.returncode != 0:
        return {"root": root, "error": out.stderr.decode(errors="replace")[-400:], "seconds": elapsed}
    data = json.loads(out.stdout)
    fs = data["functions"]
    m = {
        "root": os.path.relpath(root, REPO),
        "seconds": round(elapsed, 2),
        "apps": len({f["app"] for f in fs}),
        "functions": len(fs),
        "with_policy": sum(1 for f in fs if f["policy"]["Statement"]),
        "handler_found": sum(
            1
            for f in fs
            if not any("was not analyzed" in n or "handler was not found" in n for n in f["notes"])
        ),
        "complete": sum(1 for f in fs if f["complete"]),
        "with_sdk_calls": sum(1 for f in fs if f["calls"]["total"] > 0),
        "sdk_calls": sum(f["calls"]["total"] for f in fs),
        "mapped": sum(f["calls"]["mapped"] for f in fs),
        "no_permission": sum(f["calls"]["no_permission"] for f in fs),
        "unrecognized": sum(f["calls"]["unrecognized"] for f in fs),
        "code_actions": sum(
            len({e["action"] for e in f["evidence"] if not e["call"].startswith("baseline")}) for f in fs
        ),
        "granted_unused": sum(len(f["granted_unused"]) for f in fs),
        "functions_with_unused": sum(1 for f in fs if f["granted_unused"]),
        "resources": {},
        "patches": {},
    }
    for f in fs:
        m["patches"][f["patch"]["kind"]] = m["patches"].get(f["patch"]["kind"], 0) + 1
        for s in f["policy"]["Statement"]:
            # Not the log/X-Ray/ENI statements, which are the same for every function.
            if all(a.startswith(("logs:", "xray:", "ec2:")) for a in s["Action"]):
                continue
            for r in s["Resource"]:
                k = resource_kind(r)
                m["resources"][k] = m["resources"].get(k, 0) + 1
    return m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(REPO, "target", "debug", "perimeter"))
    ap.add_argument("roots", nargs="*")
    args = ap.parse_args()
    binary = os.environ.get("PERIMETER", args.bin)
    results = [measure(binary, r) for r in (args.roots or DEFAULT_ROOTS) if os.path.exists(r)]
    for m in results:
        if "error" in m:
            print(f"{m['root']}: ERROR {m['error']}")
            continue
        print(
            f"{m['root']}: {m['apps']} apps, {m['functions']} functions, {m['with_policy']} with a policy, "
            f"{m['handler_found']} with their handler found ({m['complete']} complete), {m['with_sdk_calls']} with SDK calls; "
            f"SDK calls {m['sdk_calls']}: {m['mapped']} mapped, {m['no_permission']} need nothing, "
            f"{m['unrecognized']} not recognized; {m['code_actions']} code-driven actions; "
            f"other resources {m['resources']}; granted_unused {m['granted_unused']} "
            f"in {m['functions_with_unused']} functions; patches {m['patches']}; {m['seconds']} s"
        )
    json.dump(results, sys.stderr if os.environ.get("JSON") else open(os.devnull, "w"), indent=1)


if __name__ == "__main__":
    main()
