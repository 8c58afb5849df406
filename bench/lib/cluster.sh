# The cluster scenario (issue #11): 3 Tollgate nodes behind nginx vs 1 node behind nginx, both
# in cluster mode (the 1-node cluster isolates having 3 nodes from having cluster mode on), and
# the plain single gateway (no cluster) behind the same nginx for reference; plus the added
# latency of a node that holds a lease on a key vs the node that owns the key. Sourced by
# bench/run after stack.sh and scenarios.sh; needs nginx, PostgreSQL + Redis and the key API.
#
# Each cluster has its own database (its nodes share it), its own cluster.name and change
# channel on the one Redis, and its own 10 traffic keys made with the same limits as every
# other target's: max_budget 1e9 and rpm_limit 1e9 never bind, but they make every key an
# entity with limits, so every request goes through its node's lease.

declare -A CL_NODES CL_PIDS   # cluster target -> "node names", "node pids"

# start_cluster_node NAME DB CLUSTER [IO_THREADS]: one node of CLUSTER on database DB (already
# created); IO_THREADS sets general_settings.io_threads (default: one per core).
start_cluster_node() {
  local name="$1" db="$2" cluster="$3" io="${4:-}" port
  tollgate_config "$WORK/$name.yaml" "  database_url: postgresql://postgres@127.0.0.1:$PG_PORT/$db
  redis_url: $REDIS_URL${io:+
  io_threads: $io}"
  port="$(free_port)"
  "$ROOT/scripts/cluster-node-yaml" "$name" "127.0.0.1:$port" "$WORK/cluster-certs" \
    "name=$cluster" "change_channel=tollgate:changes:$cluster" >>"$WORK/$name.yaml"
  start_tollgate "$name" "$WORK/$name.yaml"
  T_PORT[$name/mock]=$TG_PORT; T_MODEL[$name/mock]=bench; T_SMODEL[$name]=bench-stream
  T_PORT[$name/peak]=$TG_PORT; T_MODEL[$name/peak]=bench-peak
  T_PID[$name]=$TG_PID; T_DB[$name]="pg:$db"
  TG_TARGETS+=("$name")
}

# cluster_members NAME: how many members NAME's /health/readiness lists (0 when not ready).
cluster_members() {
  curl -s --max-time 2 "http://127.0.0.1:${T_PORT[$1/mock]}/health/readiness" | python3 -c '
import json, sys
try: print(len(json.load(sys.stdin)["cluster"]["members"]))
except (ValueError, KeyError, TypeError): print(0)'
}

# start_cluster TARGET COUNT [IO_THREADS]: COUNT nodes sharing one database, every one seeing
# all COUNT members before anything is measured; the traffic keys are made on the first node.
start_cluster() {
  local target="$1" count="$2" io="${3:-}" db="bench_${1//-/_}" i name nodes=() pids=()
  "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$db"
  for i in $(seq 1 "$count"); do
    name="$target-node$i"
    start_cluster_node "$name" "$db" "bench-$target" "$io"
    nodes+=("$name"); pids+=("$TG_PID")
  done
  for name in "${nodes[@]}"; do
    for i in $(seq 1 300); do
      (( $(cluster_members "$name") == count )) && break
      kill -0 "${T_PID[$name]}" 2>/dev/null || die "$name exited: $(tail -5 "$LOG_DIR/bench-$name.stderr.log")"
      sleep 0.1
    done
    (( $(cluster_members "$name") == count )) || die "$name does not see $count cluster members after 30 s"
  done
  make_keys "$target" "${T_PORT[${nodes[0]}/mock]}" "$TRAFFIC_KEYS" "$WORK/$target.keys"
  CL_NODES[$target]="${nodes[*]}"; CL_PIDS[$target]="${pids[*]}"
  T_KEYS[$target]="$WORK/$target.keys"
  log "cluster $target: $count node(s) on ports $(for n in "${nodes[@]}"; do printf '%s ' "${T_PORT[$n/mock]}"; done)"
}

# cluster_alive TARGET: every node of TARGET still runs.
cluster_alive() {
  local pid
  for pid in ${CL_PIDS[$1]}; do kill -0 "$pid" 2>/dev/null || return 1; done
}

# lease_gauge NODE ROLE: the node's tollgate_cluster_lease_entities{role=ROLE}.
lease_gauge() {
  curl -s --max-time 2 "http://127.0.0.1:${T_PORT[$1/mock]}/metrics" |
    awk -v role="$2" '$1 == "tollgate_cluster_lease_entities{role=\"" role "\"}" {print int($2); found=1}
                      END {if (!found) print 0}'
}

