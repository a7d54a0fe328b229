#!/usr/bin/env bash
# perimeter against Checkov on the Terraform part of the third-party IaC corpora: wall time and
# findings side by side. Only Terraform files (`.tf`, `.tfvars` and their `.json` forms) are
# compared: they are copied (with their folders) into out/corpus-NAME so that neither tool spends
# time on the SAM/Serverless files or the code around them. See bench/terraform/README.md for
# the figures. Not run in CI.
#
# Environment:
#   RUNS=3              timed runs per tool and corpus (after one checked warm-up run)
#   CORPORA=DIR         folder holding the corpora (default: ../shared/corpora/iac beside the repo)
#   CORPUS_NAMES="a b"  corpora (default: serverless-patterns terraform-aws-lambda)
#   PERIMETER_BIN=PATH  perimeter binary (default: build release into $CARGO_TARGET_DIR)
#   CHECKOV_BIN=PATH    checkov binary (default: install checkov==$CHECKOV_VERSION into a venv)
#   PERIMETER=0 / CHECKOV=0   skip one tool
set -euo pipefail

CHECKOV_VERSION=3.3.30

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
corpora=${CORPORA:-$repo/../shared/corpora/iac}
runs=${RUNS:-3}
names=${CORPUS_NAMES:-serverless-patterns terraform-aws-lambda}
run_perimeter=${PERIMETER:-1}
run_checkov=${CHECKOV:-1}
target_dir=${CARGO_TARGET_DIR:-$repo/target}
out=$here/out
mkdir -p "$out"

perimeter=${PERIMETER_BIN:-$target_dir/release/perimeter}
if [ "$run_perimeter" != 0 ] && [ -z "${PERIMETER_BIN:-}" ]; then
  echo "== building perimeter (release)" >&2
  (cd "$repo" && cargo build --release --quiet -p perimeter)
fi
checkov=${CHECKOV_BIN:-$here/.venv/bin/checkov}
if [ "$run_checkov" != 0 ] && [ -z "${CHECKOV_BIN:-}" ]; then
  if ! "$checkov" --version 2>/dev/null | grep -qx "$CHECKOV_VERSION"; then
    echo "== installing checkov $CHECKOV_VERSION into $here/.venv" >&2
    python3 -m venv "$here/.venv"
    "$here/.venv/bin/pip" install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION"
  fi
fi
# Offline: skip Checkov's downloads of guideline links and policy metadata.
export BC_SKIP_MAPPING=TRUE

# Copies the Terraform files of a corpus, keeping their folders.
terraform_copy() { # corpus-dir copy-dir
  rm -rf "$2"
  mkdir -p "$2"
  (cd "$1" && find . -type f \( -name '*.tf' -o -name '*.tfvars' -o -name '*.tf.json' \
    -o -name '*.tfvars.json' \) -print0 |
    xargs -0 -r cp --parents -t "$2")
}

seconds() { # command... → wall seconds of one run (exit 0 or 1 accepted)
  local t0 t1 status=0
  t0=$(date +%s.%N)
  "$@" || status=$?
  t1=$(date +%s.%N)
  if [ "$status" -gt 1 ]; then
    echo "bench: $* exited with $status" >&2
    exit 1
  fi
  awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}'
}

mean_min() { # command... → "mean min" over RUNS runs
  local i times=()
  for ((i = 0; i < runs; i++)); do times+=("$(seconds "$@")"); done
  printf '%s\n' "${times[@]}" | awk '{s += $1; if (NR == 1 || $1 < m) m = $1} END {printf "%.3f %.3f", s / NR, m}'
}

p_scan() { "$perimeter" scan "$1" --format json --output "$2" > /dev/null; }
c_scan() { "$checkov" -d "$1" --quiet --compact -o json --skip-download --framework terraform > "$2"; }

for name in $names; do
  src=$corpora/$name
  [ -d "$src" ] || { echo "bench: no corpus $src" >&2; exit 2; }
  copy=$out/corpus-$name
  terraform_copy "$src" "$copy"
  files=$(find "$copy" -name '*.tf' | wc -l)
  echo "== $name: $files .tf files" >&2
  if [ "$run_perimeter" != 0 ]; then
    seconds p_scan "$copy" "$out/perimeter-$name.json" > /dev/null
    read -r p_mean p_min <<< "$(mean_min p_scan "$copy" "$out/perimeter-$name.json")"
    echo "perimeter $name mean ${p_mean}s min ${p_min}s" >&2
  fi
  if [ "$run_checkov" != 0 ]; then
    seconds c_scan "$copy" "$out/checkov-$name.json" > /dev/null
    read -r c_mean c_min <<< "$(mean_min c_scan "$copy" "$out/checkov-$name.json")"
    echo "checkov $name mean ${c_mean}s min ${c_min}s" >&2
  fi
  python3 "$here/summarize.py" "$name" "$out/perimeter-$name.json" "$out/checkov-$name.json" \
    "${p_mean:-}" "${c_mean:-}"
done
