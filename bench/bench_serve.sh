#!/usr/bin/env bash
# HTTP load benchmark of `heartwave serve`, side by side with the original
# project's FastAPI service (../shared/python-peer/serve_peer.py) in the same
# run on the same machine: absolute figures on a shared machine vary from run
# to run, the ratio measured in one run does not.
#
#   bash bench/bench_serve.sh [--duration 10] [--peer-artifacts DIR | --no-peer]
#
# 1. starts build/release/heartwave serve on 127.0.0.1 and waits for GET /ready = 200;
# 2. drives it with wrk (bench/wrk/post_json.lua) for --duration seconds per
#    configuration: POST /v1/beats:classify (one beat) at 8 connections / 2 threads,
#    POST /predict at 1 connection / 1 thread and 8 connections / 2 threads;
# 3. times POST /v1/records:analyze of MIT-BIH record 100 (30 min, 2 leads, JSON)
#    --analyze-runs times after one untimed run, and reads the server's resident
#    memory (VmRSS) after loading and after the runs;
# 4. runs `serve_peer.py bench --model xgb` (uvicorn, wrk at 1 and 8 connections)
#    when the peer's artifacts (scaler_feat.pkl, xgb_feat.json) are in
#    --peer-artifacts DIR (default out/bench-serve/peer-artifacts); with
#    --make-peer-artifacts it first produces them with stages 1-3 of
#    seed_pipeline.py (dataset build, SMOTE, XGB+feat training: see docs/container.md);
# 5. prints a markdown table and the ratios to the targets.
# Results: out/bench-serve/ (results.json, report.md, the server's log, wrk's raw output).
#
# Options:
#   --duration S            wrk seconds per configuration (default 10)
#   --port P                heartwave's port (default 18000)
#   --peer-port P           the peer's port (default 18077)
#   --peer-artifacts DIR    the peer's model artifacts (default out/bench-serve/peer-artifacts)
#   --make-peer-artifacts   produce them when DIR lacks them (stages 1-3 of seed_pipeline.py)
#   --no-peer               heartwave only
#   --analyze-runs N        timed records:analyze runs (default 5)
#   --out DIR               results folder (default out/bench-serve)
#   --serve-args "ARGS"     more arguments for `heartwave serve` (e.g. "--threads 2")
# Environment: HEARTWAVE_BIN (default build/release/heartwave), HEARTWAVE_DATA (default
# ../shared/data/mitdb), PEER_DIR (default ../shared/python-peer), PEER_PYTHON (default
# /usr/bin/python3: the peer needs Debian's interpreter and packages).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

duration=10
port=18000
peer_port=18077
peer_artifacts=""
make_peer=0
no_peer=0
analyze_runs=5
out=out/bench-serve
serve_args=""
while (($#)); do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --peer-port) peer_port=$2; shift 2 ;;
    --peer-artifacts) peer_artifacts=$2; shift 2 ;;
    --make-peer-artifacts) make_peer=1; shift ;;
    --no-peer) no_peer=1; shift ;;
    --analyze-runs) analyze_runs=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --serve-args) serve_args=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench_serve.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

hw=${HEARTWAVE_BIN:-build/release/heartwave}
data=${HEARTWAVE_DATA:-../shared/data/mitdb}
peer_dir=${PEER_DIR:-../shared/python-peer}
peer_py=${PEER_PYTHON:-/usr/bin/python3}
mkdir -p "$out"
out=$(realpath "$out")
peer_artifacts=$(realpath -m "${peer_artifacts:-$out/peer-artifacts}")
lua=$root/bench/wrk/post_json.lua
log() { echo "bench_serve: $*" >&2; }

