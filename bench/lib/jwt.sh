# The JWT scenario: the same Tollgate (SQLite) twice — callers with virtual keys, and callers
# with RS256 JWTs verified against a JWKS served over loopback — driven alike and interleaved,
# so the ratio is what JWT authentication costs on the hot path (a verified token is cached by
# its hash: docs/jwt.md). Sourced by bench/run after stack.sh.

JWT_TEAM="bench-jwt-team"  # one team per token: as many budget entities as the 10 virtual keys
JWT_AUDIENCE="tollgate-bench"

# start_jwks_server DIR: a static file server for DIR/jwks; sets JWKS_PORT.
start_jwks_server() {
  local dir="$1" pid
  JWKS_PORT="$(free_port)"
  python3 -m http.server "$JWKS_PORT" --bind 127.0.0.1 --directory "$dir/jwks" >"$WORK/jwks.log" 2>&1 &
  pid=$!; track "$pid"
  wait_http "$JWKS_PORT" /jwks.json 10 || die "the JWKS server did not start: $(tail -3 "$WORK/jwks.log")"
}

scenario_jwt() {
  local name=tollgate-sqlite-jwt base=tollgate-sqlite rep t status
  [[ "$KEY_API" == 1 ]] || { NOTES+=("no key API: the JWT vs virtual key scenario was skipped"); return 0; }
  log "scenario: JWT vs virtual key (c32)"
  python3 "$HERE/lib/jwt_tokens.py" "$WORK" "$TRAFFIC_KEYS" "$JWT_TEAM" "$JWT_AUDIENCE"
  start_jwks_server "$WORK"
  tollgate_config "$WORK/$name.yaml" "  sqlite_path: $WORK/bench_sqlite_jwt.db
  enable_jwt_auth: true
  litellm_jwtauth:
    public_key_url: http://127.0.0.1:$JWKS_PORT/jwks.json
    issuer: https://bench.idp
    audience: $JWT_AUDIENCE
    team_id_jwt_field: client_id"
  T_DB[$name]="sqlite:$WORK/bench_sqlite_jwt.db"
  start_tollgate "$name" "$WORK/$name.yaml"
  # The tokens' teams, with limits as generous as the virtual keys' (admission runs, never denies).
  local i
  for i in $(seq 0 $((TRAFFIC_KEYS - 1))); do
    status="$(curl -s -o "$WORK/jwt-team.json" -w '%{http_code}' "http://127.0.0.1:$TG_PORT/team/new" \
      -H "Authorization: Bearer $MASTER_KEY" -H 'Content-Type: application/json' \
      -d "{\"team_id\":\"$JWT_TEAM-$i\",\"max_budget\":1000000000,\"rpm_limit\":1000000000,\"tpm_limit\":1000000000000}")"
    [[ "$status" == 200 ]] || die "/team/new on $name answered $status: $(cat "$WORK/jwt-team.json")"
  done
  T_PORT[$name/mock]=$TG_PORT; T_MODEL[$name/mock]=bench
  T_PORT[$name/peak]=$TG_PORT; T_MODEL[$name/peak]=bench-peak
  T_KEYS[$name]="$WORK/jwt.tokens"; T_PID[$name]=$TG_PID
  TG_TARGETS+=("$name")
  [[ -n "${TOLLGATE_TEST_LOG_DIR:-}" ]] && cat "$WORK/jwt.tokens" >>"$TOLLGATE_TEST_LOG_DIR/secrets.txt"
  log "tollgate $name (sqlite, JWT callers) on $TG_PORT, JWKS on $JWKS_PORT"
  run_wrk "$name" peak 32 1 >/dev/null  # every token verified once, its team loaded
  # Twice the usual repetitions, shorter, as in the keys scenario: the difference sought is
  # smaller than this shared machine's drift over a long run.
  for rep in $(seq 1 $((REPS * 2))); do
    for t in "$base" "$name"; do
      record jwt_c32 "$t" "$rep" "$(run_wrk "$t" peak 32 "$D_KEYS")"
    done
  done
}
