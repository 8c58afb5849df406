#!/usr/bin/env python3
"""Turns one bench/run invocation's raw figures into the Markdown report and the console
summary, and judges the targets from ARCHITECTURE.md's performance budget.

  report.py WORK_DIR OUT.md [--check]

WORK_DIR holds results.jsonl (one measurement a line), meta.json (settings, notes),
commands.txt and profile.txt. Every figure is the median over the repetitions with its spread
(min-max); every comparison ("added", ratios) is computed within a repetition first (the
targets were measured back to back) and then summarised the same way. --check exits 1 when any
measurement produced no numbers (the smoke test's criterion).
"""
import json
import os
import platform
import re
import statistics
import subprocess
import sys
from collections import defaultdict

WORK, OUT = sys.argv[1], sys.argv[2]
CHECK = "--check" in sys.argv[3:]

meta = json.load(open(os.path.join(WORK, "meta.json")))
by = defaultdict(dict)  # (scenario, target) -> {rep: data}
failures = []
results = []
for number, line in enumerate(open(os.path.join(WORK, "results.jsonl")), 1):
    if not line.strip():
        continue
    try:
        results.append(json.loads(line))
    except json.JSONDecodeError as e:  # a bench script bug: named in the report, not a traceback
        failures.append(("results.jsonl", f"line {number}", 0, f"unparsable ({e}): {line.strip()[:200]}"))
for r in results:
    d = r["data"]
    bad = "error" in d
    if not bad and "requests" in d and "err_status" in d:
        bad = d["requests"] == 0 or d["err_status"] > 0 or d["err_connect"] > 0
    if bad:
        failures.append((r["scenario"], r["target"], r["rep"], d.get("error") or
                         f"requests={d.get('requests')} non-2xx={d.get('err_status')} connect-errors={d.get('err_connect')}"))
        continue
    by[(r["scenario"], r["target"])][r["rep"]] = d

TOLLGATES = [t for t in meta["targets"] if t.startswith("tollgate-")]


