# One profile of the gateway under the c32 throughput load, for the report's "Where the time
# goes". perf samples real time but needs hardware counters, which this kind of VM often does
# not expose (`perf stat -e instructions` says <not supported>); then callgrind counts
# instructions instead: slow (the gateway runs ~50x slower under it), but exact and
# repeatable, and the ranking of functions is what the optimisation work needs.
# Sourced by bench/run; writes $WORK/profile.txt (tool, command, top functions).

perf_usable() {
  perf stat -e instructions -x, true 2>&1 >/dev/null | grep -q '^[0-9]'
}

profile_gateway() {
  local name=tollgate-profile out="$WORK/profile.txt"
  tollgate_config "$WORK/$name.yaml" "  sqlite_path: $WORK/$name.db"
  if command -v perf >/dev/null && perf_usable; then
    log "profile: perf record on tollgate-sqlite under c32 load (${D_PROF}s)"
    local pid="${T_PID[tollgate-sqlite]}"
    BENCH_MODEL=bench-peak BENCH_KEYS="${T_KEYS[tollgate-sqlite]}" \
      wrk -t1 -c32 -d"$((D_PROF + 2))s" -s "$HERE/wrk/chat.lua" "http://127.0.0.1:${T_PORT[tollgate-sqlite/peak]}" >/dev/null 2>&1 &
    local w=$!; track "$w"
    sleep 1
    perf record -F 999 -g -o "$WORK/perf.data" -p "$pid" -- sleep "$D_PROF" >/dev/null 2>&1 || true
    wait "$w" 2>/dev/null || true
    {
      echo "tool: perf record -F 999 -g -p <tollgate pid> -- sleep $D_PROF (self time, by symbol)"
      perf report -i "$WORK/perf.data" --no-children --sort symbol --stdio -q 2>/dev/null |
        grep -E '^ +[0-9.]+%' | head -15
    } >"$out"
    return 0
  fi
  if ! command -v valgrind >/dev/null; then
    echo "tool: none (perf counters unavailable and valgrind not installed)" >"$out"
    return 0
  fi
  log "profile: callgrind on a fresh tollgate (SQLite) under c32 load (${D_PROF}s; slow by design)"
  start_tollgate "$name" "$WORK/$name.yaml" valgrind --tool=callgrind --instr-atstart=no \
    --callgrind-out-file="$WORK/callgrind.out"
  local pid=$TG_PID port=$TG_PORT
  make_keys "$name" "$port" "$TRAFFIC_KEYS" "$WORK/$name.keys"
  local -a envs=(BENCH_MODEL=bench-peak BENCH_KEYS="$WORK/$name.keys")
  env "${envs[@]}" wrk -t1 -c32 -d3s --timeout 30s -s "$HERE/wrk/chat.lua" "http://127.0.0.1:$port" >/dev/null 2>&1 || true
  callgrind_control -i on "$pid" >/dev/null 2>&1 || true
  env "${envs[@]}" wrk -t1 -c32 -d"${D_PROF}s" --timeout 30s -s "$HERE/wrk/chat.lua" \
    "http://127.0.0.1:$port" >"$WORK/profile.wrk" 2>&1 || true
  callgrind_control -i off "$pid" >/dev/null 2>&1 || true
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  local requests
  requests="$(sed -n 's/^BENCH_JSON .*"requests":\([0-9]*\).*/\1/p' "$WORK/profile.wrk")"
  {
    echo "tool: valgrind --tool=callgrind (instructions; self cost by function), ${requests:-?} requests at c32 in ${D_PROF}s under valgrind"
    echo "## self"
    callgrind_annotate --inclusive=no --threshold=100 "$WORK/callgrind.out" 2>/dev/null |
      python3 "$HERE/lib/callgrind_top.py" 15 "${requests:-0}"
    # Self cost lands in malloc and rapidjson; inclusive cost says which of our steps calls them.
    echo "## inclusive, Tollgate functions"
    callgrind_annotate --inclusive=yes --threshold=100 "$WORK/callgrind.out" 2>/dev/null |
      python3 "$HERE/lib/callgrind_top.py" 25 "${requests:-0}" tollgate::
  } >"$out"
}
