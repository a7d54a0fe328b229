#!/usr/bin/env bash
# Kept for old callers: the layer is built by scripts/build-layer (x86_64 and arm64, glibc floor check,
# deterministic zips in target/layers/). `build-layer.sh [x86_64|arm64|all]` maps to `--arch`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
exec "$root/scripts/build-layer" --arch "${1:-all}" "${@:2}"