def summary(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return statistics.median(values), min(values), max(values), len(values)


def fig(scenario, target, field):
    return summary([d.get(field) for d in by.get((scenario, target), {}).values()])


def paired(scenario, a, b, fn):
    """Per-repetition fn(data_a, data_b), summarised."""
    da, db = by.get((scenario, a), {}), by.get((scenario, b), {})
    return summary([fn(da[r], db[r]) for r in sorted(set(da) & set(db))])


def fmt(s, unit="", digits=0):
    if s is None:
        return "n/a", "", ""
    med, lo, hi, n = s
    f = f"{{:,.{digits}f}}"
    return f.format(med) + unit, f"{f.format(lo)}–{f.format(hi)}", str(n)


rows = []  # (section, target, metric, median, spread, n)


def add(section, target, metric, s, unit="", digits=0):
    m, sp, n = fmt(s, unit, digits)
    rows.append((section, target, metric, m, sp, n))


verdicts = []  # (target text, subject, value text, pass?)


def judge(name, subject, s, limit, higher_is_better, unit, digits=0):
    if s is None:
        if not meta.get("only"):  # a run of only some scenarios judges only those
            verdicts.append((name, subject, "n/a", None))
        return
    ok = s[0] >= limit if higher_is_better else s[0] <= limit
    verdicts.append((name, subject, f"{s[0]:,.{digits}f}{unit}", ok))


targets = meta["targets"]
lat_delta = lambda field: (lambda t, d: t[field] - d[field])

# --- one request at a time
for t in targets:
    add("one at a time (c1), mock upstream", t, "p50 latency", fig("latency_c1", t, "p50_us"), " µs")
    add("one at a time (c1), mock upstream", t, "p99 latency", fig("latency_c1", t, "p99_us"), " µs")
    if t != "direct":
        add("one at a time (c1), mock upstream", t, "added p50 (vs direct)",
            paired("latency_c1", t, "direct", lat_delta("p50_us")), " µs")
        add("one at a time (c1), mock upstream", t, "added p99 (vs direct)",
            paired("latency_c1", t, "direct", lat_delta("p99_us")), " µs")

# --- throughput
for c in (32, 256):
    sc = f"throughput_c{c}"
    sec = f"closed loop, {c} connections, {meta['peak_upstream']} upstream"
    for t in targets:
        add(sec, t, "requests/s", fig(sc, t, "rps"))
        for p in ("p50", "p99", "p999"):
            add(sec, t, f"{p} latency", fig(sc, t, f"{p}_us"), " µs")
        if t != "direct":
            add(sec, t, "added p99 (vs direct)", paired(sc, t, "direct", lat_delta("p99_us")), " µs")
        add(sec, t, "peak RSS during the run", fig(f"memory_load_c{c}", t, "rss_kb"), " KiB")

# --- streaming
def ttfb_added(t, d):
    return t["ttfb_us"] - d["ttfb_us"]


def chunk_added(t, d):
    # Each stream is paced by the mock's own timer, so absolute arrival times of event i in two
    # different streams differ by that timer's jitter (milliseconds on a loaded machine); the
    # gap between consecutive events is what a relay that holds or batches events changes.
    return t["gap_p50_us"] - d["gap_p50_us"]


for t in targets:
    sec = "streaming, 20 events 10 ms apart (mock)"
    add(sec, t, "time to first body byte", fig("streaming", t, "ttfb_us"), " µs")
    add(sec, t, "gap between events, median", fig("streaming", t, "gap_p50_us"), " µs")
    add(sec, t, "gap between events, max", fig("streaming", t, "gap_max_us"), " µs")
    add(sec, t, "events per stream", fig("streaming", t, "events"))
    if t != "direct":
        add(sec, t, "added TTFB (vs direct)", paired("streaming", t, "direct", ttfb_added), " µs")
        add(sec, t, "added per-event delay (median gap between events minus direct's)", paired("streaming", t, "direct", chunk_added), " µs")

# --- provider plug-ins: the same call translated to Bedrock Converse vs passed through to OpenAI
for t in TOLLGATES:
    if (("provider_c1", t + "/bedrock")) not in by:
        continue
    sec = "Bedrock-translated vs OpenAI pass-through call, one at a time (c1), mock upstream"
    for wire in ("openai", "bedrock"):
        add(sec, f"{t} → {wire}", "p50 latency", fig("provider_c1", f"{t}/{wire}", "p50_us"), " µs")
        add(sec, f"{t} → {wire}", "p99 latency", fig("provider_c1", f"{t}/{wire}", "p99_us"), " µs")
    add(sec, t, "added p50, Bedrock − OpenAI",
        paired("provider_c1", t + "/bedrock", t + "/openai", lat_delta("p50_us")), " µs")

# --- keys
bulk = meta.get("bulk_keys")
key_pairs = [(t, t + "-bulk") for t in TOLLGATES if any(k == ("keys_c32", t + "-bulk") for k in by)]
for base, big in key_pairs:
    sec = f"keys in the store: 10 vs {bulk:,} (c32, {meta['peak_upstream']} upstream)"
    add(sec, base + " (10 keys)", "requests/s", fig("keys_c32", base, "rps"))
    add(sec, big + f" ({bulk:,} keys)", "requests/s", fig("keys_c32", big, "rps"))
    add(sec, base + " (10 keys)", "p50 latency", fig("keys_c32", base, "p50_us"), " µs")
    add(sec, big + f" ({bulk:,} keys)", "p50 latency", fig("keys_c32", big, "p50_us"), " µs")
    add(sec, big, "RPS ratio bulk / 10 keys", paired("keys_c32", big, base, lambda a, b: a["rps"] / b["rps"]), "", 3)

# --- JWT vs virtual key, same run
jwt_pairs = [(t, t + "-jwt") for t in TOLLGATES if any(k == ("jwt_c32", t + "-jwt") for k in by)]
for base, jwt in jwt_pairs:
    sec = f"JWT vs virtual key (c32, {meta['peak_upstream']} upstream)"
    add(sec, base + " (virtual keys)", "requests/s", fig("jwt_c32", base, "rps"))
    add(sec, jwt + " (RS256 JWTs)", "requests/s", fig("jwt_c32", jwt, "rps"))
    add(sec, base + " (virtual keys)", "p50 latency", fig("jwt_c32", base, "p50_us"), " µs")
    add(sec, jwt + " (RS256 JWTs)", "p50 latency", fig("jwt_c32", jwt, "p50_us"), " µs")
    add(sec, jwt, "RPS ratio JWT / virtual key", paired("jwt_c32", jwt, base, lambda a, b: a["rps"] / b["rps"]), "", 3)

# --- cluster: 3 nodes vs 1 node behind nginx, and a lease holder vs the key's owner
cluster_targets = meta.get("cluster_targets", [])
for t in cluster_targets:
    sec = f"cluster, closed loop, 32 connections through nginx, {meta['peak_upstream']} upstream"
    add(sec, t, "requests/s", fig("cluster_c32", t, "rps"))
    for p in ("p50", "p99"):
        add(sec, t, f"{p} latency", fig("cluster_c32", t, f"{p}_us"), " µs")
lease_pair = meta.get("lease_pair", [])
for t, node in zip(("lease-owner", "lease-holder"), lease_pair):
    sec = "cluster-3, one key, one request at a time (c1) straight to a node, mock upstream"
    add(sec, f"{t} ({node})", "p50 latency", fig("cluster_lease_c1", t, "p50_us"), " µs")
    add(sec, f"{t} ({node})", "p99 latency", fig("cluster_lease_c1", t, "p99_us"), " µs")
if lease_pair:
    add(sec, "lease-holder", "added p50 (vs owner)",
        paired("cluster_lease_c1", "lease-holder", "lease-owner", lat_delta("p50_us")), " µs")
    add(sec, "lease-holder", "added p99 (vs owner)",
        paired("cluster_lease_c1", "lease-holder", "lease-owner", lat_delta("p99_us")), " µs")
    d = by.get(("cluster_holder_syncs", "lease-holder"), {}).get(0)
    if d and d["holder_requests"]:
        rows.append((sec, "lease-holder", "lease syncs it sent per request (1 = a round trip to the owner each)",
                     f"{d['syncs'] / d['holder_requests']:.3f}", f"{d['syncs']:,} / {d['holder_requests']:,}", "1"))

# --- memory
for t in targets + meta.get("extra_rss", []):
    add("memory (VmRSS)", t, "idle, after start-up", fig("memory_idle", t, "rss_kb"), " KiB")
for t in targets:
    add("memory (VmRSS)", t, "peak under c256 load", summary([d["rss_kb"] for d in by.get(("memory_load_c256", t), {}).values()]), " KiB")
for t in [t for t in targets if ("memory_split_c256", t) in by]:
    # Where the RSS is: anonymous (heap, stacks) vs file-backed (the binary and its libraries,
    # counted once per process: nginx's workers each count theirs).
    for part, field in (("anonymous", "anon_kb"), ("file-backed", "file_kb")):
        add("memory (VmRSS)", t, f"{part} at the end of the c256 run", fig("memory_split_c256", t, field), " KiB")
for c in (32, 256):
    for t in [t for t in targets if (f"spend_backlog_c{c}", t) in by]:
        # What a closed-loop run left for its store to write after it (bench/lib/scenarios.sh,
        # settle_spend): work the run's RPS did not pay for, waited out before the next target.
        add("spend writer", t, f"rows not yet in the store at the end of the c{c} run",
            fig(f"spend_backlog_c{c}", t, "rows"), "")
        add("spend writer", t, f"time for the store to take them (c{c})",
            fig(f"spend_backlog_c{c}", t, "waited_ms"), " ms")
for base, big in key_pairs:
    d = by.get(("memory_keys", big), {}).get(0)
    if d:
        per = (d["after_kb"] - d["before_kb"]) * 100000 / d["keys"]
        add("memory (VmRSS)", big, f"before / after caching {d['keys']:,} keys",
            None, "")
        rows[-1] = ("memory (VmRSS)", big, f"before / after caching {d['keys']:,} keys",
                    f"{d['before_kb']:,} / {d['after_kb']:,} KiB", "", "1")
        rows.append(("memory (VmRSS)", big, "per 100,000 cached keys", f"{per:,.0f} KiB", "", "1"))

# --- ratios and targets
ratios = []
for t in TOLLGATES:
    for c in (32, 256):
        sc = f"throughput_c{c}"
        for other in ("nginx", "portkey"):
            if other in targets:
                s = paired(sc, t, other, lambda a, b: a["rps"] / b["rps"])
                ratios.append((f"{t} / {other}", f"RPS at c{c}", s))
                if other == "nginx":
                    judge(f"RPS ≥ 0.6 × nginx proxy_pass (c{c})", t, s, 0.6, True, "×", 2)
    if "nginx" in targets:
        # Issue #15's memory goal: under 256 connections, at most twice nginx's RSS plus the
        # configured caches (the c256 runs use the 10 traffic keys: a few KiB of cache).
        rss = lambda a, b: a["rss_kb"] / b["rss_kb"] if a.get("rss_kb") and b.get("rss_kb") else None
        s = paired("memory_load_c256", t, "nginx", rss)
        ratios.append((f"{t} / nginx", "peak RSS at c256 (lower is better)", s))
        judge("RSS at c256 ≤ 2 × nginx's (+ caches)", t, s, 2.0, False, "×", 2)
    if "portkey" in targets:
        s = paired("latency_c1", t, "portkey", lambda a, b: a["p50_us"] / b["p50_us"])
        ratios.append((f"{t} / portkey", "p50 latency at c1 (lower is better)", s))
    judge("added p50 one at a time ≤ 50 µs", t, paired("latency_c1", t, "direct", lat_delta("p50_us")), 50, False, " µs")
    judge("added p99 at 32 connections ≤ 1 ms", t, paired("throughput_c32", t, "direct", lat_delta("p99_us")), 1000, False, " µs")
    judge("streaming added TTFB ≤ 100 µs", t, paired("streaming", t, "direct", ttfb_added), 100, False, " µs")
    if (t, t + "-bulk") in key_pairs:
        judge(f"10 vs {bulk:,} keys: RPS within 10%", t,
              paired("keys_c32", t + "-bulk", t, lambda a, b: a["rps"] / b["rps"]), 0.9, True, "×", 3)

rps_ratio = lambda a, b: a["rps"] / b["rps"]
for base, jwt in jwt_pairs:
    ratios.append((f"{jwt} / {base}", "RPS at c32, JWT / virtual key", paired("jwt_c32", jwt, base, rps_ratio)))
if "cluster-3" in cluster_targets:
    s = paired("cluster_c32", "cluster-3", "cluster-1", rps_ratio)
    ratios.append(("cluster-3 / cluster-1", "RPS at c32 through nginx", s))
    judge("cluster: 3 nodes ≥ 0.85 × 1 node, RPS (c32 via nginx)", "cluster-3 / cluster-1", s, 0.85, True, "×", 2)
    ratios.append(("cluster-1 / tollgate-pg+nginx", "RPS at c32 through nginx (cost of cluster mode)",
                   paired("cluster_c32", "cluster-1", "tollgate-pg+nginx", rps_ratio)))
if lease_pair:
    judge("cluster: lease holder added p50 vs owner ≤ 5 µs (c1)", "lease-holder − lease-owner",
          paired("cluster_lease_c1", "lease-holder", "lease-owner", lat_delta("p50_us")), 5, False, " µs")

if meta.get("only"):  # a run of only some scenarios: no n/a rows for the others
    ratios = [r for r in ratios if r[2] is not None]

# --- machine and versions
def sh(cmd):
    try:
        p = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=20)
        return (p.stdout + p.stderr).strip().splitlines()[0] if (p.stdout + p.stderr).strip() else "n/a"
    except Exception:
        return "n/a"


