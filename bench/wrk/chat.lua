-- wrk script: keep-alive POSTs of a small chat completion, the same for every target.
-- Settings come from the environment so one script serves direct, nginx, Tollgate and Portkey:
--   BENCH_PATH      request path (default /v1/chat/completions)
--   BENCH_MODEL     "model" of the body
--   BENCH_STREAM    1 → "stream": true
--   BENCH_HEADERS   extra headers, "Name: value" separated by "|"
--   BENCH_KEYS      file with one bearer token per line; requests rotate over them
--   BENCH_ONCE      1 → each key is sent once, then the thread stops (cache warm-up)
-- Every request string is formatted once in init(), so the client's own per-request cost is
-- the same for every target, whether it rotates over ten keys or sends one.
-- done() prints one JSON line (prefix BENCH_JSON) with the figures bench/run collects.

local requests = {}
local index = 0
local once = os.getenv("BENCH_ONCE") == "1"
local sent = 0

local function read_lines(path)
  local lines = {}
  local f = assert(io.open(path, "r"))
  for line in f:lines() do
    if #line > 0 then lines[#lines + 1] = line end
  end
  f:close()
  return lines
end

function init(args)
  local path = os.getenv("BENCH_PATH") or "/v1/chat/completions"
  local model = os.getenv("BENCH_MODEL") or "mock"
  local stream = os.getenv("BENCH_STREAM") == "1" and ',"stream":true' or ""
  local body = '{"model":"' .. model .. '","messages":[{"role":"user","content":"Hello, how are you?"}]'
    .. stream .. '}'
  local headers = { ["Content-Type"] = "application/json" }
  for pair in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^|]+") do
    local name, value = string.match(pair, "^%s*([^:]+):%s*(.*)$")
    if name then headers[name] = value end
  end
  local keys = { "sk-bench-upstream" }
  if os.getenv("BENCH_KEYS") and os.getenv("BENCH_KEYS") ~= "" then
    keys = read_lines(os.getenv("BENCH_KEYS"))
  end
  for i, key in ipairs(keys) do
    headers["Authorization"] = "Bearer " .. key
    requests[i] = wrk.format("POST", path, headers, body)
  end
end

function request()
  index = index % #requests + 1
  sent = sent + 1
  if once and sent > #requests then
    wrk.thread:stop()
  end
  return requests[index]
end

function done(summary, latency, requests_)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"rps":%.1f,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"p999_us":%d,"mean_us":%.1f,"max_us":%d,' ..
    '"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d}\n',
    summary.requests, summary.duration, summary.bytes,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.mean, latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
