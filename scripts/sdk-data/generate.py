#!/usr/bin/env python3
"""Generates crates/perimeter_code/data/aws-sdk.txt: every AWS service and API operation, and the
names each SDK gives them, from the AWS SDKs' own service models.

Sources (downloaded with the ordinary package clients, or passed as local files):
  - botocore (PyPI): data/<service>/<version>/service-2.json — service names (botocore's folder
    name is the `service` perimeter reports), serviceId, signingName, endpointPrefix, operations.
  - boto3 (PyPI): data/<service>/<version>/resources-1.json — the resource layer
    (`boto3.resource('dynamodb').Table(name).put_item` → PutItem with TableName=name).
  - aws-sdk v2 (npm): apis/metadata.json and apis/*.min.json — the v2 class names (`AWS.StepFunctions`).
Names for JS v3 (`@aws-sdk/client-<serviceId in kebab case>`, `<Op>Command`), Go v2
(`service/<serviceid lowercase>`) and Java v2 (`services.<serviceid lowercase>`) follow from the
serviceId by those SDKs' code-generation conventions, so they are derived at load time.

Usage: python3 scripts/sdk-data/generate.py [--botocore WHL] [--boto3 WHL] [--aws-sdk TGZ]
Without arguments it runs `pip download` and `npm pack` into a temporary folder.

Output format (one record per line, space-separated; `#` lines are comments):
  S <botocore> <serviceId, spaces as _> <v2 class or -> <signingName> <endpointPrefix>
  O <Operation>[=<snake_case>] ...      operations of the preceding S; the snake_case name is
                                        only written when botocore's xform_name differs from the
                                        simple rule in snake() below (perimeter_code applies it).
  H <botocore> <Parent or -> <Name> <Type> <target>:<source>[:<name>] ...
                                        boto3 resource constructors (`has`), e.g. Table(name).
  A <botocore> <Type or -> <snake_action> <Operation> <Param>=<identifier> ...
                                        boto3 resource actions and the identifiers they pass.
  R <botocore> <Type> <identifier> ...  boto3 resource types and their identifiers, in order:
                                        the service resource constructs each of them
                                        (`boto3.resource('s3').Object(bucket, key)`).
Hand-written SDK helpers that are not API operations live in crates/perimeter_code/src/sdk/helpers.rs.
"""
import argparse
import datetime
import glob
import gzip
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "crates", "perimeter_code", "data", "aws-sdk.txt")

_first_cap = re.compile("(.)([A-Z][a-z]+)")
_end_cap = re.compile("([a-z0-9])([A-Z])")
_special = re.compile("[A-Z]{2,}s$")


def xform_name(name):
    """botocore.xform_name, copied so the script needs no botocore import."""
    m = _special.search(name)
    if m:
        matched = m.group()
        name = f"{name[: -len(matched)]}_{matched.lower()}"
    s1 = _first_cap.sub(r"\1_\2", name)
    return _end_cap.sub(r"\1_\2", s1).lower()


def snake(name):
    """The simple rule perimeter_code applies (must match sdk::data::snake in Rust): an
    underscore before an upper-case letter that follows a lower-case letter or digit, or that
    starts a capitalized word after other capitals; then lower case."""
    out = []
    for i, c in enumerate(name):
        if c.isupper() and i > 0:
            prev = name[i - 1]
            nxt = name[i + 1] if i + 1 < len(name) else ""
            if prev.islower() or prev.isdigit() or (prev.isupper() and nxt.islower()):
                out.append("_")
        out.append(c.lower())
    return "".join(out)


def latest(paths):
    return sorted(paths)[-1]


def fetch(tmp):
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "botocore", "boto3", "-d", tmp], check=True)
    subprocess.run(["npm", "pack", "aws-sdk@2", "--pack-destination", tmp], check=True)
    return (glob.glob(os.path.join(tmp, "botocore-*.whl"))[0],
            glob.glob(os.path.join(tmp, "boto3-*.whl"))[0],
            glob.glob(os.path.join(tmp, "aws-sdk-*.tgz"))[0])


