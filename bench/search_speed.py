"""Speed of the municipality search inside the process, over the whole registry (2,339 names).

    .venv/bin/python bench/search_speed.py [--rounds N]

Builds a throw-away SQLite database (migrations + reference data) unless DATABASE_URL is set, builds
the search index once, then times every query of tests/territory/search_queries.csv (ranking and
loading the records, as the search page does), N rounds. Prints median and p99 in milliseconds and
exits 1 when they exceed the budget (median 5 ms, p99 20 ms). Used by `make bench`.
"""
import argparse
import csv
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MEDIAN_BUDGET_MS, P99_BUDGET_MS = 5.0, 20.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    from alembic import command
    from alembic.config import Config

    from feedback import create_app
    from feedback.db import db

    url = os.environ.get("DATABASE_URL")
    tmp = None
    if not url:
        tmp = tempfile.TemporaryDirectory()
        url = f"sqlite:///{tmp.name}/search.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
    with app.app_context():
        if tmp:
            config = Config(str(ROOT / "alembic.ini"))
            config.set_main_option("script_location", str(ROOT / "migrations"))
            with db.engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
            from feedback.territory.services import load_registry

            load_registry()
            db.session.commit()
        from feedback.territory.search import current_index, rank, search_municipalities

        started = time.perf_counter()
        index = current_index()
        build_ms = (time.perf_counter() - started) * 1000
        with open(ROOT / "tests" / "territory" / "search_queries.csv", encoding="utf-8") as f:
            queries = [row["query"] for row in csv.DictReader(f)]
        timings = {"rank": [], "rank + records": []}
        for _ in range(args.rounds):
            for query in queries:
                started = time.perf_counter()
                rank(query)
                timings["rank"].append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                search_municipalities(query, limit=20)
                timings["rank + records"].append((time.perf_counter() - started) * 1000)
                db.session.remove()
        print(f"search: {len(index.entries)} names indexed in {build_ms:.0f} ms "
              f"(budget: median {MEDIAN_BUDGET_MS} ms, p99 {P99_BUDGET_MS} ms)")
        for name, times in timings.items():
            times.sort()
            median = statistics.median(times)
            p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
            print(f"  {name:15} {len(times)} queries: median {median:.2f} ms, p99 {p99:.2f} ms, "
                  f"max {times[-1]:.2f} ms")
        median = statistics.median(timings["rank"])
        p99 = sorted(timings["rank"])[min(len(timings["rank"]) - 1, int(len(timings["rank"]) * 0.99))]
    if tmp:
        tmp.cleanup()
    return 0 if median <= MEDIAN_BUDGET_MS and p99 <= P99_BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
