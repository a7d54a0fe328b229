"""Side-by-side summary of one corpus: time, files that failed to parse, findings per rule."""
import collections
import json
import os
import sys

name, p_path, c_path, p_mean, c_mean = sys.argv[1:6]


def load(path):
    if not os.path.exists(path):
        return None
    text = open(path).read().strip()
    return json.loads(text) if text else None


def find_key(node, key):
    if isinstance(node, dict):
        if key in node:
            return node[key]
        for value in node.values():
            found = find_key(value, key)
            if found is not None:
                return found
    if isinstance(node, list):
        for value in node:
            found = find_key(value, key)
            if found is not None:
                return found
    return None


print(f"## {name}")
p = load(p_path)
if p is not None:
    findings = find_key(p, "findings") or []
    errors = find_key(p, "errors") or []
    by_code = collections.Counter(f.get("code", "?") for f in findings)
    print(f"perimeter: {p_mean or '?'} s mean, {len(errors)} file errors, {len(findings)} findings")
    print("  " + ", ".join(f"{c} {n}" for c, n in sorted(by_code.items())))
c = load(c_path)
if c is not None:
    reports = c if isinstance(c, list) else [c]
    failed = [f for r in reports for f in r.get("results", {}).get("failed_checks", [])]
    parse = sum(r.get("summary", {}).get("parsing_errors", 0) for r in reports)
    lambda_related = [f for f in failed if "lambda" in f.get("resource", "").lower()
                      or "cloudfunctions" in f.get("resource", "") or "function_app" in f.get("resource", "")]
    by_check = collections.Counter(f.get("check_id", "?") for f in failed)
    print(f"checkov: {c_mean or '?'} s mean, {parse} parse errors, {len(failed)} failed checks "
          f"({len(lambda_related)} on function resources)")
    print("  top: " + ", ".join(f"{k} {n}" for k, n in by_check.most_common(12)))