def read_json(z, name):
    data = z.read(name)
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    return json.loads(data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--botocore")
    ap.add_argument("--boto3")
    ap.add_argument("--aws-sdk")
    ap.add_argument("--out", default=OUT)
    args = ap.parse_args()
    tmp = None
    if not (args.botocore and args.boto3 and args.aws_sdk):
        tmp = tempfile.mkdtemp()
        args.botocore, args.boto3, args.aws_sdk = fetch(tmp)

    # aws-sdk v2: serviceId -> class name.
    v2 = {}
    with tarfile.open(args.aws_sdk) as t:
        members = {m.name: m for m in t.getmembers()}
        meta = json.load(t.extractfile(members["package/apis/metadata.json"]))
        for key, info in meta.items():
            prefix = info.get("prefix", key)
            apis = [n for n in members if n.startswith(f"package/apis/{prefix}-") and n.endswith(".min.json")
                    and re.fullmatch(rf"package/apis/{re.escape(prefix)}-\d{{4}}-\d\d-\d\d\.min\.json", n)]
            if not apis:
                continue
            api = json.load(t.extractfile(members[latest(apis)]))
            sid = api.get("metadata", {}).get("serviceId")
            if sid:
                v2[sid] = info["name"]
        v2_version = json.load(t.extractfile(members["package/package.json"]))["version"]

    lines = []
    with zipfile.ZipFile(args.botocore) as z:
        names = z.namelist()
        version = re.search(r"botocore-([^-]+)-", os.path.basename(args.botocore)).group(1)
        services = sorted({n.split("/")[2] for n in names if re.match(r"botocore/data/[^/]+/[^/]+/service-2\.json", n)})
        n_ops = 0
        for svc in services:
            models = [n for n in names if re.fullmatch(rf"botocore/data/{re.escape(svc)}/[^/]+/service-2\.json(\.gz)?", n)]
            model = read_json(z, latest(models))
            md = model["metadata"]
            sid = md.get("serviceId", svc)
            lines.append("S {} {} {} {} {}".format(
                svc, sid.replace(" ", "_"), v2.get(sid, "-"), md.get("signingName", md.get("endpointPrefix", svc)),
                md.get("endpointPrefix", svc)))
            ops = []
            for op in sorted(model["operations"]):
                x = xform_name(op)
                ops.append(op if x == snake(op) else f"{op}={x}")
            n_ops += len(ops)
            lines.append("O " + " ".join(ops))

    with zipfile.ZipFile(args.boto3) as z:
        b3_version = re.search(r"boto3-([^-]+)-", os.path.basename(args.boto3)).group(1)
        names = z.namelist()
        for svc in sorted({n.split("/")[2] for n in names if re.match(r"boto3/data/[^/]+/[^/]+/resources-1\.json", n)}):
            res = read_json(z, latest([n for n in names if re.fullmatch(rf"boto3/data/{re.escape(svc)}/[^/]+/resources-1\.json", n)]))
            for type_name, block in sorted(res.get("resources", {}).items()):
                ids = [i["name"] for i in block.get("identifiers", [])]
                lines.append(f"R {svc} {type_name} " + " ".join(ids))
            blocks = [("-", res.get("service", {}))] + sorted(res.get("resources", {}).items())
            for type_name, block in blocks:
                for name, has in sorted(block.get("has", {}).items()):
                    r = has.get("resource", {})
                    ids = []
                    for i in r.get("identifiers", []):
                        s = f"{i['target']}:{i['source']}"
                        if i["source"] == "identifier":
                            s += f":{i['name']}"
                        ids.append(s)
                    lines.append(f"H {svc} {type_name} {name} {r.get('type', '-')} " + " ".join(ids))
                for name, act in sorted(block.get("actions", {}).items()):
                    req = act.get("request", {})
                    params = [f"{p['target']}={p['name']}" for p in req.get("params", []) if p.get("source") == "identifier"]
                    lines.append(f"A {svc} {type_name} {xform_name(name)} {req['operation']} " + " ".join(params))

    today = datetime.date.today().isoformat()
    header = [
        f"# Generated by scripts/sdk-data/generate.py on {today}: do not edit.",
        f"# botocore {version}, boto3 {b3_version}, aws-sdk (JavaScript v2) {v2_version}",
        f"# {len(services)} services, {n_ops} operations",
    ]
    with open(args.out, "w") as f:
        f.write("\n".join(header + [l.rstrip() for l in lines]) + "\n")
    print(f"wrote {args.out}: {len(services)} services, {n_ops} operations")


if __name__ == "__main__":
    main()
