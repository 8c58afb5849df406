# The measurements. Sourced by bench/run after stack.sh. Every figure is taken REPS times,
# interleaved across targets (rep 1 of every target, then rep 2, ...) so that a noisy
# neighbour on this shared machine smears over all targets instead of one. Each measurement
# appends one JSON line to $RESULTS; a failed one records {"error": ...} so the report (and
# --smoke) can tell "no numbers" from a slow number.

# note_command TEXT: keeps one example of each exact command for the report.
note_command() { grep -qxF -- "$1" "$WORK/commands.txt" 2>/dev/null || echo "$1" >>"$WORK/commands.txt"; }

# run_wrk TARGET UPSTREAM CONNECTIONS SECONDS [ENV=VALUE...]: prints the JSON figures.
run_wrk() {
  local t="$1" up="$2" c="$3" d="$4"; shift 4
  local port="${T_PORT[$t/$up]}" out line
  if ! alive "$t"; then echo "{\"error\":\"$t is not running any more (exited, or was killed from outside)\"}"; return 0; fi
  local -a envs=(BENCH_MODEL="${T_MODEL[$t/$up]}" BENCH_HEADERS="${T_HEADERS[$t/$up]:-}"
                 BENCH_KEYS="${T_KEYS[$t]}" "$@")
  local cmd="wrk -t1 -c$c -d${d}s --timeout 10s -s bench/wrk/chat.lua http://127.0.0.1:$port"
  note_command "$t/$up: ${envs[*]/#BENCH_KEYS=*/BENCH_KEYS=<keys file>} $cmd"
  out="$(env "${envs[@]}" wrk -t1 -c"$c" -d"${d}s" --timeout 10s -s "$HERE/wrk/chat.lua" \
    "http://127.0.0.1:$port" 2>&1)" || true
  line="$(sed -n 's/^BENCH_JSON //p' <<<"$out")"
  if [[ -z "$line" ]]; then
    line="{\"error\":$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1][-300:]))' "$out")}"
  fi
  echo "$line"
}

memory_idle() {
  local t
  for t in "${TARGETS[@]}" "${EXTRA_RSS[@]}"; do
    record memory_idle "$t" 0 "{\"rss_kb\":$(rss_kb "${T_PID[$t]}")}"
  done
}

# Fills connection pools, caches and Portkey's JIT before anything is recorded.
warm_up() {
  local t
  ((D_WARM > 0)) || return 0
  for t in "${TARGETS[@]}"; do
    run_wrk "$t" mock 32 "$D_WARM" >/dev/null
    run_wrk "$t" peak 32 "$D_WARM" >/dev/null
  done
}

scenario_latency() {
  local rep t
  log "scenario: one request at a time (-c1, ${D_LAT}s x $REPS)"
  for rep in $(seq 1 "$REPS"); do
    for t in "${TARGETS[@]}"; do
      record latency_c1 "$t" "$rep" "$(run_wrk "$t" mock 1 "$D_LAT")"
    done
  done
}

# One request at a time through the SQLite Tollgate to tollgate-mock, the same chat request
# routed to an OpenAI-wire deployment (passed through) and to a Bedrock Converse one (translated
# to Converse, SigV4-signed, the answer translated back): the difference is what the Bedrock
# plug-in adds (with the mock's own difference between the two wire formats, a few µs).
scenario_providers() {
  local rep t=tollgate-sqlite
  log "scenario: Bedrock-translated vs OpenAI pass-through (c1, ${D_LAT}s x $REPS)"
  for rep in $(seq 1 "$REPS"); do
    record provider_c1 "$t/openai" "$rep" "$(run_wrk "$t" mock 1 "$D_LAT")"
    record provider_c1 "$t/bedrock" "$rep" "$(run_wrk "$t" bedrock 1 "$D_LAT")"
  done
}

# spend_backlog NAME: spend-log rows NAME's spend writer holds that its store has not committed
# yet (tollgate_spend_writer_buffered_rows), or -1 when it cannot tell.
spend_backlog() {
  curl -s --max-time 2 -H "Authorization: Bearer $MASTER_KEY" "http://127.0.0.1:${T_PORT[$1/peak]}/metrics" |
    awk '/^tollgate_spend_writer_buffered_rows/ {print int($2); found = 1} END {if (!found) print -1}'
}

