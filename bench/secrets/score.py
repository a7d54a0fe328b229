#!/usr/bin/env python3
"""Scores scanner outputs against the planted manifest and summarises the corpora runs.

Usage: score.py MANIFEST PLANT_ROOT OURS_PLANT.tsv DS_PLANT.json OURS_CORPORA.tsv DS_CORPORA.json
"""
import json
import os
import sys


def ours(path, root=None):
    hits = []
    for line in open(path):
        parts = line.rstrip("\n").split("\t")
        if len(parts) < 6:
            continue
        f = parts[0]
        if root:
            f = os.path.relpath(f, root)
        hits.append((f, int(parts[1]), parts[3], parts[4]))
    return hits


def ds(path, root=None):
    data = json.load(open(path))
    hits = []
    for f, results in data.get("results", {}).items():
        rel = os.path.relpath(f, root) if root and os.path.isabs(f) else f
        if root and not os.path.isabs(f):
            rel = os.path.relpath(os.path.join(os.getcwd(), f), root) if f.startswith("/") else f
        for r in results:
            hits.append((rel, int(r["line_number"]), r["type"], "-"))
    return hits


def score_planted(name, hits, manifest):
    planted = manifest["planted"]
    negatives = manifest["negatives"]
    found = [p for p in planted if any(h[0] == p["file"] and p["lines"][0] <= h[1] <= p["lines"][1] for h in hits)]
    missed = [p for p in planted if p not in found]
    covered = set()
    for p in planted:
        for l in range(p["lines"][0], p["lines"][1] + 1):
            covered.add((p["file"], l))
    neg_lines = {(n["file"], n["line"]) for n in negatives}
    hit_lines = {(h[0], h[1]) for h in hits}
    on_negatives = sorted(hit_lines & neg_lines)
    elsewhere = sorted(hit_lines - covered - neg_lines)
    print(f"  {name:16s} recall {len(found)}/{len(planted)} = {len(found) / len(planted):.0%}   "
          f"false positives: {len(on_negatives)} on placeholder/example lines (of {len(negatives)}), "
          f"{len(elsewhere)} on other unplanted lines")
    if missed:
        print(f"    missed: " + ", ".join(f"{m['kind']}@{m['file']}:{m['line']}" for m in missed))
    if on_negatives or elsewhere:
        print(f"    false positives: " + ", ".join(f"{f}:{l}" for f, l in on_negatives + elsewhere))


def summarise_corpora(name, hits):
    lines = {(h[0], h[1]) for h in hits}
    fake = 0
    for f, l in lines:
        try:
            with open(f, errors="replace") as fh:
                text = fh.read().split("\n")
            if 0 < l <= len(text) and ("FAKE" in text[l - 1] or "VULN" in text[l - 1]):
                fake += 1
        except OSError:
            pass
    print(f"  {name:16s} {len(lines)} flagged lines ({fake} of them marked FAKE/VULN in /work/main/examples; "
          f"the corpora hold no known real secret, so the rest are false positives or test data)")


def main():
    manifest_path, root, ours_plant, ds_plant, ours_corp, ds_corp = sys.argv[1:7]
    manifest = json.load(open(manifest_path))
    print("Planted set (%d secrets, %d stand-ins):" % (len(manifest["planted"]), len(manifest["negatives"])))
    score_planted("perimeter", ours(ours_plant, root), manifest)
    score_planted("detect-secrets", ds(ds_plant, root), manifest)
    print("Corpora + examples:")
    summarise_corpora("perimeter", ours(ours_corp))
    summarise_corpora("detect-secrets", ds(ds_corp))


if __name__ == "__main__":
    main()