# ---------------------------------------------------------------- prerequisites
[ -x "$hw" ] || { log "no $hw: build first (cmake --preset release && cmake --build --preset release)"; exit 2; }
# (an unknown command's --help prints the main help and exits 0: look for serve's own usage line)
"$hw" serve --help 2>&1 | grep -Eq '^Usage: .*serve' || { log "$hw has no 'serve' command yet"; exit 2; }
if [ ! -f "$data/100.dat" ] || [ ! -f "$data/119.atr" ]; then log "MIT-BIH records not found in $data (set HEARTWAVE_DATA)"; exit 2; fi
data=$(realpath "$data")
apt_install() {
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  log "installing $*"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
command -v wrk >/dev/null || apt_install wrk
command -v curl >/dev/null || apt_install curl
command -v python3 >/dev/null || apt_install python3

host="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
log "host: $host"

# ---------------------------------------------------------------- payloads
# Standard library only: format 212 and the MIT annotation format decoded here.
# beat.json: the peer's own payload (serve_peer.py bench): the first V beat of
# record 119, signal 0, raw mV, window [R-93, R+94), 4 decimals.
python3 - "$data" "$out" <<'PY'
import json, os, sys
data, out = sys.argv[1], sys.argv[2]

def header(rec):
    lines = [l for l in open(os.path.join(data, rec + ".hea")) if l.strip() and not l.startswith("#")]
    name, nsig, fs, n = lines[0].split()[:4]
    sigs = []
    for l in lines[1:1 + int(nsig)]:
        f = l.split()
        gain = float(f[2].split("(")[0].split("/")[0])
        sigs.append(dict(file=f[0], fmt=int(f[1]), gain=gain, baseline=int(f[4]), name=f[8] if len(f) > 8 else f"sig{len(sigs)}"))
    return float(fs), int(n), sigs

def signals(rec):
    fs, n, sigs = header(rec)
    assert len(sigs) == 2 and all(s["fmt"] == 212 for s in sigs)
    raw = open(os.path.join(data, sigs[0]["file"]), "rb").read()
    a, b = [], []
    for i in range(0, min(len(raw) // 3, n) * 3, 3):
        b0, b1, b2 = raw[i], raw[i + 1], raw[i + 2]
        s0 = b0 | ((b1 & 0x0F) << 8)
        s1 = b2 | ((b1 & 0xF0) << 4)
        a.append(s0 - 4096 if s0 > 2047 else s0)
        b.append(s1 - 4096 if s1 > 2047 else s1)
    mv = [[(v - s["baseline"]) / s["gain"] for v in x] for x, s in zip((a, b), sigs)]
    return fs, sigs, mv

def annotations(rec):
    raw = open(os.path.join(data, rec + ".atr"), "rb").read()
    t, i, out = 0, 0, []
    while i + 1 < len(raw):
        w = raw[i] | (raw[i + 1] << 8); i += 2
        code, val = w >> 10, w & 0x3FF
        if code == 0 and val == 0:
            break
        if code == 59:                      # SKIP: 32-bit interval, high word first
            hi = raw[i] | (raw[i + 1] << 8); lo = raw[i + 2] | (raw[i + 3] << 8); i += 4
            d = (hi << 16) | lo
            t += d - (1 << 32) if d >= 1 << 31 else d
        elif code == 63:                    # AUX: val bytes, padded to even
            i += val + (val & 1)
        elif code in (60, 61, 62):          # NUM, SUB, CHN
            pass
        else:
            t += val
            out.append((t, code))
    return out

fs, sigs, mv = signals("119")
n = len(mv[0])
r = next(t for t, c in annotations("119") if c == 5 and t - 93 >= 0 and t + 94 <= n)   # 5 = V
beat = [round(v, 4) for v in mv[0][r - 93:r + 94]]
assert len(beat) == 187
json.dump({"signal": beat}, open(os.path.join(out, "beat.json"), "w"), separators=(",", ":"))
json.dump({"beats": [{"signal": beat}]}, open(os.path.join(out, "classify.json"), "w"), separators=(",", ":"))

fs, sigs, mv = signals("100")
body = {"fs": int(fs) if fs == int(fs) else fs, "units": "mV", "name": "100",
        "leads": {s["name"]: [round(v, 3) for v in x] for s, x in zip(sigs, mv)}}
json.dump(body, open(os.path.join(out, "record100.json"), "w"), separators=(",", ":"))
print(f"payloads: beat of 119 at sample {r}; record 100: {len(mv[0])} samples x {len(sigs)} leads "
      f"({', '.join(s['name'] for s in sigs)})", file=sys.stderr)
PY

# ---------------------------------------------------------------- heartwave serve
url=http://127.0.0.1:$port
rss() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }   # kB
srv_pid=""
stop_server() { if [ -n "$srv_pid" ] && kill -0 "$srv_pid" 2>/dev/null; then kill "$srv_pid"; wait "$srv_pid" 2>/dev/null || true; fi; srv_pid=""; }
trap stop_server EXIT
log "starting $hw serve --host 127.0.0.1 --port $port $serve_args"
t0=$(date +%s.%N)
# shellcheck disable=SC2086  # serve_args: several words on purpose
env -u HEARTWAVE_API_KEY "$hw" serve --host 127.0.0.1 --port "$port" $serve_args >"$out/heartwave-serve.log" 2>&1 &
srv_pid=$!
ready=0
for _ in $(seq 1 1200); do
  kill -0 "$srv_pid" 2>/dev/null || { log "the server exited:"; tail -20 "$out/heartwave-serve.log" >&2; exit 1; }
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/ready" || true)" = 200 ]; then ready=1; break; fi
  sleep 0.1
done
[ "$ready" = 1 ] || { log "GET /ready never answered 200"; tail -20 "$out/heartwave-serve.log" >&2; exit 1; }
t_ready=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')
rss_loaded=$(rss "$srv_pid" VmRSS)
log "ready after ${t_ready} s, VmRSS ${rss_loaded} kB"

post() {  # ROUTE BODYFILE OUTFILE -> prints the HTTP status
  curl -s -o "$3" -w '%{http_code}' -H 'Content-Type: application/json' --data-binary "@$2" "$url$1"
}
for route in /v1/beats:classify /predict; do
  body=$out/beat.json; [ "$route" = /v1/beats:classify ] && body=$out/classify.json
  code=$(post "$route" "$body" "$out/check.json")
  log "check POST $route -> $code $(head -c 300 "$out/check.json")"
  [ "$code" = 200 ] || { log "POST $route did not answer 200"; exit 1; }
done

wrk_run() {  # NAME ROUTE BODYFILE CONNECTIONS THREADS SECONDS
  wrk -t"$5" -c"$4" -d"$6"s --latency -s "$lua" "$url$2" -- "$3" >"$out/wrk-$1.txt" 2>&1 || {
    log "wrk failed:"; cat "$out/wrk-$1.txt" >&2; exit 1; }
  grep '^WRK_JSON ' "$out/wrk-$1.txt" | sed 's/^WRK_JSON //' >"$out/wrk-$1.json"
}
log "warm-up (2 s per route)"
wrk_run warmup-classify /v1/beats:classify "$out/classify.json" 8 2 2
wrk_run warmup-predict /predict "$out/beat.json" 8 2 2
for cfg in "classify-c8 /v1/beats:classify $out/classify.json 8 2" \
           "predict-c1 /predict $out/beat.json 1 1" \
           "predict-c8 /predict $out/beat.json 8 2"; do
  read -r name route body c t <<<"$cfg"
  log "wrk $name: POST $route, $c connections, $t threads, $duration s"
  wrk_run "$name" "$route" "$body" "$c" "$t" "$duration"
done
rss_after_wrk=$(rss "$srv_pid" VmRSS)

log "records:analyze of record 100: 1 untimed + $analyze_runs timed runs"
: >"$out/analyze-times.txt"
for i in $(seq 0 "$analyze_runs"); do
  res=$(curl -s -o "$out/analyze-100.json" -w '%{http_code} %{time_total}' -H 'Content-Type: application/json' \
        --data-binary "@$out/record100.json" "$url/v1/records:analyze")
  [ "${res%% *}" = 200 ] || { log "records:analyze answered ${res%% *}: $(head -c 300 "$out/analyze-100.json")"; exit 1; }
  server_s=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("timing", {}).get("seconds", ""))' "$out/analyze-100.json")
  echo "$i ${res#* } $server_s" >>"$out/analyze-times.txt"
  log "  run $i: ${res#* } s (server timing ${server_s} s)"
