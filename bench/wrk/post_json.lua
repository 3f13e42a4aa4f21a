-- wrk script of bench/bench_serve.sh: POSTs one JSON body, read from the file
-- named after `--` on wrk's command line, on every request:
--   wrk -t2 -c8 -d10s -s bench/wrk/post_json.lua http://127.0.0.1:8000/predict -- body.json
-- At the end it prints one line, `WRK_JSON {...}`: the request count, the run's
-- duration, the error counts (status = non-2xx/3xx answers) and latency
-- percentiles in microseconds, which the bench script parses.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
if os.getenv("HEARTWAVE_API_KEY") and os.getenv("HEARTWAVE_API_KEY") ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("HEARTWAVE_API_KEY")
end

function init(args)
  local path = args[1]
  if not path then error("post_json.lua: give the body file after --") end
  local f = assert(io.open(path, "rb"))
  wrk.body = f:read("*a")
  f:close()
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%.0f,"duration_us":%.0f,"bytes":%.0f,' ..
    '"errors":{"connect":%.0f,"read":%.0f,"write":%.0f,"status":%.0f,"timeout":%.0f},' ..
    '"latency_us":{"min":%.0f,"mean":%.1f,"stdev":%.1f,"max":%.0f,' ..
    '"p50":%.0f,"p75":%.0f,"p90":%.0f,"p99":%.0f,"p99.9":%.0f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.stdev, latency.max,
    latency:percentile(50), latency:percentile(75), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9)))
end