# lease_syncs NODE: lease syncs NODE has sent so far, every outcome.
lease_syncs() {
  curl -s --max-time 2 "http://127.0.0.1:${T_PORT[$1/mock]}/metrics" |
    awk '$1 ~ /^tollgate_cluster_lease_syncs_total[{]/ {n += $2} END {printf "%d\n", n}'
}

# find_owner TARGET KEY: sends one request with KEY (its only entity: "key:<hash>") through the
# cluster's first node before any other traffic, then prints the node whose owner gauge counts
# it. Reading the metric needs no second implementation of the ring.
find_owner() {
  local target="$1" key="$2" first node owners=()
  read -r first _ <<<"${CL_NODES[$target]}"
  curl -s -o /dev/null --max-time 10 "http://127.0.0.1:${T_PORT[$first/mock]}/v1/chat/completions" \
    -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    -d '{"model":"bench","messages":[{"role":"user","content":"Hello"}]}'
  # The gauge is refreshed by each node's lease timer (every 50 ms): poll it for up to 3 s.
  for _ in $(seq 1 60); do
    owners=()
    for node in ${CL_NODES[$target]}; do
      (( $(lease_gauge "$node" owner) > 0 )) && owners+=("$node")
    done
    ((${#owners[@]} == 1)) && break
    sleep 0.05
  done
  ((${#owners[@]} == 1)) || { log "cluster $target: ${#owners[@]} nodes report owning entities after one request"; return 1; }
  echo "${owners[0]}"
}

# prime_cluster TARGET: one request with each traffic key on each node, one after another, so
# every key's owner has taken it over (asking every node for its spend) and every node holds a
# lease on it before anything is measured: a cold start waits on those handovers.
prime_cluster() {
  local node key
  for node in ${CL_NODES[$1]}; do
    while read -r key; do
      curl -s -o /dev/null --max-time 10 "http://127.0.0.1:${T_PORT[$node/mock]}/v1/chat/completions" \
        -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
        -d '{"model":"bench-peak","messages":[{"role":"user","content":"Hello"}]}' || true
    done <"${T_KEYS[$1]}"
  done
}

# record_lease_metrics TARGET: per node, lease syncs by outcome, handovers and the gauges, so
# the report shows that leases were exercised.
record_lease_metrics() {
  local node
  for node in ${CL_NODES[$1]}; do
    record cluster_leases "$node" 0 "$(curl -s --max-time 2 "http://127.0.0.1:${T_PORT[$node/mock]}/metrics" | python3 -c '
import json, re, sys
out = {"syncs": {}, "handovers": 0, "holder": 0, "owner": 0}
for line in sys.stdin:
    m = re.match(r"tollgate_cluster_lease_syncs_total\{outcome=\"(\w+)\"\} (\S+)", line)
    if m: out["syncs"][m.group(1)] = int(float(m.group(2)))
    m = re.match(r"tollgate_cluster_handovers_total (\S+)", line)
    if m: out["handovers"] = int(float(m.group(1)))
    m = re.match(r"tollgate_cluster_lease_entities\{role=\"(\w+)\"\} (\S+)", line)
    if m: out[m.group(1)] = int(float(m.group(2)))
print(json.dumps(out))')"
  done
}

# run_wrk_cluster TARGET UPSTREAM C SECONDS: run_wrk, unless a node of the cluster has died.
run_wrk_cluster() {
  if [[ -n "${CL_PIDS[$1]:-}" ]] && ! cluster_alive "$1"; then
    echo "{\"error\":\"a node of $1 is not running any more\"}"
  else
    run_wrk "$@"
  fi
}

scenario_cluster() {
  local missing=()
  command -v nginx >/dev/null || missing+=(nginx)
  [[ -n "$SERVICES_DIR" ]] || missing+=("PostgreSQL and Redis")
  [[ "$KEY_API" == 1 ]] || missing+=("the key API")
  if ((${#missing[@]})); then
    NOTES+=("the cluster scenario was skipped: it needs ${missing[*]}")
    return 0
  fi
  log "scenario: cluster, 3 nodes vs 1 node behind nginx (c32, ${D_TP}s x $REPS), lease holder vs owner (c1, ${D_LAT}s x $REPS)"
  "$ROOT/scripts/cluster-certs" "$WORK/cluster-certs" cluster-3-node{1,2,3} cluster-1-node1
  # BENCH_CLUSTER_IO_THREADS=N gives each of the 3 nodes N I/O threads (default: one per core,
  # so 3 nodes run 3× the threads of one on the same cores); reported in the run's notes.
  start_cluster cluster-3 3 "${BENCH_CLUSTER_IO_THREADS:-}"
  [[ -n "${BENCH_CLUSTER_IO_THREADS:-}" ]] && NOTES+=("cluster-3 nodes ran with io_threads: $BENCH_CLUSTER_IO_THREADS each")
  start_cluster cluster-1 1

  # One nginx for all three fronts: the same proxy and workers in front of each.
  local dir="$WORK/nginx-cluster" f3 f1 fp backends="" node
  mkdir -p "$dir"
  f3="$(free_port)"; f1="$(free_port)"; fp="$(free_port)"
  for node in ${CL_NODES[cluster-3]}; do backends+="${backends:+,}127.0.0.1:${T_PORT[$node/mock]}"; done
  "$ROOT/scripts/nginx-proxy-conf" "$dir" "$NGINX_WORKERS" "$f3=$backends" \
    "$f1=127.0.0.1:${T_PORT[cluster-1-node1/mock]}" "$fp=127.0.0.1:${T_PORT[tollgate-pg/mock]}"
  nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" 2>"$dir/stderr" &
  local nginx_pid=$!; track "$nginx_pid"
  wait_http "$fp" /health/liveliness 10 || die "cluster nginx did not start: $(cat "$dir/stderr" "$dir/error.log" 2>/dev/null)"
  local t
  for t in cluster-3:$f3 cluster-1:$f1 tollgate-pg+nginx:$fp; do
    T_PORT[${t%%:*}/peak]=${t#*:}; T_MODEL[${t%%:*}/peak]=bench-peak; T_PID[${t%%:*}]=$nginx_pid
  done
  T_KEYS[tollgate-pg+nginx]="${T_KEYS[tollgate-pg]}"
  CLUSTER_TARGETS=(cluster-3 cluster-1 tollgate-pg+nginx)

  # The lease pair: one key, straight to its owner and to a node holding a lease on it.
  local probe owner holder
  probe="$(head -1 "$WORK/cluster-3.keys")"
  echo "$probe" >"$WORK/cluster-probe.keys"
  owner="$(find_owner cluster-3 "$probe")" || die "cluster-3: could not tell the owner of the probe key"
  for node in ${CL_NODES[cluster-3]}; do [[ "$node" != "$owner" ]] && { holder="$node"; break; }; done
  T_PORT[lease-owner/mock]=${T_PORT[$owner/mock]}; T_PORT[lease-holder/mock]=${T_PORT[$holder/mock]}
  for t in lease-owner lease-holder; do
    T_MODEL[$t/mock]=bench; T_KEYS[$t]="$WORK/cluster-probe.keys"
  done
  T_PID[lease-owner]=${T_PID[$owner]}; T_PID[lease-holder]=${T_PID[$holder]}
  LEASE_PAIR="$owner $holder"
  log "cluster-3: the probe key's owner is $owner; $holder holds a lease on it"

  prime_cluster cluster-3
  prime_cluster cluster-1
  if ((D_WARM > 0)); then
    for t in "${CLUSTER_TARGETS[@]}"; do run_wrk_cluster "$t" peak 32 "$D_WARM" >/dev/null; done
    for t in lease-owner lease-holder; do run_wrk "$t" mock 1 "$D_WARM" >/dev/null; done
  fi
  # The holder's syncs per request tell whether its lease spares it the round trip to the owner.
  # Twice the repetitions, the order alternating, as the pair differs by a few µs at most while
  # one 4 s run of either moves by tens on this shared machine (bench/optimizations.md, "Cluster").
  local rep syncs_before data syncs=0 requests=0 pair
  for rep in $(seq 1 $((REPS * 2))); do
    pair="lease-owner lease-holder"
    ((rep % 2)) || pair="lease-holder lease-owner"
    for t in $pair; do
      syncs_before="$(lease_syncs "$holder")"
      data="$(run_wrk "$t" mock 1 "$D_LAT")"
      record cluster_lease_c1 "$t" "$rep" "$data"
      if [[ "$t" == lease-holder ]]; then
        syncs=$((syncs + $(lease_syncs "$holder") - syncs_before))
        requests=$((requests + $(python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get("requests", 0))' "$data")))
      fi
    done
  done
  record cluster_holder_syncs lease-holder 0 "{\"syncs\":$syncs,\"holder_requests\":$requests}"
  for rep in $(seq 1 "$REPS"); do
    for t in "${CLUSTER_TARGETS[@]}"; do
      record cluster_c32 "$t" "$rep" "$(run_wrk_cluster "$t" peak 32 "$D_TP")"
    done
  done
  record_lease_metrics cluster-3
  record_lease_metrics cluster-1
}
CLUSTER_TARGETS=()
LEASE_PAIR=""