done
rss_after_analyze=$(rss "$srv_pid" VmRSS)
hwm=$(rss "$srv_pid" VmHWM)
hw_version=$("$hw" --version 2>&1 | head -1)
stop_server
cat >"$out/heartwave-meta.json" <<EOF
{"version": "$hw_version", "startup_to_ready_s": $t_ready, "rss_kb_loaded": $rss_loaded,
 "rss_kb_after_wrk": $rss_after_wrk, "rss_kb_after_analyze": $rss_after_analyze, "hwm_kb": $hwm,
 "serve_args": "$serve_args"}
EOF

# ---------------------------------------------------------------- the python peer
peer_note=""
peer_json=$out/peer/serve.json
rm -f "$peer_json"
if [ "$no_peer" = 1 ]; then
  peer_note="peer not run (--no-peer)"
else
  if ! "$peer_py" -c 'import numpy, scipy, sklearn, xgboost, fastapi, uvicorn' 2>/dev/null; then
    apt_install python3-numpy python3-scipy python3-sklearn python3-imblearn python3-xgboost python3-torch python3-fastapi python3-uvicorn
  fi
  if [ ! -f "$peer_artifacts/scaler_feat.pkl" ] || [ ! -f "$peer_artifacts/xgb_feat.json" ]; then
    if [ "$make_peer" = 1 ]; then
      log "making the peer's artifacts in $peer_artifacts (seed_pipeline.py stages 1-3: dataset, SMOTE, XGB+feat training)"
      mkdir -p "$peer_artifacts"
      t0=$(date +%s)
      (cd "$peer_dir" && "$peer_py" seed_pipeline.py --data "$data" --no-cnn --no-inter \
         --out "$peer_artifacts/pipeline.json" --artifacts "$peer_artifacts") >"$out/peer-artifacts.log" 2>&1 || {
        log "seed_pipeline.py failed:"; tail -20 "$out/peer-artifacts.log" >&2; exit 1; }
      log "  artifacts made in $(( $(date +%s) - t0 )) s"
    else
      peer_note="peer skipped: no artifacts in $peer_artifacts (pass --peer-artifacts DIR, or --make-peer-artifacts)"
    fi
  fi
  if [ -z "$peer_note" ]; then
    log "peer: serve_peer.py bench --model xgb --duration $duration (uvicorn on port $peer_port)"
    mkdir -p "$out/peer"
    (cd "$peer_dir" && PEER_ARTIFACTS="$peer_artifacts" "$peer_py" serve_peer.py bench --model xgb \
       --duration "$duration" --port "$peer_port" --data "$data" --out "$peer_json") >"$out/peer/bench.log" 2>&1 || {
      log "serve_peer.py bench failed:"; tail -20 "$out/peer/bench.log" >&2; exit 1; }
    cat "$out/peer/bench.log" >&2
  fi
