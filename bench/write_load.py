"""Where a rating's time goes under load: serve the app as make bench does (gunicorn, 2 sync workers,
production settings), drive POST /api/v1/ratings with wrk (bench/lua/api_rating.lua: unique
client_ids, new respondents), and print ratings/s with the workers' CPU time per rating (from
/proc/<pid>/stat before and after) and how busy the machine was (vmstat).

    .venv/bin/python -m bench.write_load sqlite:////abs/path/instance/bench-50k.sqlite3 [SECONDS]
    .venv/bin/python -m bench.write_load postgresql://postgres@127.0.0.1/feedback_bench50k 10

Workers busy about one core in all while the machine idles: they wait on each other (SQLite's single
writer); the machine busy: the CPU is the limit (on PostgreSQL the server's share is the rest)."""
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time

from . import bench

PORT = 5811


def workers_cpu(master: subprocess.Popen) -> float:
    """Seconds of CPU (user + system) the master's workers have used."""
    ticks = 0
    for pid in bench.worker_pids(master):
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def main() -> None:
    url, seconds = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10
    pairs = bench.valid_pairs(url)
    env = bench.production_env(url, PORT, os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3"))
    app = bench.gunicorn("wsgi:app", PORT, env, 2)
    lua = str(bench.ROOT / "bench" / "lua" / "api_rating.lua")
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".txt") as fh:
            fh.write("\n".join(f"{m} {s}" for m, s in pairs))
            fh.flush()
            target = f"http://127.0.0.1:{PORT}"
            subprocess.run(["wrk", "-t2", "-c8", "-d2s", "-s", lua, target, "--", fh.name, "warm"], capture_output=True)
            vmstat = subprocess.Popen(["vmstat", "1", str(max(1, seconds - 2))], stdout=subprocess.PIPE, text=True)
            cpu, began = workers_cpu(app), time.monotonic()
            out = subprocess.run(["wrk", "-t2", "-c8", f"-d{seconds}s", "-s", lua, target, "--", fh.name,
                                  secrets.token_hex(3)], capture_output=True, text=True).stdout
            cpu, wall = workers_cpu(app) - cpu, time.monotonic() - began
            rows = [line.split() for line in vmstat.communicate()[0].splitlines()[3:]]  # the first line: since boot
        n = int(re.search(r"(\d+) requests in", out)[1])
        idle = sum(int(row[14]) for row in rows) / len(rows) if rows else float("nan")
        print(re.search(r"ACK.*", out)[0])
        print(f"{n / wall:.0f} ratings/s; workers' CPU {1000 * cpu / n:.2f} ms per rating, "
              f"{100 * cpu / wall:.0f} % of one core in all; machine idle {idle:.0f} %")
    finally:
        bench.stop(app)


if __name__ == "__main__":
    main()
