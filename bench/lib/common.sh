# Shared helpers for bench/run: logging, waiting for ports, process bookkeeping, RSS.
# Sourced, not executed. Every process bench/run starts is registered in STARTED_PIDS so the
# exit trap stops exactly those, by id.

STARTED_PIDS=()

log() { echo "bench: $*" >&2; }
die() { log "error: $*"; exit 1; }

# Remember a process we started so cleanup() stops it.
track() { STARTED_PIDS+=("$1"); }

cleanup() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${STARTED_PIDS[@]}"; do
    # Give each a moment, then insist (a gateway draining 256 idle connections is not news).
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}

# alive TARGET: its process still runs (the machine is shared; say so rather than measure a corpse).
alive() { kill -0 "${T_PID[$1]}" 2>/dev/null; }

free_port() { "$ROOT/scripts/free-port"; }

# wait_http PORT PATH [SECONDS]: until GET answers with any HTTP status.
wait_http() {
  local port="$1" path="$2" limit="${3:-30}" i
  for i in $(seq 1 $((limit * 20))); do
    if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port$path"; then return 0; fi
    sleep 0.05
  done
  return 1
}

# wait_file FILE [SECONDS]: until FILE is non-empty.
wait_file() {
  local file="$1" limit="${2:-30}" i
  for i in $(seq 1 $((limit * 20))); do [[ -s "$file" ]] && return 0; sleep 0.05; done
  return 1
}

# rss_kb PID: resident set of PID plus its direct children (nginx workers), in KiB.
rss_kb() {
  local total=0 p v
  for p in "$1" $(pgrep -P "$1" 2>/dev/null || true); do
    v="$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || true)"
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

# rss_split_json PID: {"anon_kb":…,"file_kb":…} of PID plus its direct children: the heap and
# stacks apart from the mapped binary and libraries (which nginx's workers each count again).
rss_split_json() {
  local anon=0 file=0 p a f
  for p in "$1" $(pgrep -P "$1" 2>/dev/null || true); do
    a="$(awk '/^RssAnon:/ {print $2}' "/proc/$p/status" 2>/dev/null || true)"
    f="$(awk '/^RssFile:/ {print $2}' "/proc/$p/status" 2>/dev/null || true)"
    anon=$((anon + ${a:-0})); file=$((file + ${f:-0}))
  done
  echo "{\"anon_kb\":$anon,\"file_kb\":$file}"
}

# sample_rss_max PID OUTFILE: runs in the background until killed, keeping the highest RSS
# seen (every 100 ms) in OUTFILE. Each value is written beside OUTFILE and renamed over it, so
# killing the sampler mid-write never leaves OUTFILE empty (CI once recorded {"rss_kb":}).
sample_rss_max() {
  local pid="$1" out="$2" max=0 v
  echo 0 > "$out"
  while kill -0 "$pid" 2>/dev/null; do
    v="$(rss_kb "$pid")"
    if ((v > max)); then max=$v; echo "$max" > "$out.next" && mv -f "$out.next" "$out"; fi
    sleep 0.1
  done
}

# record SCENARIO TARGET REP JSON: one result line.
record() {
  printf '{"scenario":"%s","target":"%s","rep":%s,"data":%s}\n' "$1" "$2" "$3" "$4" >> "$RESULTS"
}
