#!/usr/bin/env python3
"""The Markdown report of scripts/soak from the driver's samples; exit 1 when a check fails."""
import argparse
import json
import sys


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--samples", required=True)
    a.add_argument("--minutes", type=float, required=True)
    a.add_argument("--started", required=True)
    a.add_argument("--store-spend", type=float, required=True)
    a.add_argument("--store-rows", type=int, required=True)
    a.add_argument("--load-start", required=True)
    a.add_argument("--load-end", required=True)
    a.add_argument("--nproc", type=int, required=True)
    o = a.parse_args()
    samples, final = [], None
    for line in open(o.samples):
        row = json.loads(line)
        if row.get("final"):
            final = row
        else:
            samples.append(row)
    if final is None or not samples:
        print("soak: the driver produced no samples", file=sys.stderr)
        return 1
    warm = samples[len(samples) // 4:] or samples
    rss = [s["rss_kb"] for s in warm]
    mean = sum(rss) / len(rss)
    spread = max(abs(v - mean) / mean for v in rss)
    errors = sum(final["errors"].values())
    cost = final["client_cost"]
    spend_diff = abs(o.store_spend - cost)
    spend_ok = spend_diff <= 1e-9 + 1e-9 * abs(cost)
    checks = {
        f"RSS within ±10% of its mean after warm-up (first quarter): max deviation {spread * 100:.1f}%": spread <= 0.10,
        f"no unexpected error: {errors}": errors == 0,
        f"store spend {o.store_spend:.9f} USD = successful responses' costs {cost:.9f} USD": spend_ok,
    }
    print(f"# Soak — {o.started}, {o.minutes:g} min\n")
    print(f"`scripts/soak {o.minutes:g}`: one Tollgate node on PostgreSQL in front of tollgate-mock. Machine: "
          f"{o.nproc} cores, shared; load average {o.load_start} at the start, {o.load_end} at the end.")
    print("Load (paced, keep-alive): 3 chat workers (~20 req/s each), 1 streaming (~5/s, usage in the last event), "
          "1 embeddings (~10/s), 1 management (each second: a key created, used, updated and deleted; "
          "a team created every 10 s); the traffic keys have `budget_duration: 60s` (a reset every minute).\n")
    print("| t (s) | RSS (MiB) | open fds | store connections | requests in 10 s | errors in 10 s | load |")
    print("|---|---|---|---|---|---|---|")
    for s in samples:
        errs = ", ".join(f"{k} ×{v}" for k, v in s["errors"].items()) or "0"
        print(f"| {s['t']} | {s['rss_kb'] / 1024:.1f} | {s['fds']} | {s['store_connections']} | {s['requests']} | {errs} | "
              f"{' '.join(s['load'])} |")
    print()
    print("Successful responses: " + ", ".join(f"{k} {v}" for k, v in sorted(final["ok"].items())) +
          f"; spend_logs rows: {o.store_rows}.")
    if final["errors"]:
        print("Errors: " + ", ".join(f"{k} ×{v}" for k, v in sorted(final["errors"].items())) + ".")
    print()
    for text, ok in checks.items():
        print(f"- {'PASS' if ok else 'FAIL'}: {text}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