cpu = "n/a"
for line in open("/proc/cpuinfo"):
    if line.startswith("model name"):
        cpu = line.split(":", 1)[1].strip()
        break
mem = next((f"{int(l.split()[1]) / 1024 / 1024:.1f} GiB" for l in open("/proc/meminfo") if l.startswith("MemTotal")), "n/a")

md = []
w = md.append
w(f"# Tollgate benchmark — {meta['date']}")
w("")
only = f" --only {meta['only']}" if meta.get("only") else ""
w(f"Generated by `bench/run{' --smoke' if meta['mode'] == 'smoke' else ''}{only}` in {meta['elapsed_s']} s. "
  "Every figure: median of the repetitions, spread = min–max, n = repetitions. Comparisons "
  "(\"added\", ratios) are taken within each repetition and then summarised: the machine is shared "
  "and noisy, so only figures from this one invocation are compared with each other.")
w("")
w("## Headline")
w("")
w("| comparison | figure | median | spread | n |")
w("|---|---|---|---|---|")
for who, what, s in ratios:
    m, sp, n = fmt(s, "×", 2)
    w(f"| {who} | {what} | {m} | {sp} | {n} |")
w("")
def cell(s, unit="", digits=0):
    return fmt(s, unit, digits)[0]


w("| target | c1 p50 | added p50 (c1) | added p99 (c1) | RPS c32 | p99 c32 | added p99 c32 | RPS c256 | p99 c256 | added TTFB (stream) | RSS idle / c256 |")
w("|---|---|---|---|---|---|---|---|---|---|---|")
for t in targets:
    direct = t == "direct"
    w("| " + " | ".join([
        t,
        cell(fig("latency_c1", t, "p50_us"), " µs"),
        "—" if direct else cell(paired("latency_c1", t, "direct", lat_delta("p50_us")), " µs"),
        "—" if direct else cell(paired("latency_c1", t, "direct", lat_delta("p99_us")), " µs"),
        cell(fig("throughput_c32", t, "rps")),
        cell(fig("throughput_c32", t, "p99_us"), " µs"),
        "—" if direct else cell(paired("throughput_c32", t, "direct", lat_delta("p99_us")), " µs"),
        cell(fig("throughput_c256", t, "rps")),
        cell(fig("throughput_c256", t, "p99_us"), " µs"),
        "—" if direct else cell(paired("streaming", t, "direct", ttfb_added), " µs"),
        f"{cell(fig('memory_idle', t, 'rss_kb'), digits=0)} / {cell(summary([d['rss_kb'] for d in by.get(('memory_load_c256', t), {}).values()]))} KiB",
    ]) + " |")
