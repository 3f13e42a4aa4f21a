#!/usr/bin/env bash
# The Holter summary page through a real browser: the test binary writes a
# rich sample page (SummaryHtml.WritesSamplePage, to $HEARTWAVE_HTML_SAMPLE),
# headless Chromium prints it to PDF and takes a 1280x2000 screenshot, and
# this checks that the PDF has at least one page, every page A4 landscape
# (842 x 595 points, within 2), and that the PNG is a non-empty image of that
# size. Fails (nonzero, with the reason) when Chromium is not installed.
#   bash tests/holter/chromium_print_check.sh SOURCE_DIR TEST_HOLTER_BINARY [OUT_DIR]
# OUT_DIR, when given, keeps summary.html, summary.pdf and summary.png.
set -euo pipefail
src=${1:?usage: chromium_print_check.sh SOURCE_DIR TEST_HOLTER_BINARY [OUT_DIR]}
bin=${2:?usage: chromium_print_check.sh SOURCE_DIR TEST_HOLTER_BINARY [OUT_DIR]}
keep=${3:-}

fail() { echo "chromium_print_check: FAIL: $*" >&2; exit 1; }

chromium=""
for c in chromium chromium-browser; do
  if command -v "$c" >/dev/null 2>&1; then chromium=$(command -v "$c"); break; fi
done
[ -n "$chromium" ] || fail "chromium is not installed (Debian: apt-get install chromium; $src/scripts/setup.sh installs it)"
[ -x "$bin" ] || fail "$bin is not an executable test binary"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
page="$work/summary.html" pdf="$work/summary.pdf" png="$work/summary.png"

# The sample page.
if ! HEARTWAVE_HTML_SAMPLE="$page" "$bin" --gtest_filter=SummaryHtml.WritesSamplePage >"$work/test.log" 2>&1; then
  cat "$work/test.log" >&2
  fail "$bin --gtest_filter=SummaryHtml.WritesSamplePage failed"
fi
[ -s "$page" ] || fail "the test binary wrote no page to $page (is SummaryHtml.WritesSamplePage in it?)"
if grep -Eq 'https?://|<script|src=' "$page"; then fail "the page is not self-contained (an URL, a script or a src=)"; fi

# Chromium, headless, with its profile and caches in the scratch folder.
browse() {
  local log=$1
  shift
  if ! HOME="$work" XDG_CONFIG_HOME="$work/config" XDG_CACHE_HOME="$work/cache" timeout 120 "$chromium" \
      --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run --no-default-browser-check \
      --user-data-dir="$work/profile" "$@" "file://$page" >"$log" 2>&1; then
    tail -20 "$log" >&2
    fail "chromium $* exited nonzero (or ran past 120 s)"
  fi
}
browse "$work/pdf.log" --no-pdf-header-footer --print-to-pdf="$pdf"
browse "$work/png.log" --hide-scrollbars --screenshot="$png" --window-size=1280,2000

# The PDF: a PDF, at least one page, every MediaBox A4 landscape.
[ -s "$pdf" ] || { tail -20 "$work/pdf.log" >&2; fail "chromium wrote no PDF"; }
[ "$(head -c 5 "$pdf")" = "%PDF-" ] || fail "$pdf is not a PDF"
pages=$(grep -aoE '/Type */Page([^s]|$)' "$pdf" | wc -l)
boxes=$(grep -aoE '/MediaBox *\[[^]]*\]' "$pdf" | sed -E 's|/MediaBox *\[||; s|\]||' || true)
if [ -z "$boxes" ] && command -v pdfinfo >/dev/null 2>&1; then  # objects in compressed streams: ask poppler
  pages=$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')
  boxes=$(pdfinfo -box "$pdf" | awk '/^MediaBox:/ {print $2, $3, $4, $5}')
fi
[ "${pages:-0}" -ge 1 ] || fail "the PDF has no pages"
[ -n "$boxes" ] || fail "no MediaBox found in the PDF"
bad=$(echo "$boxes" | awk '{ w = $3 - $1; h = $4 - $2;
  if (w < 840 || w > 844 || h < 593 || h > 597) print "MediaBox [" $0 "] is " w " x " h " points" }')
[ -z "$bad" ] || fail "a page is not A4 landscape (842 x 595 points): $bad"

# The screenshot: a PNG of the window's size.
[ -s "$png" ] || { tail -20 "$work/png.log" >&2; fail "chromium wrote no screenshot"; }
[ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] || fail "$png is not a PNG"
size=$(od -An -tu1 -j16 -N8 "$png" | awk '{ print $1*16777216 + $2*65536 + $3*256 + $4 "x" $5*16777216 + $6*65536 + $7*256 + $8 }')
[ "$size" = "1280x2000" ] || fail "the screenshot is $size, not 1280x2000"

if [ -n "$keep" ]; then
  mkdir -p "$keep"
  cp "$page" "$pdf" "$png" "$keep/"
fi
echo "chromium_print_check: OK: $pages A4 landscape page(s), screenshot $size ($(stat -c %s "$png") bytes)"
