#!/usr/bin/env bash
# Size report: builds the release widget and prints the gzip size of each file a
# browser downloads for the script-tag integration, and the total. Budget: 100 KB.
# Usage: scripts/size-report.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
[ "${1:-}" = "--no-build" ] || bash scripts/build-widget.sh >/dev/null
budget=$((100 * 1024))
total=0
printf '%-28s %10s %10s\n' file bytes gzip-9
for f in pkg/epay_widget_bg.wasm pkg/epay-widget.js pkg/epay_widget.js pkg/*.css; do
  [ -f "$f" ] || continue
  raw=$(wc -c < "$f"); gz=$(gzip -9c "$f" | wc -c)
  total=$((total + gz))
  printf '%-28s %10d %10d\n' "$(basename "$f")" "$raw" "$gz"
done
css=$(ls -t target/wasm32-unknown-unknown/release/build/epay-widget-*/out/style.min.css 2>/dev/null | head -1)
[ -n "$css" ] && printf '%-28s %10d %10s  (inside the wasm: no CSS file to download)\n' "css (style.min.css)" "$(wc -c < "$css")" "-"
printf '%-28s %10s %10d  (%s KB of %d KB budget)\n' TOTAL "" "$total" "$(awk "BEGIN{printf \"%.1f\", $total/1024}")" $((budget / 1024))
if [ "$total" -gt "$budget" ]; then echo "size-report: over budget" >&2; exit 1; fi
