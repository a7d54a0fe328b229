#!/bin/sh
# Size and rendering of the HTML and Markdown reports: serverless-patterns (the broadest real
# corpus) and a synthetic 2,000-function project (bench/report/synth.py). Needs a built binary
# (PERIMETER=path, default target/debug/perimeter) and, for the render time, chromium.
set -e
here=$(cd "$(dirname "$0")/../.." && pwd)
bin=${PERIMETER:-$here/target/debug/perimeter}
corpora=${CORPORA:-$here/../shared/corpora/iac}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$here/bench/report/synth.py" "$work/synthetic" 20 100
for input in "$corpora/serverless-patterns" "$work/synthetic"; do
  start=$(date +%s.%N)
  "$bin" scan "$input" --format html --output "$work/report.html" --fail-on never 2>/dev/null || true
  end=$(date +%s.%N)
  "$bin" scan "$input" --format markdown --output "$work/report.md" --fail-on never 2>/dev/null || true
  html=$(wc -c < "$work/report.html"); gz=$(gzip -c "$work/report.html" | wc -c); md=$(wc -m < "$work/report.md")
  echo "$(basename "$input"): html $html bytes ($gz gzipped), scan+render $(echo "$end - $start" | bc) s; markdown $md chars"
  if command -v chromium >/dev/null; then
    profile=$(mktemp -d)
    start=$(date +%s.%N)
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
      --disable-component-update --disable-sync --user-data-dir="$profile" --virtual-time-budget=10000 \
      --dump-dom "file://$work/report.html" 2>/dev/null > "$work/dom.html"
    end=$(date +%s.%N)
    rm -rf "$profile"
    echo "  chromium load + script + dump: $(echo "$end - $start" | bc) s, $(grep -o '<g class="node ' "$work/dom.html" | wc -l) graph boxes drawn"
  fi
done
