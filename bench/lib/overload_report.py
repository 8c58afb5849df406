#!/usr/bin/env python3
"""The Markdown report of bench/overload from tollgate-openloop's summaries and per-request logs."""
import argparse
import datetime
import json
import os
import statistics


def read_log(path):
    """(due or start µs, status, latency µs, wait µs or None, service µs or None) per request:
    tollgate-openloop's log (due, status, latency from due, service from the request's send; status 0:
    connection failed, -1: unanswered; its fifth column is how long the answer's bytes waited at the
    generator's socket after the kernel received them) and h2load's (start, status, duration; no wait,
    no service) alike. Read once: every table comes from these rows."""
    rows = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3:
                wait = int(parts[4]) if len(parts) >= 5 else None
                service = int(parts[3]) if len(parts) >= 5 else None
                rows.append((int(parts[0]), int(parts[1]), int(parts[2]), wait, service))
    return rows


def arrival_p99s(rows):
    """From tollgate-openloop's rows: the p99 of the 200s' latency up to their arrival at the
    generator's socket (the kernel's receive timestamp), and the p99 of the generator's wait to read them."""
    answered = [(latency, wait) for _, status, latency, wait, _ in rows if status == 200 and wait is not None]
    return pct([latency - wait for latency, wait in answered], 0.99), pct([wait for _, wait in answered], 0.99)


def own_p99(rows):
    """From tollgate-openloop's rows: the p99 of the 200s' time from the request's send to the answer's
    arrival at the generator's socket: the gateway's own part, without the generator's delays on either
    side (a generator that stalls sends the requests due meanwhile late, and latency from due charges
    the gateway for that wait: fair under overload, where the wait is for a free connection, but on an
    unloaded gateway it is the generator's)."""
    return pct([service - wait for _, status, _, wait, service in rows if status == 200 and service is not None], 0.99)


def pct(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] / 1000.0


def summary(rows):
    ok = [d for _, s, d, _, _ in rows if s == 200]
    shed = [d for _, s, d, _, _ in rows if s == 503]
    return {
        "total": len(rows),
        "ok": len(ok),
        "shed": len(shed),
        "other": len(rows) - len(ok) - len(shed),
        "p50": pct(ok, 0.50),
        "p99": pct(ok, 0.99),
        "p999": pct(ok, 0.999),
        "shed_p99": pct(shed, 0.99),
    }


