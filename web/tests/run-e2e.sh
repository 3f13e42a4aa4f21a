#!/usr/bin/env bash
# Browser tests of the page against the real server:
#   bash web/tests/run-e2e.sh BINARY OUT_DIR
# Seeds a tracking store (OUT_DIR/tracking.db) from runs-fixture.json with
# `BINARY runs import`, starts `BINARY serve --tracking` on it on free
# 127.0.0.1 ports (one plain, one with --api-key),
# waits for /ready, runs e2e.mjs (playwright-core driving /usr/bin/chromium),
# stops the servers. Needs `cd web && npm ci && npm run build` first.
# Exits non-zero on any failure; gives up after E2E_TIMEOUT seconds (120).
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 BINARY OUT_DIR" >&2
  exit 2
fi
BIN=$(realpath "$1")
OUT=$2
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WEB=$(dirname "$HERE")
REPO=$(dirname "$WEB")
TOTAL=${E2E_TIMEOUT:-120}
SECONDS=0

fail() {
  echo "run-e2e: $*" >&2
  exit 1
}
[ -x "$BIN" ] || fail "$BIN is not an executable"
SERVE_HELP=$("$BIN" serve --help 2>&1 || true)
grep -q -- '--web-dir' <<<"$SERVE_HELP" || fail "$BIN has no 'serve' subcommand with --web-dir"
[ -f "$WEB/dist/index.html" ] && [ -f "$WEB/dist/docs/index.html" ] ||
  fail "$WEB/dist is not built: run 'cd web && npm ci && npm run build'"
[ -f "$WEB/node_modules/playwright-core/package.json" ] || fail "playwright-core is missing: run 'cd web && npm ci'"
[ -x /usr/bin/chromium ] || [ -n "${CHROMIUM:-}" ] || fail "/usr/bin/chromium is missing (apt-get install chromium)"
command -v node >/dev/null || fail "node is missing"
mkdir -p "$OUT"
OUT=$(realpath "$OUT") # the servers run from the repository root

PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# start_server NAME [extra serve options]: sets PORT; the log goes to OUT/server-NAME.log
start_server() {
  local name=$1
  shift
  PORT=$(free_port)
  (cd "$REPO" && exec "$BIN" serve --host 127.0.0.1 --port "$PORT" --web-dir "$WEB/dist" "$@") \
    >"$OUT/server-$name.log" 2>&1 &
  PIDS+=($!)
  echo "run-e2e: $name server pid $! on 127.0.0.1:$PORT"
}

# wait_ready PORT PID: /ready answers 200 within 60 s, or the server's log is shown
wait_ready() {
  local port=$1 pid=$2 name=$3
  while [ "$SECONDS" -lt 60 ]; do
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$OUT/server-$name.log" >&2; fail "the $name server exited"; }
    if node -e "fetch('http://127.0.0.1:$port/ready', {signal: AbortSignal.timeout(2000)}).then(r => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))"; then
      return 0
    fi
    sleep 0.3
  done
  tail -n 30 "$OUT/server-$name.log" >&2
  fail "the $name server was not ready within 60 s"
}

# The Runs view's tracking store: the fixture's runs imported into a fresh SQLite file.
grep -q -- '--tracking' <<<"$SERVE_HELP" || fail "$BIN serve has no --tracking (the Runs view's store)"
STORE="$OUT/tracking.db"
rm -f "$STORE" "$STORE-wal" "$STORE-shm" "$STORE-journal"
timeout 60 "$BIN" runs import "$HERE/runs-fixture.json" --tracking "$STORE" >"$OUT/runs-import.log" 2>&1 ||
  { cat "$OUT/runs-import.log" >&2; fail "'$BIN runs import $HERE/runs-fixture.json --tracking $STORE' failed"; }
echo "run-e2e: tracking store $STORE seeded from runs-fixture.json"

start_server plain --tracking "$STORE"
PLAIN_PORT=$PORT
PLAIN_PID=${PIDS[-1]}
KEYED_ARGS=()
if grep -q -- '--api-key' <<<"$SERVE_HELP"; then
  KEY="e2e-$RANDOM$RANDOM"
  start_server keyed --tracking "$STORE" --api-key "$KEY"
  KEYED_ARGS=(--keyed-base "http://127.0.0.1:$PORT" --key "$KEY")
  wait_ready "$PORT" "${PIDS[-1]}" keyed
else
  echo "run-e2e: serve has no --api-key; the API key test is skipped"
fi
wait_ready "$PLAIN_PORT" "$PLAIN_PID" plain
echo "run-e2e: servers ready after ${SECONDS} s"

LEFT=$((TOTAL - SECONDS))
[ "$LEFT" -gt 20 ] || fail "no time left for the browser tests"
status=0
timeout -k 5 "$LEFT" node "$HERE/e2e.mjs" --base "http://127.0.0.1:$PLAIN_PORT" --out "$OUT" \
  --timeout-s "$((LEFT - 5))" "${KEYED_ARGS[@]}" || status=$?
[ "$status" -eq 124 ] && echo "run-e2e: the browser tests timed out" >&2
exit "$status"
