#!/usr/bin/env bash
# Dependency benchmarks: lockfile parsing (50k packages) and advisory matching (10k packages
# against the OSV snapshots in ../shared/advisories). Release build; prints figures.
#   bench/deps/run.sh [RUNS]        (default 5)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
runs="${1:-5}"
advisories="${ADVISORIES:-$root/../shared/advisories}"
cd "$root"
cargo build --release -q -p perimeter_deps --example deps_bench
target="${CARGO_TARGET_DIR:-$root/target}"
"$target/release/examples/deps_bench" "$advisories" "$runs"
