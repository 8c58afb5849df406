#!/usr/bin/env python3
"""Bulk keys for the 10-vs-100,000-keys scenario, written straight into the store: a hundred
thousand /key/generate calls would take minutes and measure the management API, not the
request path. Rows follow persistence/migrations (token_hash = lowercase hex SHA-256 of the
cleartext; the cleartext is never stored) with the same generous limits as the API-made keys.

  keys.py generate N FILE          N fresh cleartext keys, one a line
  keys.py sqlite DB FILE           insert FILE's keys into a SQLite store
  keys.py pg-csv FILE              CSV on stdout for: \\copy keys(COLUMNS) from stdin csv
  keys.py columns                  the column list for that \\copy
"""
import csv
import hashlib
import secrets
import sqlite3
import sys
import time

COLUMNS = ["token_hash", "key_name", "key_alias", "max_budget", "rpm_limit", "tpm_limit",
           "created_by", "updated_by", "created_at", "updated_at"]


def rows(path):
    now = int(time.time() * 1000)
    with open(path) as f:
        for i, line in enumerate(f):
            key = line.strip()
            if not key:
                continue
            yield (hashlib.sha256(key.encode()).hexdigest(), f"sk-...{key[-4:]}", f"bench-bulk-{i}",
                   1e9, 1_000_000_000, 1_000_000_000_000, "bench", "bench", now, now)


def main():
    cmd = sys.argv[1]
    if cmd == "generate":
        n, path = int(sys.argv[2]), sys.argv[3]
        with open(path, "w") as f:
            for _ in range(n):
                f.write("sk-" + secrets.token_urlsafe(24).replace("-", "x").replace("_", "y") + "\n")
    elif cmd == "sqlite":
        db = sqlite3.connect(sys.argv[2], timeout=60)
        marks = ",".join("?" * len(COLUMNS))
        with db:
            db.executemany(f"INSERT INTO keys ({','.join(COLUMNS)}) VALUES ({marks})", rows(sys.argv[3]))
        db.close()
    elif cmd == "pg-csv":
        w = csv.writer(sys.stdout)
        for r in rows(sys.argv[2]):
            w.writerow(r)
    elif cmd == "columns":
        print(",".join(COLUMNS))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