# settle_spend NAME: waits (at most 20 s) until NAME's store has every spend row of the run just
# taken, and prints how many were still waiting and how long the store took. A closed-loop run
# can leave most of its rows unwritten (PostgreSQL at c32: 86k of 98k, ~1 CPU-second of the
# store's and the writer's work): waited for here, that work is neither missing from the
# gateway's figure nor charged to the next target's run.
settle_spend() {
  local name="$1" rows left start now
  start=$(date +%s%N)
  rows="$(spend_backlog "$name")"
  left=$rows now=$start
  while ((left > 0 && now - start < 20000000000)); do
    sleep 0.1
    left="$(spend_backlog "$name")"
    now=$(date +%s%N)
  done
  echo "{\"rows\":$rows,\"left\":$left,\"waited_ms\":$(((now - start) / 1000000))}"
}

# scenario_throughput CONNECTIONS: closed loop against the peak upstream; RSS sampled at 256.
scenario_throughput() {
  local c="$1" rep t sampler rss
  log "scenario: closed-loop throughput, $c connections (${D_TP}s x $REPS)"
  for rep in $(seq 1 "$REPS"); do
    for t in "${TARGETS[@]}"; do
      sample_rss_max "${T_PID[$t]}" "$WORK/rss.max" &
      sampler=$!
      record "throughput_c$c" "$t" "$rep" "$(run_wrk "$t" peak "$c" "$D_TP")"
      kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
      rss="$(cat "$WORK/rss.max" 2>/dev/null || true)"
      record "memory_load_c$c" "$t" "$rep" "{\"rss_kb\":${rss:-null}}"
      if ((c == 256)); then record memory_split_c256 "$t" "$rep" "$(rss_split_json "${T_PID[$t]}")"; fi
      if [[ " ${TG_TARGETS[*]} " == *" $t "* ]]; then record "spend_backlog_c$c" "$t" "$rep" "$(settle_spend "$t")"; fi
    done
  done
}

scenario_streaming() {
  local rep t out hdr
  log "scenario: streaming, 20 events 10 ms apart ($STREAM_REQUESTS requests x $REPS)"
  for rep in $(seq 1 "$REPS"); do
    for t in "${TARGETS[@]}"; do
      local -a args=(--port "${T_PORT[$t/mock]}" --model "${T_SMODEL[$t]}" --key "$(head -1 "${T_KEYS[$t]}")"
                     --requests "$STREAM_REQUESTS" --warmup 2)
      if [[ -n "${T_HEADERS[$t/mock]:-}" ]]; then
        IFS='|' read -ra hdr <<<"${T_HEADERS[$t/mock]}"
        local h; for h in "${hdr[@]}"; do args+=(--header "$h"); done
      fi
      note_command "$t: python3 bench/lib/stream_client.py ${args[*]/#sk-*/<key>}"
      if ! alive "$t"; then
        record streaming "$t" "$rep" "{\"error\":\"$t is not running any more\"}"
      elif out="$(python3 "$HERE/lib/stream_client.py" "${args[@]}" 2>&1)"; then
        record streaming "$t" "$rep" "$out"
      else
        record streaming "$t" "$rep" "{\"error\":$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1][-300:]))' "$out")}"
      fi
    done
  done
}

mock_requests() {
  curl -s --max-time 5 "http://127.0.0.1:$MOCK_PORT/_mock/stats" |
    python3 -c 'import json,sys
try: print(json.load(sys.stdin)["requests"])
except ValueError: print(-1)'
}

# fill_store NAME: writes BULK_KEYS keys straight into NAME's store.
fill_store() {
  local name="$1" db="${T_DB[$1]}"
  case "$db" in
    sqlite:*) python3 "$HERE/lib/keys.py" sqlite "${db#sqlite:}" "$WORK/bulk.keys" ;;
    pg:*) python3 "$HERE/lib/keys.py" pg-csv "$WORK/bulk.keys" |
            psql_bench "${db#pg:}" -c "\\copy keys($(python3 "$HERE/lib/keys.py" columns)) from stdin csv" ;;
  esac
}

