#!/bin/sh
# Graph build time on the third-party corpora (dev profile unless PROFILE=--release).
# Prints, per folder: apps, functions, nodes, edges, paths, load time and graph time.
set -e
here=$(cd "$(dirname "$0")/../.." && pwd)
corpora=${CORPORA:-$here/../shared/corpora/iac}
cargo run -q ${PROFILE:-} -p perimeter_graph --example graph_bench -- \
  "$here/examples/vulnerable-sam" "$here/examples/vulnerable-serverless" \
  "$corpora/serverless-examples" "$corpora/serverless-patterns" "$corpora/sam-translator/output"
cargo run -q ${PROFILE:-} -p perimeter_graph --example graph_bench -- --synthetic 5000
