#!/usr/bin/env bash
# Size report: builds the release widget and prints the gzip size of each file a browser
# downloads for the script-tag integration, in two parts, each with its budget:
#   first download  the loader, the glue and the widget's wasm: all a customer's browser
#                   fetches until the method picker is interactive;
#   drawings module    epay_codes.wasm, the QR and barcode drawings, fetched while an EPay or
#                   PayDala customer chooses (card payments never fetch it).
# Fails when a budget is broken. Usage: scripts/size-report.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
# Cargo's output folder: CARGO_TARGET_DIR when set (relative to the repository), else target/.
target_dir=$(realpath -m "${CARGO_TARGET_DIR:-target}")
[ "${1:-}" = "--no-build" ] || bash scripts/build-widget.sh >/dev/null
first_budget=$((88 * 1024))   # 92 KB at stop 16; 100 KB for everything before the drawings module moved out
all_budget=$((106 * 1024))   # 112 KB at stop 16
# The classic loader alone: 2,587 B before it pinned every file (issue 24), + 300 B at most.
loader_budget=$((2587 + 300))
gz() { gzip -9c "$1" | wc -c; }
row() { printf '%-28s %10d %10d\n' "$(basename "$1")" "$(wc -c < "$1")" "$(gz "$1")"; }
printf '%-28s %10s %10s\n' file bytes gzip-9
first=0
for f in pkg/epay-widget.js pkg/epay_widget.js pkg/epay_widget_bg.wasm; do
  row "$f"; first=$((first + $(gz "$f")))
done
css=$(ls -t "$target_dir"/wasm32-unknown-unknown/release/build/epay-widget-*/out/style.min.css 2>/dev/null | head -1)
[ -n "$css" ] && printf '%-28s %10d %10s  (inside the wasm: no CSS file to download)\n' "css (style.min.css)" "$(wc -c < "$css")" "-"
kb() { awk "BEGIN{printf \"%.1f\", $1/1024}"; }
loader=$(gz pkg/epay-widget.js)
printf '%-28s %10s %10d  (%+d B since 2,587 B before pinning; %d B budget)\n' "LOADER (epay-widget.js)" "" "$loader" $((loader - 2587)) "$loader_budget"
printf '%-28s %10s %10d  (%s KB of %d KB budget)\n' "FIRST DOWNLOAD" "" "$first" "$(kb $first)" $((first_budget / 1024))
row pkg/epay_codes.wasm
all=$((first + $(gz pkg/epay_codes.wasm)))
printf '%-28s %10s %10d  (%s KB of %d KB budget: an EPay or PayDala payment)\n' "WITH THE DRAWINGS MODULE" "" "$all" "$(kb $all)" $((all_budget / 1024))
status=0
if [ "$loader" -gt "$loader_budget" ]; then echo "size-report: the loader is over budget" >&2; status=1; fi
if [ "$first" -gt "$first_budget" ]; then echo "size-report: the first download is over budget" >&2; status=1; fi
if [ "$all" -gt "$all_budget" ]; then echo "size-report: first download + drawings module is over budget" >&2; status=1; fi
exit $status
