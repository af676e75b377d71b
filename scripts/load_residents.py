#!/usr/bin/env python3
"""Load test: many residents, each keeping its cookies, rate for a bounded time against a running
server (loopback only). Each resident opens the rating form, waits a moment, sends it (or uses the
JSON API), and moves on to another subject; on a 503 it waits (Retry-After, at most 2 s) and sends
the same rating again, as a phone's offline queue would. At the end the ratings in the database
are counted: stored must equal acknowledged (303 from the form, 201/200 from the API).

    python3 scripts/load_residents.py --url http://127.0.0.1:7310 --database-url sqlite:////tmp/x.db \
        --residents 200 --seconds 60 [--kill-worker-at 20 --gunicorn-pid PID] \
        [--outage-at 20 --outage-seconds 15 --proxy-pid PID]
"""
import argparse
import http.client
import json
import os
import random
import re
import signal
import statistics
import subprocess
import threading
import time
import uuid
from collections import Counter
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from sqlalchemy import create_engine, func, select, text

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
STARTED = re.compile(r'name="started" type="hidden" value="([^"]*)"')


class Resident(threading.Thread):
    def __init__(self, number, args, targets, deadline, results):
        super().__init__(daemon=True)
        self.number, self.args, self.deadline, self.results = number, args, deadline, results
        self.targets = targets[:]
        random.Random(number).shuffle(self.targets)
        self.cookies: dict[str, str] = {}
        parts = urlsplit(args.url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.monotonic()
        for attempt in range(2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (OSError, http.client.HTTPException):
                self.conn = None
                if attempt:
                    self.results["errors"]["connection"] += 1
                    return None, b"", {}
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        self.results["latency"].append(time.monotonic() - started)
        self.results["status"][response.status] += 1
        return response.status, data, response.headers

    def rate_by_form(self, code, subject):
        path = f"/ru/m/{code}/rate/{subject}"
        status, page, _ = self.request("GET", path)
        if status != 200:
            return status
        token, started = TOKEN.search(page.decode()), STARTED.search(page.decode())
        time.sleep(random.uniform(0.2, 1.0))
        body = f"csrf_token={token.group(1)}&started={started.group(1)}&overall={random.randint(1, 5)}"
        while True:
            status, _, headers = self.request("POST", path, body=body,
                                              headers={"Content-Type": "application/x-www-form-urlencoded"})
            # No answer or a 503: send the same rating again (a repeat replaces it, never doubles it).
            if status not in (503, None) or time.monotonic() > self.deadline + 60:
                return status
            time.sleep(min(2, int((headers or {}).get("Retry-After", 1))))

    def rate_by_api(self, code, subject):
        body = json.dumps({"municipality": code, "subject": subject, "overall": random.randint(1, 5),
                           "client_id": uuid.uuid4().hex})
        while True:
            status, _, headers = self.request("POST", "/api/v1/ratings", body=body,
                                              headers={"Content-Type": "application/json"})
            if status not in (503, None) or time.monotonic() > self.deadline + 60:
                return status
            time.sleep(min(2, int((headers or {}).get("Retry-After", 1))))

    def run(self):
        for code, subject in self.targets:
            if time.monotonic() > self.deadline:
                return
            use_api = random.random() < self.args.api_share
            status = (self.rate_by_api if use_api else self.rate_by_form)(code, subject)
            if status in (303, 201, 200):
                self.results["acknowledged"] += 1
            time.sleep(random.uniform(0.2, 1.0))


def targets(args) -> list[tuple[str, str]]:
    engine = create_engine(args.database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        codes = [r[0] for r in conn.execute(text(
            "SELECT code FROM municipality WHERE kind = 'aiyl_aimak' AND valid_to IS NULL ORDER BY code LIMIT 40"))]
        subjects = [r[0] for r in conn.execute(text(
            "SELECT code FROM subject WHERE kind = 'local_issue' AND NOT retired AND applies_to IN ('both', 'aiyl_okmotu') "
            "ORDER BY code"))]
    engine.dispose()
    return [(c, s) for c in codes for s in subjects]


def count_ratings(database_url) -> int:
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(text("rating"))).scalar()
    engine.dispose()
    return n


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--api-share", type=float, default=0.3)
    parser.add_argument("--kill-worker-at", type=float)
    parser.add_argument("--gunicorn-pid", type=int)
    parser.add_argument("--outage-at", type=float)
    parser.add_argument("--outage-seconds", type=float, default=15)
    parser.add_argument("--proxy-pid", type=int)
    args = parser.parse_args()
    host = urlsplit(args.url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("loopback only")
    args.residents, args.seconds = min(args.residents, 500), min(args.seconds, 300)  # bounded

    before = count_ratings(args.database_url)
    results = {"status": Counter(), "errors": Counter(), "latency": [], "acknowledged": 0}
    all_targets = targets(args)
    start = time.monotonic()
    deadline = start + args.seconds
    residents = [Resident(i, args, all_targets, deadline, results) for i in range(args.residents)]
    for resident in residents:
        resident.start()
    events = []
    if args.kill_worker_at is not None and args.gunicorn_pid:
        time.sleep(args.kill_worker_at)
        workers = subprocess.run(["pgrep", "-P", str(args.gunicorn_pid)], capture_output=True, text=True).stdout.split()
        if workers:
            os.kill(int(workers[0]), signal.SIGKILL)
            events.append(f"killed worker {workers[0]} at {time.monotonic() - start:.0f}s")
    if args.outage_at is not None and args.proxy_pid:
        time.sleep(max(0, args.outage_at - (time.monotonic() - start)))
        os.kill(args.proxy_pid, signal.SIGUSR1)
        events.append(f"database cut at {time.monotonic() - start:.0f}s")
        time.sleep(args.outage_seconds)
        os.kill(args.proxy_pid, signal.SIGUSR2)
        events.append(f"database back at {time.monotonic() - start:.0f}s")
    for resident in residents:
        resident.join()
    elapsed = time.monotonic() - start
    stored = count_ratings(args.database_url) - before
    latency = sorted(results["latency"])
    report = {
        "residents": args.residents, "seconds": round(elapsed, 1), "requests": len(latency),
        "requests_per_second": round(len(latency) / elapsed, 1),
        "status": dict(sorted(results["status"].items())),
        "server_errors_5xx": sum(n for s, n in results["status"].items() if s >= 500),
        "connection_errors": dict(results["errors"]),
        "latency_p50_ms": round(statistics.median(latency) * 1000) if latency else None,
        "latency_p95_ms": round(latency[int(len(latency) * 0.95)] * 1000) if latency else None,
        "acknowledged": results["acknowledged"], "stored": stored,
        # Stored, but the answer never reached the resident (a killed worker, a cut connection).
        "stored_not_acknowledged": stored - results["acknowledged"], "events": events,
    }
    print(json.dumps(report, indent=2))
    if stored < results["acknowledged"]:
        raise SystemExit("an acknowledged rating was lost")


if __name__ == "__main__":
    main()