w("")
w("(medians; `direct` = the upstream itself: tollgate-mock for c1 and streaming, the peak upstream for c32/c256)")
w("")
w("| target (ARCHITECTURE.md) | gateway | measured | verdict |")
w("|---|---|---|---|")
for name, subject, value, ok in verdicts:
    w(f"| {name} | {subject} | {value} | {'pass' if ok else 'FAIL' if ok is not None else 'n/a'} |")
w("")
if meta.get("notes"):
    w("Notes:")
    for n in meta["notes"]:
        w(f"- {n}")
    w("")
if failures:
    w("Measurements that produced no usable numbers:")
    for f in failures:
        w(f"- {f[0]} / {f[1]} / rep {f[2]}: {str(f[3])[:200]}")
    w("")

w("## Machine")
w("")
w(f"- CPU: {cpu}, {os.cpu_count()} cores (`nproc`); RAM: {mem}; kernel {platform.release()}")
w(f"- OS: {sh('. /etc/os-release && echo $PRETTY_NAME')}")
w(f"- load average (1/5/15 min) at start: {meta.get('load_start', '?')}, at the end: {meta.get('load_end', '?')} "
  "— the machine is shared; anything above what this benchmark itself puts on it is other work")
w("")
w("## Versions")
w("")
for label, cmd in [("tollgate", f"cd {meta['root']} && git rev-parse --short HEAD && git log -1 --format=%s | cut -c1-80"),
                   ("nginx", "nginx -v"), ("node", "node -v"), ("wrk", "wrk -v"),
                   ("valgrind", "valgrind --version"), ("PostgreSQL", "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/postgres --version"),
                   ("python3", "python3 --version")]:
    w(f"- {label}: {sh(cmd)}")