def by_window(rows, seconds):
    """Per window of `seconds` (by due time): 200s, 503s, others, p99 of the 200s."""
    windows = {}
    for row in rows:
        windows.setdefault(int(row[0] / 1e6 // seconds), []).append(row)
    return [(k * seconds, summary(v)) for k, v in sorted(windows.items())]


def ratio(loaded_ms, unloaded_ms):
    return loaded_ms / unloaded_ms if unloaded_ms else float("nan")


def print_rounds(work, rounds, un_rows, ov_rows):
    """Round 1 is the table's unloaded and overload phases; rounds 2..N their repetitions."""
    rows = []
    for r in range(1, rounds + 1):
        u_rows, v_rows = (un_rows, ov_rows) if r == 1 else (read_log(os.path.join(work, f"{p}-{r}.log")) for p in ("unloaded", "overload"))
        u, v = summary(u_rows), summary(v_rows)
        own_u, own_v = own_p99(u_rows), own_p99(v_rows)
        rows.append((r, u, v, ratio(v["p99"], u["p99"]), own_u, own_v, ratio(own_v, own_u)))
    median = lambda i, key=None: statistics.median([row[i][key] if key else row[i] for row in rows])
    print(f"- Over {rounds} rounds of an unloaded (10 s) and an overload phase, the median of the ratios: "
          f"**{median(3):.2f}×**; median unloaded p99 {median(1, 'p99'):.2f} ms, "
          f"median admitted p99 under overload {median(2, 'p99'):.2f} ms, median admitted {median(2, 'ok'):.0f}. "
          f"The gateway's own part (send → arrival at the generator's socket): median p99 {median(4):.2f} ms "
          f"unloaded, {median(5):.2f} ms under overload, median ratio **{median(6):.2f}×**.\n")
    # An unloaded phase's 503s are refusals at a tenth of the capacity: a delay target reacting
    # to a stall of the machine (its p99 counts only the 200s).
    print("| round | unloaded p99 200 (ms) | unloaded 503 | overload 200 | overload 503 | overload p99 200 (ms) | ratio | "
          "own p99 unloaded / overload (ms) | own ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r, u, v, q, own_u, own_v, own_q in rows:
        print(f"| {r} | {u['p99']:.2f} | {u['shed']} | {v['ok']} | {v['shed']} | {v['p99']:.2f} | {q:.2f}× | "
              f"{own_u:.2f} / {own_v:.2f} | {own_q:.2f}× |")
    print()


def print_onset(work, rounds, ov_rows):
    """How much of each overload phase's p99 is its first second, when the shed share climbs from
    zero (the loop queues work until the share refuses enough of it): p99 of the first second's 200s
    in 100 ms windows' worst, and of the rest of the phase alone."""
    print("Onset: each overload phase's first second against the rest of it (200s by due time):\n")
    print("| round | 200 in 0–1 s | p99 0–1 s (ms) | worst 100 ms window p99 (ms) | p99 1 s–end (ms) | p99 whole (ms) |")
    print("|---|---|---|---|---|---|")
    for r in range(1, rounds + 1):
        rows = ov_rows if r == 1 else read_log(os.path.join(work, f"overload-{r}.log"))
        first = [row for row in rows if row[0] < 1000000]
        rest = [row for row in rows if row[0] >= 1000000]
        worst = max((s["p99"] for _, s in by_window(first, 0.1) if s["ok"]), default=float("nan"))
        head = summary(first)
        print(f"| {r} | {head['ok']} | {head['p99']:.2f} | {worst:.2f} | {summary(rest)['p99']:.2f} | {summary(rows)['p99']:.2f} |")
    print()


def main():
    a = argparse.ArgumentParser()
    for name in ("capacity", "low", "high", "seconds", "in-flight", "connections", "io-threads",
                 "prompt-bytes", "steal-ms", "rss-idle", "rss-max", "rss-end", "nproc"):
        a.add_argument("--" + name, type=int, required=True)
    for name in ("loop-delay", "utilization"):
        a.add_argument("--" + name, type=float, required=True)
    for name in ("gateway-cpu", "mock-cpu", "load-cpu", "priority", "work", "load-start", "load-overload", "load-end", "shed-reasons"):
        a.add_argument("--" + name, required=True)
    a.add_argument("--shed", type=int, nargs=2, required=True)
    a.add_argument("--poll-us", type=int, default=0)
    a.add_argument("--new-connections")
    a.add_argument("--rounds", type=int, default=1)
    o = a.parse_args()
    w = o.work
    runs = {p: json.load(open(os.path.join(w, p + ".json"))) for p in ("capacity", "unloaded", "overload", "recovery")}
    logs = {p: read_log(os.path.join(w, p + ".log")) for p in ("unloaded", "overload", "recovery")}
    un, ov, rc = (summary(logs[p]) for p in ("unloaded", "overload", "recovery"))

    print(f"# Overload — {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC\n")
    print(f"Machine: {o.nproc} cores, shared with the other engineers' builds; load average {o.load_start} at the "
          f"start, {o.load_overload} when the overload phase began, {o.load_end} at the end; the hypervisor took "
          f"{o.steal_ms} ms from the gateway's CPU{'s' if ',' in o.gateway_cpu else ''} during the overload phase "
          "(/proc/stat's steal time).")
    print(f"Tollgate on CPU {o.gateway_cpu} (`taskset`), `io_threads: {o.io_threads}`, SQLite store, one virtual key, "
          f"priced model, tollgate-mock upstream on CPU {o.mock_cpu}; `max_in_flight_requests: {o.in_flight}`, "
          f"`max_event_loop_delay_ms: {o.loop_delay:g}`, `max_event_loop_utilization: {o.utilization:g}`, `event_loop_poll_us: {o.poll_us}`. Load: `bench/openloop` (tollgate-openloop) on CPU {o.load_cpu}, "
          f"chat completions with a {o.prompt_bytes}-byte prompt; priority `{o.priority}` (bench/overload --help). "
          "Latency runs from each request's due time (coordinated omission corrected).\n")
    cap = runs["capacity"]
    print(f"Capacity (closed loop, {cap['connections']} keep-alive connections, {cap['seconds']:.0f} s): "
          f"**{o.capacity} req/s** of 200s.\n")
    print("| phase | offered | connections | sent | 200 | 503 (shed) | other | generator backlog | "
          "p50 200 (ms) | p99 200 (ms) | p99.9 200 (ms) | p99 503 (ms) | generator send lag p99 (ms) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, rate, s, run in (("unloaded (10 s)", o.low, un, runs["unloaded"]),
                               (f"overload ({o.seconds} s)", o.high, ov, runs["overload"]),
                               ("recovery (10 s)", o.low, rc, runs["recovery"])):
        print(f"| {name} | {rate}/s | {run['connections']} | {s['total']} | {s['ok']} | {s['shed']} | {s['other']} | "
              f"{run['backlogged']} (max {run['max_backlog']}) | {s['p50']:.2f} | {s['p99']:.2f} | {s['p999']:.2f} | "
              f"{s['shed_p99']:.2f} | {run['send_lag_p99']:.2f} |")
    print()
    print(f"- Admitted p99 under overload / unloaded p99: **{ratio(ov['p99'], un['p99']):.2f}×** (goal ≤ 3×).")
    (un_arrived, un_waited), (ov_arrived, ov_waited) = (arrival_p99s(logs[p]) for p in ("unloaded", "overload"))
    print(f"- The same up to each answer's arrival at the generator's socket (its kernel receive timestamp), "
          f"without the generator's own wait to read it (p99 {un_waited:.2f} ms unloaded, {ov_waited:.2f} ms "
          f"under overload): p99 {un_arrived:.2f} ms unloaded, {ov_arrived:.2f} ms under overload, "
          f"**{ratio(ov_arrived, un_arrived):.2f}×**.")
    own_un, own_ov = own_p99(logs["unloaded"]), own_p99(logs["overload"])
    print(f"- The gateway's own part, from each request's send to its answer's arrival at the generator's socket "
          f"(without the generator's delays on either side): p99 {own_un:.2f} ms unloaded, {own_ov:.2f} ms under "
          f"overload, **{ratio(own_ov, own_un):.2f}×**.")
    print(f"- tollgate_shed_requests_total rose by {o.shed[1] - o.shed[0]} during the overload phase "
          f"(after it, by reason: {o.shed_reasons.strip() or 'none'}).")
    print(f"- RSS: {o.rss_idle // 1024} MiB before, {o.rss_max // 1024} MiB at most during, "
          f"{o.rss_end // 1024} MiB after.")
    print("- `other`: status 0 (connection failed) or -1 (unanswered 5 s after the phase); `generator backlog`: "
          "requests due while all connections were busy (sent late, charged from their due time); "
          "`send lag`: due → sent, the generator's own delay (its CPU's other work and the backlog).\n")
    if o.rounds > 1:
        print_rounds(w, o.rounds, logs["unloaded"], logs["overload"])
    print_onset(w, o.rounds, logs["overload"])
    print("Overload, 5 s windows (by due time):\n")
    print("| from (s) | 200 | 503 | other | p99 200 (ms) |")
    print("|---|---|---|---|---|")
    for start, s in by_window(logs["overload"], 5):
        print(f"| {start} | {s['ok']} | {s['shed']} | {s['other']} | {s['p99']:.2f} |")
    slow_ms = 5 * ov["p50"]
    bins = {}  # second → the 10 ms bins (by due time) holding admitted requests slower than slow_ms
    for due, status, latency, _, _ in logs["overload"]:
        if status == 200 and latency > slow_ms * 1000:
            bins.setdefault(due // 1000000, set()).add(due % 1000000 // 10000)
    if bins:
        counts = sorted(len(b) for b in bins.values())
        spans = sorted((max(b) - min(b) + 1) * 10 for b in bins.values())
        print(f"\nStalls: the admitted requests slower than {slow_ms:.1f} ms (5× the overload p50) fell in "
              f"{len(bins)} of the {o.seconds} seconds, each second's within {counts[len(counts) // 2]} bins of 10 ms "
              f"spanning {spans[len(spans) // 2]} ms (medians): one stall a second of that length (a SCHED_FIFO CPU "
              "kept busy is stopped 50 ms in every second) shows as a few bins in one span; a queue would spread them.")
    print("\nRecovery, second by second right after the overload:\n")
    print("| second | 200 | 503 | other | p99 200 (ms) |")
    print("|---|---|---|---|---|")
    for start, s in by_window(logs["recovery"], 1)[:5]:
        print(f"| {start} | {s['ok']} | {s['shed']} | {s['other']} | {s['p99']:.2f} |")
    if o.new_connections:
        nc = summary(read_log(o.new_connections))
        print(f"\nExtra phase — one new connection per request (h2load --h1 -r, {o.high}/s, {o.seconds} s; "
              "latency from each connection's start, not coordinated-omission corrected): "
              f"{nc['total']} sent, {nc['ok']} 200, {nc['shed']} 503, {nc['other']} other; "
              f"200 p50 {nc['p50']:.2f} ms, p99 {nc['p99']:.2f} ms.")


if __name__ == "__main__":
    main()
