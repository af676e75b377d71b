"""How gunicorn's settings change what the app serves: the bare app, /healthz, the Kyrgyz home and a
rating form (asked for as a phone does) under 2 workers with each variant of the command-line flags,
wrk -t2 -c8 for 6 s after 2 s unmeasured (docs/performance.md, session 26).

    .venv/bin/python -m bench.gunicorn_flags sqlite:////abs/path/instance/bench-50k.sqlite3 [VARIANT,…]

Variants: sync (no recycling, no access log: what make bench served with until session 26),
sync+maxreq (recycled every 2,000 requests, as deploy/gunicorn.conf.py did), sync+accesslog
(production's access log line), gthread4 (4 threads per worker, as deploy/gunicorn.conf.py had)."""
import os
import sys

from . import bench

VARIANTS = {
    "sync": [],
    "sync+maxreq": ["--max-requests", "2000", "--max-requests-jitter", "200"],
    "sync+accesslog": ["--access-logfile", "/dev/null", "--access-logformat",
                       '- %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'],
    "gthread4": ["--worker-class", "gthread", "--threads", "4"],
}
PORT = 5813
ROUTES = [("healthz", "/healthz"), ("home", "/ky/"), ("form", "/ky/m/41702205805000/rate/LI-WATER")]


def main() -> None:
    url = sys.argv[1]
    names = sys.argv[2].split(",") if len(sys.argv) > 2 else list(VARIANTS)
    env = bench.production_env(url, PORT, os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3"))
    for name in names:
        for module, routes in (("bench.bare:app", [("bare", "/")]), ("wsgi:app", ROUTES)):
            flags = ["--workers", "2", "--worker-class", "sync", "--bind", f"127.0.0.1:{PORT}", *VARIANTS[name]]
            proc = bench.start(flags, module, PORT, env)
            try:
                for route, path in routes:
                    headers = bench.PHONE if route == "form" else ()
                    bench.wrk(f"http://127.0.0.1:{PORT}{path}", 2, headers=headers)
                    r = bench.wrk(f"http://127.0.0.1:{PORT}{path}", 6, headers=headers)
                    print(f"{name:16} {route:8} {r['rps']:8.0f} req/s p99 {r['p99_ms']:.1f} ms errors {r['non_2xx_3xx']}",
                          flush=True)
            finally:
                bench.stop(proc)


if __name__ == "__main__":
    main()
