#!/usr/bin/env python3
"""The Markdown report of bench/overload from h2load's per-request logs."""
import argparse
import datetime


def read_log(path):
    """(status, microseconds) per request; h2load writes start, status, duration."""
    rows = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3:
                rows.append((int(parts[1]), int(parts[2])))
    return rows


def pct(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] / 1000.0


def summary(rows):
    ok = [d for s, d in rows if s == 200]
    return {
        "total": len(rows),
        "ok": len(ok),
        "shed": sum(1 for s, _ in rows if s == 503),
        "other": sum(1 for s, _ in rows if s not in (200, 503)),
        "p50": pct(ok, 0.50),
        "p99": pct(ok, 0.99),
    }


def main():
    a = argparse.ArgumentParser()
    for name in ("capacity", "low", "high", "seconds", "in-flight", "loop-delay", "rss-idle", "rss-max", "rss-end", "nproc"):
        a.add_argument("--" + name, type=int, required=True)
    for name in ("unloaded", "overload", "recovery", "load-start", "load-end"):
        a.add_argument("--" + name, required=True)
    a.add_argument("--shed", type=int, nargs=2, required=True)
    o = a.parse_args()
    un, ov, rc = (summary(read_log(p)) for p in (o.unloaded, o.overload, o.recovery))
    ratio = ov["p99"] / un["p99"] if un["p99"] else float("nan")
    print(f"# Overload — {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC\n")
    print(f"Machine: {o.nproc} cores, shared; load average {o.load_start} at the start, {o.load_end} at the end.")
    print("Tollgate: SQLite store, one virtual key, priced model, tollgate-mock upstream, "
          f"`max_in_flight_requests: {o.in_flight}`, `max_event_loop_delay_ms: {o.loop_delay}`. Load: h2load --h1, one thread, one new connection per "
          "request in the open-loop phases (`bench/overload`).\n")
    print(f"Capacity (closed loop, 64 keep-alive connections): **{o.capacity} req/s**.\n")
    print("| phase | offered | sent | 200 | 503 (shed) | other | p50 200 (ms) | p99 200 (ms) |")
    print("|---|---|---|---|---|---|---|---|")
    for name, rate, s in (("unloaded", o.low, un), (f"overload ({o.seconds} s)", o.high, ov), ("recovery (5 s)", o.low, rc)):
        print(f"| {name} | {rate}/s | {s['total']} | {s['ok']} | {s['shed']} | {s['other']} | {s['p50']:.2f} | {s['p99']:.2f} |")
    print()
    print(f"- Admitted p99 under overload / unloaded p99: **{ratio:.2f}×** (goal ≤ 3×).")
    print(f"- tollgate_shed_requests_total rose by {o.shed[1] - o.shed[0]} during the overload phase.")
    print(f"- RSS: {o.rss_idle // 1024} MiB before, {o.rss_max // 1024} MiB at most during, {o.rss_end // 1024} MiB after.")
    print(f"- Recovery: {rc['ok']} of {rc['total']} requests answered 200 right after the overload, p99 {rc['p99']:.2f} ms.")
    print("- `other` counts connections h2load could not complete (refused, reset, its own timeouts); "
          "h2load's generator shares the 2 cores, so the rate it reached is the `sent` column over the phase.")


if __name__ == "__main__":
    main()
