# Load helpers for bench/overload. Sourced after common.sh; OPENLOOP is the generator
# (bench/openloop), LOAD_CPU the CPUs it runs on, PRIO the command that sets its priority
# (nice -n N or chrt -f N).

# openloop_run PORT KEY BODY LOG ARGS...: tollgate-openloop against /v1/chat/completions;
# prints its JSON summary, writes its per-request log to LOG.
openloop_run() {
  local port="$1" key="$2" body="$3" logf="$4"; shift 4
  taskset -c "$LOAD_CPU" "${PRIO[@]}" "$OPENLOOP" --port "$port" --path /v1/chat/completions --body "$body" \
    --header "Authorization: Bearer $key" --header 'Content-Type: application/json' --log "$logf" "$@"
}

# overload_capacity PORT KEY BODY SECONDS CONNECTIONS SUMMARY: closed loop (each connection sends
# its next request when the last is answered); prints the 200s per second.
overload_capacity() {
  local port="$1" key="$2" body="$3" seconds="$4" connections="$5" summary="$6"
  openloop_run "$port" "$key" "$body" /dev/null --closed --seconds "$seconds" --connections "$connections" >"$summary"
  python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(int(s["statuses"].get("200",{}).get("count",0)/s["elapsed"]))' "$summary"
}

# open_loop PORT KEY BODY RATE SECONDS CONNECTIONS LOG SUMMARY: RATE requests per second on a fixed
# schedule over CONNECTIONS keep-alive connections, whatever the answers do.
open_loop() {
  local port="$1" key="$2" body="$3" rate="$4" seconds="$5" connections="$6" logf="$7" summary="$8"
  openloop_run "$port" "$key" "$body" "$logf" --rate "$rate" --seconds "$seconds" --connections "$connections" >"$summary"
}

# new_connection_load PORT KEY BODY RATE SECONDS LOG: the extra phase — RATE new connections per
# second, one request each (h2load --h1 -r): what a crowd of clients without keep-alive does.
# LOG: h2load's per-request log (start µs, status, µs).
new_connection_load() {
  local port="$1" key="$2" body="$3" rate="$4" seconds="$5" logf="$6" total
  total=$((rate * seconds))
  # 10 ms rate periods keep the arrivals even within each second (h2load starts a period's
  # connections at once).
  taskset -c "$LOAD_CPU" "${PRIO[@]}" h2load --h1 -t 1 -r "$(((rate + 99) / 100))" --rate-period 10ms \
    -c "$total" -n "$total" -m 1 --log-file "$logf" -d "$body" -H "Authorization: Bearer $key" \
    -H 'Content-Type: application/json' "http://127.0.0.1:$port/v1/chat/completions" 2>&1 || true
}

# shed_total PORT: tollgate_shed_requests_total over every reason.
shed_total() {
  curl -s "http://127.0.0.1:$1/metrics" |
    awk '/^tollgate_shed_requests_total/ {s += $NF} END {printf "%d\n", s}'
}

# shed_by_reason PORT: "reason=count ..." of tollgate_shed_requests_total.
shed_by_reason() {
  curl -s "http://127.0.0.1:$1/metrics" |
    sed -n 's/^tollgate_shed_requests_total{reason="\([a-z_]*\)"} \([0-9.e+]*\)$/\1=\2/p' | tr '\n' ' '
}

# set_priority PID [ABOVE]: the threads of PID at the priority PRIORITY names: nice:N and
# split:N every thread at niceness N; fifo:N (+ABOVE) the gateway's I/O threads (named tg-io-N)
# or, in any other process, every thread.
set_priority() {
  local task io above="${2:-0}"
  io="$(grep -l '^tg-io-' /proc/"$1"/task/*/comm 2>/dev/null || true)"
  for task in /proc/"$1"/task/*; do
    case "$PRIORITY" in
      nice:*) renice -n "${PRIORITY#nice:}" -p "${task##*/}" >/dev/null ;;
      split:*) renice -n "${PRIORITY#split:}" -p "${task##*/}" >/dev/null ;;
      fifo:*)
        if [[ -z "$io" || "$(cat "$task/comm")" == tg-io-* ]]; then
          chrt -f -p "$((${PRIORITY#fifo:} + above))" "${task##*/}"
        fi ;;
    esac
  done
}

# cpu_steal_ms CPUS: the time the hypervisor has taken from these CPUs (comma-separated list of
# numbers) since boot, in ms (/proc/stat's steal column, in USER_HZ ticks): a vCPU stopped by the
# host stalls everything on it, and nothing on the guest can avoid it.
cpu_steal_ms() {
  local tick
  tick="$(getconf CLK_TCK)"
  awk -v cpus=",$1," -v tick="$tick" '$1 ~ /^cpu[0-9]+$/ && index(cpus, "," substr($1, 4) ",") {s += $9}
    END {printf "%d\n", s * 1000 / tick}' /proc/stat
}

