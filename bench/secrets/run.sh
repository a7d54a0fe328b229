#!/usr/bin/env bash
# Secrets benchmark: perimeter_secrets (release build of the `scan_tree` example) against
# detect-secrets (PyPI) on the same trees: a planted set of realistic fake secrets mixed with
# placeholders and documentation examples (recall, false positives), and the shared corpora
# plus the repository's examples (flagged lines, throughput).
#
#   bench/secrets/run.sh            # needs python3; installs detect-secrets in a venv
#
# Env: KEEP (keep raw outputs in that folder), CARGO_TARGET_DIR (default target/), DS_VENV (default $CARGO_TARGET_DIR/venv-ds),
#      CORPORA (default ../shared/corpora), EXAMPLES (default examples/).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$REPO/target}"
VENV="${DS_VENV:-$TARGET/venv-ds}"
CORPORA="${CORPORA:-$REPO/../shared/corpora}"
EXAMPLES="${EXAMPLES:-$REPO/examples}"
[ -d "$EXAMPLES" ] || EXAMPLES="/work/main/examples"

if [ ! -x "$VENV/bin/detect-secrets" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q detect-secrets
fi
DS="$VENV/bin/detect-secrets"

(cd "$REPO" && cargo build -q --release -p perimeter_secrets --example scan_tree)
OURS="$TARGET/release/examples/scan_tree"

WORK="$(mktemp -d)"
# KEEP=DIR keeps every tool's raw output there.
trap '[ -n "${KEEP:-}" ] && mkdir -p "$KEEP" && cp -r "$WORK"/. "$KEEP"/; rm -rf "$WORK"' EXIT
mkdir -p "$WORK/plant"
python3 "$HERE/plant.py" "$WORK/plant/tree" 2>/dev/null

bytes() { find "$@" -type f -printf '%s\n' | awk '{s+=$1} END {print s}'; }
now() { date +%s.%N; }

echo "perimeter_secrets vs detect-secrets $("$DS" --version)"
echo

# Planted set.
"$OURS" "$WORK/plant/tree" > "$WORK/ours_plant.tsv" 2>/dev/null
(cd "$WORK/plant/tree" && "$DS" scan --all-files . > "$WORK/ds_plant.json")
# detect-secrets names files relative to where it ran.
python3 - "$WORK/ds_plant.json" <<'EOF'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
d["results"] = {k.lstrip("./") if k.startswith("./") else k: v for k, v in d["results"].items()}
json.dump(d, open(p, "w"))
EOF

# Corpora + examples: hits and wall-clock throughput (each tool reads the same files).
TOTAL=$(bytes "$CORPORA" "$EXAMPLES")
t0=$(now); "$OURS" "$CORPORA" "$EXAMPLES" > "$WORK/ours_corpora.tsv" 2> "$WORK/ours_stats.txt"; t1=$(now)
# detect-secrets reports nothing for absolute paths outside its working directory's git
# repository: run it inside each root on `.`, then merge with absolute file names.
t2=$(now)
for root in "$CORPORA" "$EXAMPLES"; do
  (cd "$root" && "$DS" scan --all-files .) > "$WORK/ds_$(basename "$root").json"
done
t3=$(now)
python3 - "$WORK/ds_corpora.json" "$CORPORA" "$WORK/ds_$(basename "$CORPORA").json" \
  "$EXAMPLES" "$WORK/ds_$(basename "$EXAMPLES").json" <<'EOF'
import json, os, sys
out, rest = sys.argv[1], sys.argv[2:]
merged = {"results": {}}
for root, path in zip(rest[::2], rest[1::2]):
    for f, hits in json.load(open(path))["results"].items():
        merged["results"][os.path.normpath(os.path.join(root, f))] = hits
json.dump(merged, open(out, "w"))
EOF

python3 "$HERE/score.py" "$WORK/plant/manifest.json" "$WORK/plant/tree" \
  "$WORK/ours_plant.tsv" "$WORK/ds_plant.json" "$WORK/ours_corpora.tsv" "$WORK/ds_corpora.json"
echo
python3 - "$TOTAL" "$t0" "$t1" "$t2" "$t3" "$(cat "$WORK/ours_stats.txt")" <<'EOF'
import sys
total, t0, t1, t2, t3, stats = int(sys.argv[1]), *map(float, sys.argv[2:6]), sys.argv[6]
mb = total / 1e6
print(f"Throughput over corpora + examples ({mb:.1f} MB on disk, wall clock, one run each):")
print(f"  perimeter        {t1 - t0:7.2f} s  {mb / (t1 - t0):8.2f} MB/s   (detection only: {stats})")
print(f"  detect-secrets   {t3 - t2:7.2f} s  {mb / (t3 - t2):8.2f} MB/s")
EOF
