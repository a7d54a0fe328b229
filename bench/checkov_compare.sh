#!/usr/bin/env bash
# Side-by-side wall-clock comparison of `perimeter scan` and Checkov on the third-party IaC
# corpora in ../shared/corpora/iac, plus how many files each failed to parse.
# See bench/README.md for what is compared and why. Not run in CI (minutes, and it installs
# Checkov from PyPI).
#
# Environment:
#   RUNS=5              timed runs per tool and corpus (after one warm-up run)
#   CORPORA=DIR         folder holding the corpora (default: ../shared/corpora/iac beside the repo)
#   CORPUS_NAMES="a b"  corpora to run (default: serverless-patterns serverless-examples)
#   PERIMETER=0         skip perimeter (build and runs): time Checkov alone
#   CHECKOV=0           skip Checkov: time perimeter alone
#   CARGO_TARGET_DIR    where cargo builds (the binary is $CARGO_TARGET_DIR/release/perimeter)
#   PERIMETER_BIN=PATH  use this perimeter binary instead of building one
set -euo pipefail

CHECKOV_VERSION=3.3.30

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
corpora=${CORPORA:-$repo/../shared/corpora/iac}
runs=${RUNS:-5}
names=${CORPUS_NAMES:-serverless-patterns serverless-examples}
run_perimeter=${PERIMETER:-1}
run_checkov=${CHECKOV:-1}
target_dir=${CARGO_TARGET_DIR:-$repo/target}
out=$here/out
mkdir -p "$out"

if [ ! -d "$corpora" ]; then
  echo "bench: corpora not found at $corpora" >&2
  exit 2
fi

# --- tools ---------------------------------------------------------------------------------
perimeter=${PERIMETER_BIN:-$target_dir/release/perimeter}
if [ "$run_perimeter" != 0 ]; then
  if [ -z "${PERIMETER_BIN:-}" ]; then
    echo "== building perimeter (release)" >&2
    (cd "$repo" && cargo build --release --quiet -p perimeter)
  fi
  "$perimeter" --version >&2 || true
fi

venv=$here/.venv
checkov=$venv/bin/checkov
if [ "$run_checkov" != 0 ]; then
  if ! "$checkov" --version 2>/dev/null | grep -qx "$CHECKOV_VERSION"; then
    echo "== installing checkov $CHECKOV_VERSION into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION"
  fi
  echo "checkov $("$checkov" --version)" >&2
fi

# Checkov otherwise calls its SaaS for guideline links and policy metadata; offline that costs
# retries and timeouts, not scanning. Both switches only skip downloads.
export BC_SKIP_MAPPING=TRUE

perimeter_cmd() { # corpus-dir json-out
  "$perimeter" scan "$1" --format json --output "$2"
}

checkov_cmd() { # corpus-dir json-out
  "$checkov" -d "$1" --quiet --compact -o json --skip-download \
    --framework cloudformation serverless > "$2"
}

# Runs a command once, accepting exit 0 (clean) and 1 (findings); anything else is a crash.
run_checked() { # label command...
  local label=$1 status=0
  shift
  "$@" || status=$?
  if [ "$status" -gt 1 ]; then
    echo "bench: $label exited with $status" >&2
    exit 1
  fi
}

# Times RUNS runs; sets `timing` to "mean min" wall seconds. (No subshell, so that a crash
# stops the script.)
time_runs() { # label command...
  local label=$1 t0 t1 i times=""
  shift
  for ((i = 0; i < runs; i++)); do
    t0=$(date +%s.%N)
    run_checked "$label" "$@"
    t1=$(date +%s.%N)
    times+="$t0 $t1"$'\n'
  done
  timing=$(printf '%s' "$times" | awk '{d = $2 - $1; s += d; if (NR == 1 || d < m) m = d} END {printf "%.3f %.3f", s / NR, m}')
}

