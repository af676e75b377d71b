"""The bare stack's write: the least a durable rating can be on this stack, as bench/bare.py is the
least a route can be. Flask takes the API's JSON, checks the score, and in one transaction inserts the
rating (its client_id unique) and adds it to one rollup row, then answers 201 once committed. No
respondent, no anti-abuse rule, no check against the registry, no scorecard aggregates, no ORM: the
issue's "earlier prototype" at most. ``make bench`` serves it with the same gunicorn settings as the
app, on the same database (its own two tables, ``bare_rating`` and ``bare_rollup``, made before the
run and dropped after it), drives it with the same script as ``POST /api/v1/ratings``
(bench/lua/api_rating.lua) and reports it as the route "bare write (reference)": what share of the
bare route a write reaches here at all (docs/performance.md, session 27).
"""
import os

from flask import Flask, request

TABLES = (
    "CREATE TABLE IF NOT EXISTS bare_rating (id {serial} PRIMARY KEY, client_id VARCHAR(64) UNIQUE NOT NULL, "
    "municipality_code VARCHAR(14) NOT NULL, subject_code VARCHAR(40) NOT NULL, overall INTEGER NOT NULL, "
    "created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)",
    "CREATE TABLE IF NOT EXISTS bare_rollup (municipality_code VARCHAR(14), subject_code VARCHAR(40), "
    "n INTEGER NOT NULL, total INTEGER NOT NULL, PRIMARY KEY (municipality_code, subject_code))",
)
INSERT = ("INSERT INTO bare_rating (client_id, municipality_code, subject_code, overall) "
          "VALUES ({p}, {p}, {p}, {p}) RETURNING id")
ROLLUP = ("INSERT INTO bare_rollup VALUES ({p}, {p}, 1, {p}) ON CONFLICT (municipality_code, subject_code) "
          "DO UPDATE SET n = bare_rollup.n + 1, total = bare_rollup.total + excluded.total")


PLACEHOLDER = {"sqlite": "?", "postgresql": "%s"}  # each driver's bound parameter


def connect(url: str):
    """A connection of the worker's own, set up as the app's on SQLite (feedback/db.py: WAL, a busy
    timeout, the synchronous setting make bench passes on); its placeholder and its BEGIN (SQLite's
    connection is in autocommit: it begins and commits itself)."""
    if url.startswith("sqlite:///"):
        import sqlite3

        conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None, check_same_thread=False)
        synchronous = os.environ.get("FEEDBACK_SQLITE_SYNCHRONOUS", "FULL")
        for pragma in ("journal_mode=WAL", "busy_timeout=30000", f"synchronous={synchronous}"):
            conn.execute(f"PRAGMA {pragma}")
        return conn, PLACEHOLDER["sqlite"], "BEGIN IMMEDIATE"
    import psycopg

    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1)), PLACEHOLDER["postgresql"], None


app = Flask(__name__)
_conn = None


def connection():
    global _conn
    if _conn is None:
        _conn = connect(os.environ["BARE_WRITE_URL"])
    return _conn


@app.get("/")
def ready():
    """What bench.start asks for to know the server is up."""
    return {"status": "ok"}


def parsed(data) -> tuple | None:
    """(client_id, municipality, subject, overall) of the API's JSON, or None when its score is not
    1–5 or it has no client_id: all the checking the bare write does."""
    data = data if isinstance(data, dict) else {}
    overall = data.get("overall")
    if not isinstance(overall, int) or not 1 <= overall <= 5 or not isinstance(data.get("client_id"), str):
        return None
    return data["client_id"], str(data.get("municipality", ""))[:14], str(data.get("subject", ""))[:40], overall


@app.post("/api/v1/ratings")
def rate():
    conn, p, begin = connection()
    values = parsed(request.get_json(silent=True))
    if values is None:
        return {"error": "invalid"}, 400
    if begin:
        conn.execute(begin)
    try:
        rating_id = conn.execute(INSERT.format(p=p), values).fetchone()[0]
        conn.execute(ROLLUP.format(p=p), values[1:])  # municipality, subject, overall
        conn.execute("COMMIT") if begin else conn.commit()
    except Exception:
        conn.execute("ROLLBACK") if begin else conn.rollback()
        raise
    return {"id": rating_id, "status": "accepted"}, 201


def create_tables(url: str) -> None:
    _run(url, *(sql.format(serial="INTEGER" if url.startswith("sqlite") else "SERIAL") for sql in TABLES))


def drop_tables(url: str) -> None:
    _run(url, "DROP TABLE IF EXISTS bare_rating", "DROP TABLE IF EXISTS bare_rollup")


def _run(url: str, *statements: str) -> None:
    """Each statement committed on a connection of its own (SQLite's is in autocommit)."""
    conn, _, begin = connect(url)
    for sql in statements:
        conn.execute(sql)
    if not begin:
        conn.commit()
    conn.close()
