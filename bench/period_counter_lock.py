"""How long concurrent ratings of one period wait on, and hold, the period counter's row lock.

    .venv/bin/python bench/period_counter_lock.py --database-url postgresql://… [--threads 1 8 16] [--per-thread 30]

Every rating bumps ``period_counter`` in its own transaction (the shared context's staleness stamp),
so on PostgreSQL ratings of one period queue on that row from the bump to their commit. Threads
with a session each submit ratings through ``submit_rating`` (each thread its own municipality, so
no other row is shared) into a period no data uses, and the script prints per thread count:
ratings/s, latency p50/p95, the counter UPDATE's time (lock wait included), the time the lock is
held (bump → commit) and the share of all rating time spent in the counter UPDATE. The database
needs the schema, the registry and the catalog (e.g. one built by bench/scorecard_context.py).
"""
import argparse
import itertools
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

PERIOD = 2003  # a year no real or demonstration data uses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 8, 16])
    parser.add_argument("--per-thread", type=int, default=30)
    args = parser.parse_args()

    from feedback import create_app
    from feedback.config import normalise_database_url
    from feedback.db import db
    from feedback.ratings.abuse import Signals
    from feedback.ratings.models import Respondent
    from feedback.ratings.services import RatingInput, submit_rating
    from feedback.scorecards import aggregates, queries

    app = create_app({"SQLALCHEMY_DATABASE_URI": normalise_database_url(args.database_url), "SECRET_KEY": "bench",
                      "RATELIMIT_ENABLED": False, "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": max(args.threads) + 2}})
    with app.app_context():
        codes = sorted(queries.current_units())[:max(args.threads)]
    tokens = itertools.count()
    local = threading.local()
    bump = aggregates._bump

    def timed_bump(model, *a, **k):  # the counter's UPDATE, timed; every other aggregate as it is
        if model is not aggregates.PeriodCounter:
            return bump(model, *a, **k)
        started = time.perf_counter()
        bump(model, *a, **k)
        local.bumped = time.perf_counter()
        local.wait = local.bumped - started

    aggregates._bump = timed_bump

    def run(threads: int) -> dict:
        rows, lock, barrier = [], threading.Lock(), threading.Barrier(threads)

        def work(i: int) -> None:
            with app.app_context():
                barrier.wait()
                for k in range(args.per_thread):
                    started = time.perf_counter()
                    who = Respondent(token=f"bench-lock-{next(tokens)}-{time.time_ns()}")
                    db.session.add(who)
                    db.session.flush()
                    submit_rating(RatingInput(codes[i], "LI-ROADS", 1 + k % 5), who,
                                  Signals(municipality_code=codes[i], respondent_id=who.id,
                                          address_hash=f"{i:032x}{k:032x}"), period=PERIOD)
                    db.session.commit()
                    end = time.perf_counter()
                    with lock:
                        rows.append((end - started, local.wait, end - local.bumped))
                db.session.remove()

        workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
        started = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        wall = time.perf_counter() - started

        def q(column: int, p: float) -> float:
            xs = sorted(r[column] for r in rows)
            return round(xs[min(int(len(xs) * p), len(xs) - 1)] * 1000, 1)

        return {"threads": threads, "ratings": len(rows), "per_s": round(len(rows) / wall, 1),
                "latency_p50_ms": q(0, .5), "latency_p95_ms": q(0, .95),
                "counter_update_p50_ms": q(1, .5), "counter_update_p95_ms": q(1, .95),
                "held_p50_ms": q(2, .5), "held_p95_ms": q(2, .95),
                "share_in_counter_update": round(sum(r[1] for r in rows) / sum(r[0] for r in rows), 3),
                "load_average_1min": round(os.getloadavg()[0], 2)}

    for threads in args.threads:
        print(json.dumps(run(threads)), flush=True)


if __name__ == "__main__":
    main()
