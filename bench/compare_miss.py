"""Time what a comparison costs when its kept response misses (one warm process).

    DATABASE_URL=sqlite:////tmp/i2-1m.sqlite3 .venv/bin/python -m bench.compare_miss [--repeat 5]
        [--cold | --bump] [--profile] [--urls URL ...] [--dump FILE]

Calls the views' inner functions (``api.views._compare``, ``compare.views._index``) in a fresh
request context each time, so no kept response (scorecards/kept.py) nor anything memoised per
request is reused: the time is the miss after a new rating (the period's counter moved; what rests
only on the other versions, ``scorecards/area_inputs.py``, stays kept). ``--cold`` empties every kept value
before each call: the miss after a change of the ``scorecard`` version (an answer, a moderated
comment, a state evaluation) or in a fresh process. ``--bump`` instead requests the whole route (the
test client, kept responses on) after bumping the current period's rating counter in a committed
transaction of its own, as a rating does: the miss every request pays under steady rating traffic.
Prints per URL the wall and CPU medians (ms). ``--dump FILE`` writes the JSON of /api/v1/compare for
a few levels and periods (to prove a change leaves the published numbers alone); ``--profile``
prints the top of a cProfile of each URL's last call.
"""
import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

URLS = ["/api/v1/compare?level=region", "/api/v1/compare?level=district", "/api/v1/compare?level=urban_rural",
        "/ru/compare", "/ru/compare?level=district"]


def call(app, url):
    from feedback.api.views import _compare
    from feedback.compare.views import _index

    with app.test_request_context(url, base_url="http://localhost"):
        app.preprocess_request()
        if url.startswith("/api/"):
            response = _compare()
            return response.get_data()
        return _index()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--dump")
    parser.add_argument("--cold", action="store_true")
    parser.add_argument("--bump", action="store_true")
    parser.add_argument("--urls", nargs="*", default=URLS)
    args = parser.parse_args()
    from feedback import cache, create_app

    app = create_app()
    if args.dump:
        out = {}
        for level in ("region", "district", "urban_rural"):
            for period in ("", "&period=2025", "&methodology=1"):
                url = f"/api/v1/compare?level={level}{period}"
                out[url] = json.loads(call(app, url))
        with open(args.dump, "w") as f:
            json.dump(out, f, indent=1, sort_keys=True, ensure_ascii=False)
        print("dumped", len(out), "to", args.dump)
        return
    run = call
    if args.bump:
        from sqlalchemy import text

        from feedback.db import db
        from feedback.ratings.services import current_period

        client = app.test_client()

        def bump():
            with app.app_context(), db.engine.begin() as conn:
                conn.execute(text("UPDATE period_counter SET counter = counter + 1 WHERE period = :p"),
                             {"p": current_period()})

        def run(app, url):  # the whole route, kept responses and all
            bump()
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            return response.data
    for url in args.urls:
        run(app, url)  # warm: imports, templates, the shared context
        wall, cpu = [], []
        for _ in range(args.repeat):
            if args.cold:
                cache.kept_store.clear()
                cache.store.clear()
            t, c = time.perf_counter(), time.process_time()
            run(app, url)
            wall.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        print(f"{url:45s} wall median {statistics.median(wall):8.1f} ms (min {min(wall):7.1f})"
              f"  cpu median {statistics.median(cpu):8.1f} ms", flush=True)
        if args.profile:
            if args.cold:
                cache.kept_store.clear()
                cache.store.clear()
            prof = cProfile.Profile()
            prof.enable()
            run(app, url)
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