# Same through hyperfine, when it is installed (warm-up and statistics done by it); writes
# "command mean min" lines to $out/hyperfine-NAME.txt.
hyperfine_runs() { # corpus-name corpus-dir
  local name=$1 dir=$2 export=$out/hyperfine-$1.json cmds=()
  if [ "$run_perimeter" != 0 ]; then
    cmds+=(-n perimeter "'$perimeter' scan '$dir' --format json --output '$out/perimeter-$name.json'")
  fi
  if [ "$run_checkov" != 0 ]; then
    cmds+=(-n checkov "'$checkov' -d '$dir' --quiet --compact -o json --skip-download --framework cloudformation serverless > '$out/checkov-$name.json'")
  fi
  # Exit 1 means "findings" for both tools; crashes are caught by the checked warm-up run.
  hyperfine --style basic --runs "$runs" --warmup 1 --ignore-failure --export-json "$export" "${cmds[@]}" >&2
  python3 - "$export" > "$out/hyperfine-$name.txt" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(r["command"], f'{r["mean"]:.3f}', f'{min(r["times"]):.3f}')
PY
}

# Files perimeter could not read: the length of the `errors` array of its JSON report.
perimeter_errors() { # json-file
  python3 - "$1" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
def find(node):
    if isinstance(node, dict):
        if isinstance(node.get("errors"), list):
            return node["errors"]
        for value in node.values():
            found = find(value)
            if found is not None:
                return found
    return None
errors = find(doc)
print(len(errors) if errors is not None else "?")
PY
}

# Files Checkov could not parse: `summary.parsing_errors`, summed over its frameworks (one JSON
# object per framework, or a list of them).
checkov_errors() { # json-file
  python3 - "$1" <<'PY'
import json, sys
text = open(sys.argv[1]).read().strip()
doc = json.loads(text) if text else []
reports = doc if isinstance(doc, list) else [doc]
print(sum(r.get("summary", {}).get("parsing_errors", 0) for r in reports))
PY
}

# --- runs --------------------------------------------------------------------------------
row() { table+=$(printf '%-22s %-10s %10s %10s %14s' "$@")$'\n'; }
table=""
row corpus tool "mean (s)" "min (s)" "parse failures"
for name in $names; do
  dir=$corpora/$name
  [ -d "$dir" ] || { echo "bench: no corpus $dir" >&2; exit 2; }
  p_json=$out/perimeter-$name.json
  c_json=$out/checkov-$name.json
  p_mean="" c_mean=""
  # One checked run of each tool first: it warms the file cache and stops on a crash.
  if [ "$run_perimeter" != 0 ]; then run_checked perimeter perimeter_cmd "$dir" "$p_json"; fi
  if [ "$run_checkov" != 0 ]; then run_checked checkov checkov_cmd "$dir" "$c_json"; fi
  if command -v hyperfine > /dev/null; then
    hyperfine_runs "$name" "$dir"
    while read -r tool mean min; do
      case $tool in
        perimeter) p_mean=$mean p_min=$min ;;
        checkov) c_mean=$mean c_min=$min ;;
      esac
    done < "$out/hyperfine-$name.txt"
  else
    if [ "$run_perimeter" != 0 ]; then
      time_runs perimeter perimeter_cmd "$dir" "$p_json"
      read -r p_mean p_min <<< "$timing"
    fi
    if [ "$run_checkov" != 0 ]; then
      time_runs checkov checkov_cmd "$dir" "$c_json"
      read -r c_mean c_min <<< "$timing"
    fi
  fi
  if [ -n "$p_mean" ]; then
    row "$name" perimeter "$p_mean" "$p_min" "$(perimeter_errors "$p_json")"
  fi
  if [ -n "$c_mean" ]; then
    row "$name" checkov "$c_mean" "$c_min" "$(checkov_errors "$c_json")"
  fi
  if [ -n "$p_mean" ] && [ -n "$c_mean" ]; then
    row "$name" ratio "$(awk -v c="$c_mean" -v p="$p_mean" 'BEGIN {printf "%.1fx", c / p}')" "" "(checkov/perimeter)"
  fi
done
echo >&2
printf '%s' "$table"
echo "runs per tool: $runs; JSON outputs in $out" >&2