fi
[ -n "$peer_note" ] && log "$peer_note"

# ---------------------------------------------------------------- report
python3 - "$out" "$peer_json" "$host" "$duration" "$peer_note" <<'PY'
import json, os, statistics, sys
out, peer_json, host, duration, peer_note = sys.argv[1:6]
meta = json.load(open(os.path.join(out, "heartwave-meta.json")))
def wrk(name):
    j = json.load(open(os.path.join(out, f"wrk-{name}.json")))
    lat = j["latency_us"]
    errs = sum(j["errors"].values())
    return dict(requests_per_s=j["requests"] / (j["duration_us"] / 1e6), p50_ms=lat["p50"] / 1e3,
                p99_ms=lat["p99"] / 1e3, mean_ms=lat["mean"] / 1e3, max_ms=lat["max"] / 1e3,
                requests=j["requests"], errors=j["errors"], non_ok=errs)
hw = {"classify c8": wrk("classify-c8"), "predict c1": wrk("predict-c1"), "predict c8": wrk("predict-c8")}
peer = {}
if os.path.exists(peer_json):
    p = json.load(open(peer_json))["xgb"]
    for c in (1, 8):
        r = p["runs"].get(f"connections={c}")
        if r:
            peer[f"predict c{c}"] = dict(requests_per_s=r["requests_per_s"], p50_ms=r["p50_ms"], p99_ms=r["p99_ms"],
                                         non_ok=r.get("non_2xx", 0), tool=r.get("tool", ""))
    peer_check = p.get("check", {})
else:
    peer_check = {}
rows = [("heartwave", "POST /v1/beats:classify (1 beat)", 8, 2, hw["classify c8"]),
        ("heartwave", "POST /predict", 1, 1, hw["predict c1"]),
        ("heartwave", "POST /predict", 8, 2, hw["predict c8"])]