dirty = sh(f"cd {meta['root']} && git status --porcelain -- . ':!bench' | wc -l")
w(f"- tollgate working tree: {'clean' if dirty.strip() == '0' else dirty.strip() + ' changed files outside bench/ (measured as built)'}")
pk = os.path.join(meta["root"], "bench/portkey/node_modules/@portkey-ai/gateway/package.json")
hono = os.path.join(meta["root"], "bench/portkey/node_modules/@hono/node-server/package.json")
if os.path.exists(pk):
    w(f"- Portkey: @portkey-ai/gateway {json.load(open(pk))['version']}, @hono/node-server "
      f"{json.load(open(hono))['version'] if os.path.exists(hono) else '?'} (npm overrides; see the reference note)")
w("")
w("## Set-up")
w("")
for line in meta["setup"]:
    w(f"- {line}")
w("")
w("## Every figure")
w("")
w("| scenario | target | figure | median | spread | n |")
w("|---|---|---|---|---|---|")
for sec, t, metric, m, sp, n in rows:
    w(f"| {sec} | {t} | {metric} | {m} | {sp} | {n} |")
w("")

feats = {t: by.get(("features", t), {}).get(0) for t in meta.get("tollgate_all", TOLLGATES)}
if any(feats.values()):
    w("## Features observed during the run")
    w("")
    w("| instance | spend-log rows written | deployment cooldowns logged | metric families |")
    w("|---|---|---|---|")
    for t, d in feats.items():
        if d:
            w(f"| {t} | {d.get('spend_log_rows')} | {d.get('cooldowns')} | {len(d.get('metric_families', []))}: "
              f"{', '.join(x.replace('tollgate_', '') for x in d.get('metric_families', []))} |")
    w("")

