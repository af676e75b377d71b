"""Scorecards under a steady stream of ratings, in one process: one rating at a random municipality,
then 20 reads of random scorecards among 300, for a while; prints the share of reads served kept
(one statement) and the mean read time.

    .venv/bin/python -m bench.steady_cards sqlite:////tmp/copy-of-bench-50k.sqlite3 [--html] [--seconds 30]

Writes ratings: run it on a copy (``sqlite3 instance/bench-50k.sqlite3 ".backup /tmp/copy.sqlite3"``).
"""
import argparse
import random
import time

from sqlalchemy import select

from feedback import create_app
from feedback.db import db
from feedback.perf import HEADER
from feedback.scorecards.models import RatingAggregate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--html", action="store_true", help="the page (/ky/m/<code>/) instead of the JSON card")
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "SECRET_KEY": "bench-" * 8,
                      "SQL_COUNT_HEADER": True, "RATELIMIT_ENABLED": False, "ABUSE_MIN_FILL_SECONDS": 0})
    with app.app_context():
        pairs = sorted(set(db.session.execute(select(RatingAggregate.municipality_code,
                                                     RatingAggregate.subject_code)).tuples()))
        db.session.remove()
    rng = random.Random(7)
    sample = rng.sample(sorted({m for m, _ in pairs}), min(300, len({m for m, _ in pairs})))
    path = "/ky/m/{}/" if args.html else "/api/v1/municipalities/{}/scorecard"
    rater, reader = app.test_client(), app.test_client()  # the reader has no cookies: anonymous
    for code in sample:  # warm
        reader.get(path.format(code))
    reads = kept = ratings = 0
    read_time = 0.0
    start = time.monotonic()
    while time.monotonic() - start < args.seconds:
        code, subject = rng.choice(pairs)
        ratings += 1
        rater.post("/api/v1/ratings", json={"municipality": code, "subject": subject, "overall": rng.randint(1, 5)},
                   environ_base={"REMOTE_ADDR": f"10.{ratings // 62500 % 250}.{ratings // 250 % 250}.{ratings % 250}"})
        for _ in range(20):
            began = time.perf_counter()
            response = reader.get(path.format(rng.choice(sample)))
            read_time += time.perf_counter() - began
            reads += 1
            kept += response.headers.get(HEADER) == "1"
    print(f"ratings {ratings}, reads {reads}, kept {kept / reads:.2f}, mean read {1000 * read_time / reads:.1f} ms")


if __name__ == "__main__":
    main()
