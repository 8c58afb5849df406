#!/usr/bin/env python3
"""The mixed load of scripts/soak against one Tollgate node, with a sample every 10 s.

Workers (threads, keep-alive connections, paced so the shared machine keeps breathing): chat,
streaming chat (usage in the last event), embeddings, and management (a key created, used,
updated and deleted; a team created). The traffic keys carry budget_duration 60s, so their
budgets reset every minute while the load runs. Every successful response's cost is summed
(x-litellm-response-cost, or for a stream the usage at the model's prices) to compare with the
store's spend at the end. Writes one JSON object per sample and a final one to stdout.
"""
import argparse
import http.client
import json
import os
import subprocess
import threading
import time

PRICE_IN = 0.0000025   # the soak config's prices (scripts/soak)
PRICE_OUT = 0.00001


class Totals:
    def __init__(self):
        self.lock = threading.Lock()
        self.cost = 0.0
        self.ok = {}
        self.errors = {}

    def success(self, kind, cost=0.0):
        with self.lock:
            self.ok[kind] = self.ok.get(kind, 0) + 1
            self.cost += cost

    def error(self, kind, what):
        with self.lock:
            key = f"{kind}:{what}"
            self.errors[key] = self.errors.get(key, 0) + 1

    def snapshot(self):
        with self.lock:
            return dict(self.ok), dict(self.errors), self.cost


class Client:
    def __init__(self, port, token):
        self.port, self.token = port, token
        self.conn = None

    def request(self, method, path, body=None):
        for attempt in range(2):  # a keep-alive connection the server closed: once more on a new one
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                headers = {"Authorization": "Bearer " + self.token, "Content-Type": "application/json"}
                self.conn.request(method, path, json.dumps(body) if body is not None else None, headers)
                resp = self.conn.getresponse()
                return resp.status, dict((k.lower(), v) for k, v in resp.getheaders()), resp.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt == 1:
                    raise
        raise RuntimeError("unreachable")


def chat_body(model, i, stream=False):
    body = {"model": model, "messages": [{"role": "user", "content": f"soak message {i}: how are you?"}]}
    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    return body


def header_cost(headers):
    return float(headers.get("x-litellm-response-cost", "0"))


def stream_cost(raw):
    usage = None
    for line in raw.decode().splitlines():
        if line.startswith("data: {"):
            event = json.loads(line[6:])
            if event.get("usage"):
                usage = event["usage"]
    if usage is None:
        return None
    return usage["prompt_tokens"] * PRICE_IN + usage["completion_tokens"] * PRICE_OUT


def paced(stop, period, fn):
    i = 0
    while not stop.is_set():
        start = time.monotonic()
        fn(i)
        i += 1
        time.sleep(max(0.0, period - (time.monotonic() - start)))


def request_worker(args, totals, stop, token, kind, path, body, period):
    """Paced requests whose cost the gateway states in x-litellm-response-cost."""
    c = Client(args.port, token)

    def one(i):
        try:
            status, headers, _ = c.request("POST", path, body(i))
            if status == 200:
                totals.success(kind, header_cost(headers))
            else:
                totals.error(kind, status)
        except Exception as e:  # noqa: BLE001 - counted, the soak goes on
            totals.error(kind, type(e).__name__)
    paced(stop, period, one)


def chat_worker(args, totals, stop, token):
    request_worker(args, totals, stop, token, "chat", "/v1/chat/completions", lambda i: chat_body("soak", i),
                   args.chat_period)


def stream_worker(args, totals, stop, token):
    c = Client(args.port, token)

    def one(i):
        try:
            status, _, raw = c.request("POST", "/v1/chat/completions", chat_body("soak", i, stream=True))
            cost = stream_cost(raw) if status == 200 else None
            if status == 200 and cost is not None and b"data: [DONE]" in raw:
                totals.success("stream", cost)
            else:
                totals.error("stream", status if status != 200 else "incomplete")
        except Exception as e:  # noqa: BLE001
            totals.error("stream", type(e).__name__)
    paced(stop, args.stream_period, one)