leases = {k[1]: v.get(0) for k, v in by.items() if k[0] == "cluster_leases"}
if leases:
    w("## Cluster leases during the run")
    w("")
    w("| node | lease syncs sent, by outcome | handovers | entities held (lease) / owned, at the end |")
    w("|---|---|---|---|")
    for node, d in sorted(leases.items()):
        if d:
            syncs = ", ".join(f"{k} {v:,}" for k, v in sorted(d["syncs"].items())) or "none"
            w(f"| {node} | {syncs} | {d['handovers']} | {d['holder']} / {d['owner']} |")
    w("")

w("## Where the time goes")
w("")
prof = os.path.join(WORK, "profile.txt")
if os.path.exists(prof):
    lines = open(prof).read().splitlines()
    if lines:
        w(lines[0].replace("tool: ", "Profiled with ") + ".")
        w("")
        body = [l for l in lines[1:] if l.strip()]
        if any("|" in l for l in body):
            i = 0
            for l in body:
                if l.startswith("## "):
                    kind = l[3:]
                    w("")
                    w(f"Top functions by {kind} cost:" if kind == "self" else
                      f"Where that is called from ({kind}; nested calls count in each caller):")
                    w("")
                    w(f"| # | {kind.split(',')[0]} % | instructions / request | function |")
                    w("|---|---|---|---|")
                    i = 0
                    continue
                pct, per, fn = l.split("|", 2)
                if pct == "total":
                    w(f"| | | {per} | {fn} |")
                else:
                    i += 1
                    w(f"| {i} | {pct} | {per} | `{fn}` |")
        else:
            w("```")
            w("\n".join(body))
            w("```")
else:
    w("Not profiled in this run (--smoke).")
w("")
# The optimisation log is written by hand (what changed, the evidence, what it gained) and
# travels with every report, so a reader of the figures sees how they came about.
log_md = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "optimizations.md")
if os.path.exists(log_md):
    text = open(log_md).read().strip().splitlines()
    if text and text[0].startswith("# "):
        text[0] = "## " + text[0][2:]
    md.extend(text)
    w("")
w("## Exact commands")
w("")
w("```")
w(f"bench/run {' '.join(meta['argv'])}".rstrip())
cmds = os.path.join(WORK, "commands.txt")
if os.path.exists(cmds):
    w(open(cmds).read().rstrip())
w("```")
w("")
open(OUT, "w").write("\n".join(md))

# --- console
print(f"bench: report written to {OUT}")
for who, what, s in ratios:
    print(f"  {who:32s} {what:40s} {fmt(s, '×', 2)[0]}")
for name, subject, value, ok in verdicts:
    print(f"  [{'pass' if ok else 'FAIL' if ok is not None else 'n/a '}] {name} — {subject}: {value}")
if failures:
    print(f"bench: {len(failures)} measurement(s) produced no usable numbers:")
    for f in failures:
        print(f"  {f[0]} / {f[1]} / rep {f[2]}: {str(f[3])[:200]}")
if CHECK:
    expected = meta.get("expected_scenarios", [])
    missing = [s for s in expected if not any(k[0] == s for k in by)]
    if missing:
        print(f"bench: scenarios with no numbers at all: {', '.join(missing)}")
    sys.exit(1 if failures or missing else 0)