for c in (1, 8):
    if f"predict c{c}" in peer:
        rows.append(("python peer (FastAPI, xgb)", "POST /predict", c, 1, peer[f"predict c{c}"]))
times = [l.split() for l in open(os.path.join(out, "analyze-times.txt")) if l.strip()]
timed = [float(t[1]) for t in times if t[0] != "0"]
server_timed = [float(t[2]) for t in times if t[0] != "0" and len(t) > 2 and t[2]]
a = json.load(open(os.path.join(out, "analyze-100.json")))
L = []
L.append(f"host: {host}; {meta['version']}; wrk {duration} s per configuration")
L.append("")
L.append("| server | route | connections | wrk threads | requests/s | p50 ms | p99 ms | non-2xx/errors |")
L.append("|---|---|---|---|---|---|---|---|")
for srv, route, c, t, r in rows:
    L.append(f"| {srv} | {route} | {c} | {t} | {r['requests_per_s']:,.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['non_ok']} |")
L.append("")
if any(38 <= r["p50_ms"] <= 50 for srv, _, c, _, r in rows if srv == "heartwave"):
    L.append("**heartwave's median latency is about 40 ms**, the signature of Nagle's algorithm meeting the client's "
             "delayed ACK (the answer written in two pieces on a socket without TCP_NODELAY): the server should "
             "call httplib::Server::set_tcp_nodelay(true).")
    L.append("")
if "predict c8" in peer:
    ratio = hw["predict c8"]["requests_per_s"] / peer["predict c8"]["requests_per_s"]
    L.append(f"/predict throughput at 8 connections, heartwave / peer: **{ratio:.1f}x** (target >= 30x: {'met' if ratio >= 30 else 'NOT met'})")
    if "predict c1" in peer:
        L.append(f"/predict throughput at 1 connection, heartwave / peer: {hw['predict c1']['requests_per_s'] / peer['predict c1']['requests_per_s']:.1f}x")
else:
    L.append(f"/predict ratio to the peer: not measured ({peer_note or 'no peer results'})")
c8 = hw["classify c8"]
ok = c8["requests_per_s"] >= 5000 and c8["p99_ms"] <= 5
L.append(f"single-beat classify at 8 connections: {c8['requests_per_s']:,.0f} req/s, p99 {c8['p99_ms']:.2f} ms "
         f"(target >= 5,000 req/s with p99 <= 5 ms: {'met' if ok else 'NOT met'})")
L.append("")
L.append(f"POST /v1/records:analyze, MIT-BIH record 100 (30 min, 2 leads, {os.path.getsize(os.path.join(out, 'record100.json')) / 1e6:.1f} MB JSON): "
         f"median {statistics.median(timed):.3f} s over {len(timed)} runs (min {min(timed):.3f}, max {max(timed):.3f}; "
         f"first, untimed run {float(times[0][1]):.3f} s)"
         + (f"; server's own timing.seconds median {statistics.median(server_timed):.3f} s" if server_timed else ""))
L.append(f"  answer: {len(a.get('beats', []))} beats, counts {json.dumps(a.get('counts'))}, {len(a.get('episodes', []))} episodes")
L.append(f"server: ready {meta['startup_to_ready_s']} s after start; VmRSS {meta['rss_kb_loaded'] / 1024:.1f} MiB after loading, "
         f"{meta['rss_kb_after_wrk'] / 1024:.1f} MiB after the wrk runs, {meta['rss_kb_after_analyze'] / 1024:.1f} MiB after the analyze runs "
         f"(peak VmHWM {meta['hwm_kb'] / 1024:.1f} MiB)")
if peer_check:
    L.append(f"peer check: {json.dumps(peer_check)}")
text = "\n".join(L)
print(text)
open(os.path.join(out, "report.md"), "w").write(text + "\n")
json.dump(dict(host=host, duration_s=int(duration), heartwave=dict(meta=meta, runs=hw,
               analyze=dict(runs_s=timed, median_s=statistics.median(timed), server_timing_s=server_timed,
                            first_run_s=float(times[0][1]))),
               peer=peer, peer_note=peer_note), open(os.path.join(out, "results.json"), "w"), indent=1)
PY