# warm_key_cache NAME: sends one request with each bulk key (and the 10 traffic keys), so the
# instance's key cache holds all of them; wrk's own duration is only an upper bound, the
# mock's request counter says when every key has been seen.
warm_key_cache() {
  local name="$1" start target pid i
  cat "$WORK/bulk.keys" "${T_KEYS[$name]}" >"$WORK/$name.warm.keys"
  start="$(mock_requests)"
  target=$((start + $(wc -l <"$WORK/$name.warm.keys") - 64))
  BENCH_MODEL=bench BENCH_KEYS="$WORK/$name.warm.keys" BENCH_ONCE=1 \
    wrk -t1 -c32 -d300s --timeout 10s -s "$HERE/wrk/chat.lua" "http://127.0.0.1:${T_PORT[$name/mock]}" \
    >"$WORK/$name.warm.out" 2>&1 &
  pid=$!; track "$pid"
  for i in $(seq 1 3000); do
    (( $(mock_requests) >= target )) && break
    alive "$name" && alive direct || break
    sleep 0.1
  done
  sleep 0.5  # the last in-flight answers
  kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  (( $(mock_requests) >= target )) || log "warning: $name key cache warm-up did not finish"
}

# 10 keys vs BULK_KEYS+10 keys in the store: twin instances of each store, the same 10
# traffic keys each, figures interleaved so drift hits both alike.
scenario_keys() {
  local stores=() s big before after rep t pairs=()
  [[ "$KEY_API" == 1 ]] || { NOTES+=("no key API: the 10-vs-100k-keys scenario was skipped"); return 0; }
  log "scenario: 10 keys vs $BULK_KEYS keys in the store"
  python3 "$HERE/lib/keys.py" generate "$BULK_KEYS" "$WORK/bulk.keys"
  for s in "${TG_STORES[@]}"; do
    big="tollgate-$s-bulk"
    add_tollgate "$big" "$s" "bench_${s}_bulk" extra
    fill_store "$big"
    before="$(rss_kb "${T_PID[$big]}")"
    warm_key_cache "$big"
    after="$(rss_kb "${T_PID[$big]}")"
    record memory_keys "$big" 0 "{\"keys\":$BULK_KEYS,\"before_kb\":$before,\"after_kb\":$after}"
    pairs+=("tollgate-$s" "$big")
  done
  # Twice the usual repetitions, shorter: the difference sought (≤10%) is smaller than the
  # drift of this shared machine over a 5-second run.
  for rep in $(seq 1 $((REPS * 2))); do
    for t in "${pairs[@]}"; do
      record keys_c32 "$t" "$rep" "$(run_wrk "$t" peak 32 "$D_KEYS")"
    done
  done
}

# What the run actually exercised, so a reader can tell which gateway features were live:
# spend-log rows written, metric families exposed.
probe_features() {
  local t db n families cooldowns
  for t in "${TG_TARGETS[@]}"; do
    db="${T_DB[$t]}"
    case "$db" in
      sqlite:*) n="$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from spend_logs").fetchone()[0])' "${db#sqlite:}" 2>/dev/null || echo null)" ;;
      pg:*) n="$(psql_bench "${db#pg:}" -tAc 'select count(*) from spend_logs' 2>/dev/null || echo null)" ;;
    esac
    families="$(curl -s "http://127.0.0.1:${T_PORT[$t/mock]}/metrics" | awk '/^# TYPE/ {print $3}' |
      python3 -c 'import json,sys; print(json.dumps(sys.stdin.read().split()))')"
    cooldowns="$(grep -c '"event":"deployment_cooldown"' "$LOG_DIR/bench-$t.log" 2>/dev/null || true)"
    record features "$t" 0 "{\"spend_log_rows\":${n:-null},\"cooldowns\":${cooldowns:-0},\"metric_families\":$families}"
  done
}