def embeddings_worker(args, totals, stop, token):
    request_worker(args, totals, stop, token, "embeddings", "/v1/embeddings",
                   lambda i: {"model": "soak-embed", "input": f"text {i}"}, args.embed_period)


def management_worker(args, totals, stop):
    admin = Client(args.port, args.master_key)

    def one(i):
        try:
            alias = f"soak-{os.getpid()}-{i}"
            status, _, raw = admin.request("POST", "/key/generate", {"key_alias": alias, "max_budget": 100})
            if status != 200:
                totals.error("key_generate", status)
                return
            key = json.loads(raw)["key"]
            status, headers, _ = Client(args.port, key).request("POST", "/v1/chat/completions", chat_body("soak", i))
            if status == 200:
                totals.success("chat", header_cost(headers))
            else:
                totals.error("chat_new_key", status)
            status, _, _ = admin.request("POST", "/key/update", {"key": key, "max_budget": 200})
            (totals.success if status == 200 else lambda k, *_: totals.error(k, status))("key_update")
            status, _, _ = admin.request("POST", "/key/delete", {"keys": [key]})
            (totals.success if status == 200 else lambda k, *_: totals.error(k, status))("key_delete")
            if i % 10 == 0:
                status, _, _ = admin.request("POST", "/team/new", {"team_alias": f"soak-team-{os.getpid()}-{i}"})
                (totals.success if status == 200 else lambda k, *_: totals.error(k, status))("team_new")
        except Exception as e:  # noqa: BLE001
            totals.error("management", type(e).__name__)
    paced(stop, args.management_period, one)


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def store_connections(psql):
    out = subprocess.run(psql + ["-At", "-c", "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"],
                         capture_output=True, text=True, check=False)
    return int(out.stdout.strip() or -1) - 1  # less psql's own


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--port", type=int, required=True)
    a.add_argument("--pid", type=int, required=True)
    a.add_argument("--master-key", required=True)
    a.add_argument("--keys", required=True, help="file of traffic keys, one a line")
    a.add_argument("--minutes", type=float, required=True)
    a.add_argument("--psql", required=True, help="psql command line for the soak database, space-separated")
    a.add_argument("--chat-period", type=float, default=0.05)
    a.add_argument("--stream-period", type=float, default=0.2)
    a.add_argument("--embed-period", type=float, default=0.1)
    a.add_argument("--management-period", type=float, default=1.0)
    args = a.parse_args()
    keys = [k.strip() for k in open(args.keys) if k.strip()]
    psql = args.psql.split()
    totals, stop = Totals(), threading.Event()
    threads = [threading.Thread(target=chat_worker, args=(args, totals, stop, keys[i % len(keys)])) for i in range(3)]
    threads.append(threading.Thread(target=stream_worker, args=(args, totals, stop, keys[0])))
    threads.append(threading.Thread(target=embeddings_worker, args=(args, totals, stop, keys[-1])))
    threads.append(threading.Thread(target=management_worker, args=(args, totals, stop)))
    for t in threads:
        t.start()
    start = time.monotonic()
    end = start + args.minutes * 60
    last_ok, last_err = {}, {}
    while time.monotonic() < end:
        time.sleep(min(10.0, max(0.0, end - time.monotonic())))
        ok, err, _ = totals.snapshot()
        sample = {
            "t": round(time.monotonic() - start),
            "rss_kb": rss_kb(args.pid),
            "fds": fds(args.pid),
            "store_connections": store_connections(psql),
            "requests": sum(ok.values()) - sum(last_ok.values()),
            "errors": {k: v - last_err.get(k, 0) for k, v in err.items() if v - last_err.get(k, 0)},
            "load": open("/proc/loadavg").read().split()[:3],
        }
        print(json.dumps(sample), flush=True)
        last_ok, last_err = ok, err
    stop.set()
    for t in threads:
        t.join()
    ok, err, cost = totals.snapshot()
    print(json.dumps({"final": True, "ok": ok, "errors": err, "client_cost": cost}), flush=True)


if __name__ == "__main__":
    main()
