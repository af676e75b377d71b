"""Time one URL in one process, through the app's WSGI callable as gunicorn calls it (no test
client, no cookies: every request a first visit), production settings; optionally with cProfile.

    DATABASE_URL=postgresql://postgres@127.0.0.1/feedback_bench50k \\
        .venv/bin/python -m bench.wsgi_time /ky/m/41702205805000/rate/LI-WATER 2000 \\
        --accept-encoding 'gzip, deflate, br' [--profile tottime]

Prints the status and body size of the last response, and wall and CPU time per request after 50
unmeasured requests (the worker's caches warm). Used for the rating form's compression and the
pages kept whole in session 23 (docs/performance.md)."""
import argparse
import cProfile
import os
import pstats
import secrets
import time

PRODUCTION = {"FEEDBACK_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
              "FEEDBACK_PERSONAL_DATA_KEY": secrets.token_hex(32), "FEEDBACK_AUDIT_KEY": secrets.token_hex(32),
              "FEEDBACK_PUBLIC_URL": "http://127.0.0.1:5000", "FEEDBACK_SMS_BACKEND": "http",
              "FEEDBACK_SMS_GATEWAY_URL": "http://127.0.0.1:9/unused", "FEEDBACK_RATELIMIT_ENABLED": "false",
              "FEEDBACK_SESSION_COOKIE_SECURE": "false", "REDIS_URL": "redis://127.0.0.1:6379/3"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url")
    parser.add_argument("n", type=int, nargs="?", default=1000)
    parser.add_argument("--accept-encoding", default="", help="what a phone's browser sends: 'gzip, deflate, br'")
    parser.add_argument("--profile", metavar="SORT", help="cProfile another n requests, sorted by SORT")
    args = parser.parse_args()
    for key, value in PRODUCTION.items():
        os.environ.setdefault(key, value)
    from werkzeug.test import EnvironBuilder

    from wsgi import app

    path, _, query = args.url.partition("?")

    def once():
        environ = EnvironBuilder(path=path, query_string=query, base_url="http://127.0.0.1:5000",
                                 headers={"Accept-Encoding": args.accept_encoding}).get_environ()
        status = []
        body = app(environ, lambda s, headers, exc_info=None: status.append(s))
        size = len(b"".join(body))
        getattr(body, "close", lambda: None)()
        return status[0], size

    for _ in range(50):
        last = once()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(args.n):
        once()
    print(args.url, last, f"wall {(time.perf_counter() - wall) / args.n * 1e6:.0f} us/request,",
          f"CPU {(time.process_time() - cpu) / args.n * 1e6:.0f} us/request")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.n):
            once()
        profiler.disable()
        pstats.Stats(profiler).sort_stats(args.profile).print_stats(30)


if __name__ == "__main__":
    main()
