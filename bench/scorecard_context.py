"""Time the version-2 scorecard context of one period at 50 thousand and 5 million ratings.

    .venv/bin/python bench/scorecard_context.py [--database-url URL] [--sizes 50000 5000000] [--repeat 5]
    .venv/bin/python bench/scorecard_context.py --database-url sqlite:///instance/bench-5M.sqlite3 --period 2026

The context reads only the aggregates (one row per municipality × subject, whatever the number of
ratings behind it), so the history is generated directly as aggregates: every municipality in
force × every citizen subject, the period's N ratings spread over the cells (multinomial), each
cell's answers drawn from a latent normal around a municipality level, and respondents' cluster
sums as if a quarter of the respondents rated two subjects, and distinct-address counts as if every
rating came from an address of its own (the methodology's ``min_distinct_addresses``). Prints one JSON line per size with the
median, min and max of ``--repeat`` computations (milliseconds, wall clock), the median and min of
this process's CPU time and the load average (the machine may be shared). Without --database-url a
temporary SQLite file is built (migrations, registry, catalog). It never touches ratings.
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

PERIOD = 2001  # a year no real or demonstration data uses


def build_database(url: str):
    from alembic import command
    from alembic.config import Config

    from feedback import create_app
    from feedback.catalog.services import load_catalog
    from feedback.db import db
    from feedback.territory.services import load_registry

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    config = Config(os.path.join(root, "alembic.ini"))
    config.set_main_option("script_location", os.path.join(root, "migrations"))
    with app.app_context():
        with db.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        from feedback.territory.models import Municipality

        if not db.session.scalar(db.select(db.func.count()).select_from(Municipality)):
            load_registry()
            load_catalog()
            db.session.commit()
    return app


def fill(size: int, rng) -> int:
    from sqlalchemy import delete, insert

    from feedback.db import db
    from feedback.scorecards import queries
    from feedback.scorecards.models import AddressCount, ClusterAggregate, PeriodCounter, RatingAggregate

    units = sorted(queries.current_units())
    subjects = sorted(queries.citizen_subjects())
    db.session.execute(delete(RatingAggregate).where(RatingAggregate.period == PERIOD))
    db.session.execute(delete(ClusterAggregate).where(ClusterAggregate.period == PERIOD))
    db.session.execute(delete(AddressCount).where(AddressCount.period == PERIOD))
    cells = len(units) * len(subjects)
    counts = rng.multinomial(size, rng.dirichlet(np.full(cells, 2.0))).reshape(len(units), len(subjects))
    level = rng.normal(3.4, 0.4, len(units))
    effect = rng.normal(0, 0.3, len(subjects))
    cuts = np.array([1.5, 2.5, 3.5, 4.5])
    rows, clusters, addresses = [], [], []
    for i, code in enumerate(units):
        centre = level[i] + effect
        from math import erf, sqrt

        cdf = np.vectorize(lambda x: 0.5 * (1 + erf(x / sqrt(2))))(cuts[None, :] - centre[:, None])
        shares = np.diff(np.hstack([np.zeros((len(subjects), 1)), cdf, np.ones((len(subjects), 1))]), axis=1)
        dist = rng.multinomial(counts[i], shares)
        n_unit = total_unit = 0
        for j, subject in enumerate(subjects):
            n = int(counts[i, j])
            if not n:
                continue
            d = dist[j]
            total = int(d @ np.arange(1, 6))
            rows.append({"municipality_code": code, "subject_code": subject, "period": PERIOD, "n": n, "total": total,
                         "total_sq": int(d @ np.arange(1, 6) ** 2), **{f"n{k + 1}": int(d[k]) for k in range(5)},
                         "n_verified": 0, "total_verified": 0, "total_sq_verified": 0, "n_quarantined": 0})
            addresses.append({"municipality_code": code, "period": PERIOD, "subject_code": subject, "addresses": n})
            n_unit, total_unit = n_unit + n, total_unit + total
        if n_unit:
            addresses.append({"municipality_code": code, "period": PERIOD, "subject_code": "", "addresses": n_unit})
            pairs = n_unit // 4
            singles = n_unit - 2 * pairs
            mean = total_unit / n_unit
            n_sq = 4 * pairs + singles
            clusters.append({"municipality_code": code, "period": PERIOD, "respondents": pairs + singles, "n_sq": n_sq,
                             "y_sq": int(n_sq * mean * mean + n_unit), "ny": int(n_sq * mean)})
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(RatingAggregate), rows[start:start + 5000])
    db.session.execute(insert(ClusterAggregate), clusters)
    for start in range(0, len(addresses), 5000):
        db.session.execute(insert(AddressCount), addresses[start:start + 5000])
    db.session.merge(PeriodCounter(period=PERIOD, counter=size))
    db.session.commit()
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000, 5_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--period", type=int, default=None,
                        help="time the context of this period of the database's own ratings (e.g. the demo "
                             "history of bench/run's 5 M database) instead of generated aggregates")
    args = parser.parse_args()
    if args.period is not None:
        if not args.database_url:
            parser.error("--period needs --database-url")
        return real_period(args)
    url = args.database_url or "sqlite:///" + os.path.join(tempfile.mkdtemp(prefix="bench-context-"), "bench.sqlite3")
    app = build_database(url)
    rng = np.random.default_rng(15)
    from feedback.scorecards import context, methodology

    with app.app_context():
        params = methodology.get()
        for size in args.sizes:
            cells = fill(size, rng)
            context.compute(PERIOD, params)  # warm: imports, caches
            times, cpu = [], []
            for _ in range(args.repeat):
                started, started_cpu = time.perf_counter(), time.process_time()
                result = context.compute(PERIOD, params)
                times.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            published = sum(1 for u in result["units"].values() if u["est"] is not None)
            print(json.dumps({"bench": "scorecard_context", "ratings": size, "aggregate_rows": cells,
                              "published": published, "median_ms": round(statistics.median(times), 1),
                              "min_ms": round(min(times), 1), "max_ms": round(max(times), 1),
                              # this process's CPU time (SQLite runs in it; a PostgreSQL server's does not
                              # count): what the figure would be on a machine nobody else is using
                              "cpu_median_ms": round(statistics.median(cpu), 1), "cpu_min_ms": round(min(cpu), 1),
                              "load_average_1min": round(os.getloadavg()[0], 2)}), flush=True)
            if os.environ.get("BENCH_PROFILE"):
                import cProfile
                import pstats

                names = {"context": context, "PERIOD": PERIOD, "params": params}
                cProfile.runctx("context.compute(PERIOD, params)", globals(), names, "/tmp/bench-context.prof")
                pstats.Stats("/tmp/bench-context.prof").sort_stats("tottime").print_stats(12)


def real_period(args) -> None:
    """The context of one period of the database's real ratings, computed --repeat times."""
    from sqlalchemy import func, select

    from feedback import create_app
    from feedback.db import db
    from feedback.ratings.models import Rating
    from feedback.scorecards import context, methodology

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "SECRET_KEY": "bench"})
    with app.app_context():
        params = methodology.get()
        ratings = db.session.scalar(select(func.count()).select_from(Rating).where(Rating.period == args.period))
        everything = db.session.scalar(select(func.count()).select_from(Rating))
        context.compute(args.period, params)  # warm
        times, cpu = [], []
        for _ in range(args.repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            result = context.compute(args.period, params)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        published = sum(1 for u in result["units"].values() if u["est"] is not None)
        print(json.dumps({"bench": "scorecard_context", "period": args.period, "ratings_in_period": ratings,
                          "ratings_in_database": everything, "published": published,
                          "median_ms": round(statistics.median(times), 1), "min_ms": round(min(times), 1),
                          "max_ms": round(max(times), 1), "cpu_median_ms": round(statistics.median(cpu), 1),
                          "cpu_min_ms": round(min(cpu), 1), "load_average_1min": round(os.getloadavg()[0], 2)}),
              flush=True)


if __name__ == "__main__":
    main()
