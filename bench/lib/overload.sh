# Load helpers for bench/overload and scripts/soak. Sourced after common.sh.

# overload_capacity PORT KEY BODY SECONDS: closed-loop requests per second (64 keep-alive
# connections, one h2load thread), the 2xx only.
overload_capacity() {
  local port="$1" key="$2" body="$3" seconds="$4" out
  out="$(h2load --h1 -t 1 -c 64 -D "$seconds" --warm-up-time 2 -d "$body" \
    -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    "http://127.0.0.1:$port/v1/chat/completions" 2>&1)"
  python3 - "$seconds" <<PY
import re, sys
text = """$out"""
ok = re.search(r"status codes: (\d+) 2xx", text)
print(int(int(ok.group(1)) / float(sys.argv[1])) if ok else 0)
PY
}

# open_loop PORT KEY BODY RATE SECONDS LOG: RATE new connections per second, one request each,
# for SECONDS, whatever the answers do. LOG: h2load's per-request log (start µs, status, µs).
open_loop() {
  local port="$1" key="$2" body="$3" rate="$4" seconds="$5" logf="$6" total
  total=$((rate * seconds))
  # Rate periods of 10 ms keep the arrivals even within each second (h2load starts a period's
  # connections at once: 100 ms periods made bursts that the in-flight bound refused even unloaded).
  h2load --h1 -t 1 -r "$(((rate + 99) / 100))" --rate-period 10ms -c "$total" -n "$total" -m 1 \
    --log-file "$logf" -d "$body" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    "http://127.0.0.1:$port/v1/chat/completions" 2>&1 || true
}

# shed_total PORT: tollgate_shed_requests_total over every reason.
shed_total() {
  curl -s "http://127.0.0.1:$1/metrics" |
    awk '/^tollgate_shed_requests_total/ {s += $NF} END {printf "%d\n", s}'
}
