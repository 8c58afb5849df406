#!/usr/bin/env python3
"""Streaming probe: sends streaming chat requests one at a time over one keep-alive
connection and times, from the moment the request is written, the first byte of the
response body and the arrival of every SSE event (a blank-line-terminated block).

wrk cannot see inside a response, so this small client does it. It uses a plain blocking
socket rather than asyncio: with one request in flight there is nothing to multiplex, and an
event loop would only add scheduling jitter to the figures we are trying to isolate.

Prints one JSON line: {"ttfb_us": median, "events_us": [median arrival of event i, ...],
"gap_p50_us", "gap_max_us", "requests", "events"}. Exits 1 when no complete stream was read.

  stream_client.py --port P --model M [--path /v1/chat/completions] [--header 'N: v']...
                   [--key TOKEN] [--requests 10] [--warmup 2]
"""
import argparse
import json
import socket
import statistics
import sys
import time


class StreamError(Exception):
    pass


class Connection:
    def __init__(self, port):
        self.port = port
        self.sock = None
        self.buf = b""

    def ensure(self):
        if self.sock is None:
            self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.buf = b""

    def close(self):
        if self.sock is not None:
            self.sock.close()
        self.sock = None

    def recv(self):
        data = self.sock.recv(65536)
        if not data:
            raise StreamError("connection closed")
        return data


def one_request(conn, request_bytes):
    """Returns (ttfb_ns, [event arrival ns...]) relative to the write of the request."""
    conn.ensure()
    t0 = time.perf_counter_ns()
    conn.sock.sendall(request_bytes)
    # Head.
    while b"\r\n\r\n" not in conn.buf:
        conn.buf += conn.recv()
    head, rest = conn.buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if status != 200:
        raise StreamError(f"status {status}: {rest[:200]!r}")
    chunked = "chunked" in headers.get("transfer-encoding", "").lower()
    length = int(headers["content-length"]) if "content-length" in headers else None
    close_after = headers.get("connection", "").lower() == "close"

    ttfb = None
    events = []
    body = b""      # decoded body not yet split into events
    raw = rest      # undecoded bytes
    if raw:
        ttfb = time.perf_counter_ns() - t0
    done = False
    received = 0
    while True:
        now = time.perf_counter_ns()
        # Decode what we have.
        if chunked:
            while True:
                eol = raw.find(b"\r\n")
                if eol < 0:
                    break
                size = int(raw[:eol].split(b";")[0], 16)
                if size == 0:
                    if len(raw) < eol + 4:
                        break  # wait for the CRLF that ends the (empty) trailer
                    conn.buf = raw[eol + 4:]
                    done = True
                    break
                if len(raw) < eol + 2 + size + 2:
                    break
                body += raw[eol + 2:eol + 2 + size]
                raw = raw[eol + 2 + size + 2:]
        else:
            take = raw if length is None else raw[:max(0, length - received)]
            body += take
            received += len(take)
            if length is not None and received >= length:
                conn.buf = raw[len(take):]
                done = True
            raw = b""
        # Count complete events (LF LF or CRLF CRLF).
        normalized = body.replace(b"\r\n", b"\n")
        while b"\n\n" in normalized:
            _, normalized = normalized.split(b"\n\n", 1)
            events.append(now - t0)
        body = normalized
        if done:
            break
        try:
            data = conn.recv()
        except StreamError:
            if length is None and not chunked:
                break  # close-delimited body
            raise
        if ttfb is None:
            ttfb = time.perf_counter_ns() - t0
        raw += data
    if close_after or (not chunked and length is None):
        conn.close()
    if ttfb is None or not events:
        raise StreamError("empty stream")
    return ttfb, events


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--path", default="/v1/chat/completions")
    ap.add_argument("--model", required=True)
    ap.add_argument("--header", action="append", default=[])
    ap.add_argument("--key", default="sk-bench-upstream")
    ap.add_argument("--requests", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    args = ap.parse_args()

    body = json.dumps({"model": args.model, "stream": True,
                       "messages": [{"role": "user", "content": "Hello, how are you?"}]},
                      separators=(",", ":")).encode()
    head = [f"POST {args.path} HTTP/1.1", f"Host: 127.0.0.1:{args.port}",
            "Content-Type: application/json", f"Authorization: Bearer {args.key}",
            "Accept: text/event-stream", f"Content-Length: {len(body)}"] + args.header
    request_bytes = ("\r\n".join(head) + "\r\n\r\n").encode() + body

    conn = Connection(args.port)
    ttfbs, runs = [], []
    try:
        for i in range(args.warmup + args.requests):
            ttfb, events = one_request(conn, request_bytes)
            if i >= args.warmup:
                ttfbs.append(ttfb)
                runs.append(events)
    except (OSError, StreamError, ValueError, IndexError) as e:
        print(f"stream_client: {e}", file=sys.stderr)
    conn.close()
    if not runs:
        sys.exit(1)
    n = min(len(r) for r in runs)
    events_us = [statistics.median(r[i] for r in runs) / 1000 for i in range(n)]
    gaps = [(r[i] - r[i - 1]) / 1000 for r in runs for i in range(1, len(r))]
    print(json.dumps({
        "requests": len(runs),
        "events": n,
        "ttfb_us": statistics.median(ttfbs) / 1000,
        "ttfb_p90_us": percentile(ttfbs, 90) / 1000,
        "events_us": [round(x, 1) for x in events_us],
        "gap_p50_us": statistics.median(gaps) if gaps else 0,
        "gap_max_us": max(gaps) if gaps else 0,
    }))


if __name__ == "__main__":
    main()
