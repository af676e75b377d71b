"""CPU and wall time per rating in one process (Flask test client, production path), medians, and the
SQL statements per rating; for profiling the write path (e.g. under py-spy).

    DATABASE_URL=sqlite:///instance/bench-50k.sqlite3 .venv/bin/python bench/write_time.py api 300
    DATABASE_URL=… .venv/bin/python bench/write_time.py form 300
    DATABASE_URL=… .venv/bin/python bench/write_time.py api 300 statements   # and each statement's time

Each request is a new respondent (no respondent cookie) rating a random (municipality, subject),
as in bench/lua/api_rating.lua and form_rating.lua; the ratings it stores have client_ids
``bench-wt-…`` (API) or none (form), like the bench's own. As in bench/run, each rating comes from an
address of its own (the anti-abuse rules keep their thresholds) and each form post spends a stamp of
its own, fetched beforehand and older than the minimum fill time, so the ratings measured are accepted
ones, the path a resident's rating takes; the statuses stored are printed."""
import json
import random
import re
import secrets
import statistics
import sys
import time

from sqlalchemy import func, select

from feedback import create_app
from feedback.db import db, utcnow
from feedback.ratings.models import Rating


def address(rng: random.Random) -> str:
    """A resident's own address (bench/lua/ sends one per rating as X-Forwarded-For)."""
    return f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def main() -> None:
    kind, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 200
    app = create_app({"RATELIMIT_ENABLED": False, "SQL_COUNT_HEADER": True, "SESSION_COOKIE_SECURE": False})
    timed = statement_times(app) if sys.argv[3:] == ["statements"] else None
    sys.path.insert(0, ".")
    from bench.bench import valid_pairs

    pairs = valid_pairs(app.config["SQLALCHEMY_DATABASE_URI"])
    rng = random.Random(15)
    run = secrets.token_hex(4)
    cpu, wall, sql = [], [], []
    token = None
    stamps = []
    began = utcnow()
    if kind == "form":
        client = app.test_client()
        m, s = pairs[0]
        for _ in range(n):  # one stamp per post, all bound to this session
            html = client.get(f"/ky/m/{m}/rate/{s}").get_data(as_text=True)
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)[1]
            stamps.append(re.search(r'name="started" type="hidden" value="([^"]+)"', html)[1])
        session_cookie = client.get_cookie("session")
        time.sleep(3)  # older than the minimum fill time (ABUSE_MIN_FILL_SECONDS)
    for i in range(n):
        m, s = rng.choice(pairs)
        client = app.test_client()  # no respondent cookie: a new respondent each time
        if kind == "api":
            body = json.dumps({"municipality": m, "subject": s, "overall": rng.randint(1, 5),
                               "client_id": f"bench-wt-{run}-{i}"})
            t, c = time.perf_counter(), time.process_time()
            response = client.post("/api/v1/ratings", data=body, content_type="application/json",
                                   environ_base={"REMOTE_ADDR": address(rng)})
            expected = 201
        else:
            client.set_cookie("session", session_cookie.value)
            t, c = time.perf_counter(), time.process_time()
            response = client.post(f"/ky/m/{m}/rate/{s}", environ_base={"REMOTE_ADDR": address(rng)},
                                   data={"csrf_token": token, "started": stamps[i], "overall": rng.randint(1, 5)})
            expected = 303
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        assert response.status_code == expected, (response.status_code, response.get_data(as_text=True)[:300])
        sql.append(int(response.headers.get("X-SQL-Statements", 0)))
    warm = slice(min(20, n // 4), None)  # the first requests warm the process
    print(f"{kind}: {n} ratings; per rating median CPU {statistics.median(cpu[warm]) * 1000:.2f} ms, "
          f"wall {statistics.median(wall[warm]) * 1000:.2f} ms, SQL statements {statistics.median(sql)}")
    with app.app_context():
        stored = {status: count for status, count in db.session.execute(
            select(Rating.status, func.count()).where(Rating.updated_at >= began).group_by(Rating.status))}
    print(f"stored since the start, by status: {stored}")
    if timed is not None:  # the driver's time per statement (the round trip on PostgreSQL), per rating
        for text, (count, seconds) in sorted(timed.items(), key=lambda item: -item[1][1]):
            print(f"{1000 * seconds / n:7.3f} ms {count / n:5.2f}×  {text}")
        print(f"{1000 * sum(seconds for _, seconds in timed.values()) / n:7.3f} ms in all")


def statement_times(app) -> dict:
    """{statement's first 100 characters: [executions, seconds]}, filled by cursor events from now on."""
    from sqlalchemy import event

    timed = {}
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def after(conn, cursor, statement, parameters, context, executemany):
        entry = timed.setdefault(" ".join(statement.split())[:100], [0, 0.0])
        entry[0] += 1
        entry[1] += time.perf_counter() - conn.info["bench_started"]

    return timed


if __name__ == "__main__":
    main()
