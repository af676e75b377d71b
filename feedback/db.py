"""Database: one SQLAlchemy instance, typed column helpers, a constraint naming convention, UTC times."""
import datetime as dt
import functools
import sqlite3
import time
from typing import Annotated

from flask import g, has_request_context, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, String, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

# Reusable column types.
SoateCode = Annotated[str, mapped_column(String(14))]
CatalogCode = Annotated[str, mapped_column(String(40))]
Name = Annotated[str, mapped_column(String(200))]
LongText = Annotated[str, mapped_column(String(2000))]


def utcnow() -> dt.datetime:
    """Now, timezone-aware in UTC: every timestamp column stores UTC."""
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime) -> dt.datetime:
    """SQLite gives DateTime(timezone=True) columns back naive; they hold UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def init_app(app) -> None:
    db.init_app(app)
    app.after_request(commit_at_boundary)
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":
                _configure_sqlite(engine, app.config.get("SQLITE_BUSY_TIMEOUT_MS", 20000),
                                  app.config.get("SQLITE_SYNCHRONOUS", "FULL"))


def writes_expected() -> bool:
    """Whether the transaction about to begin may write: outside a request (commands, scripts),
    on unsafe methods until the request has committed (what a view reads after its commit — the
    stored rating's id — must not queue for the write lock), or when asked for (``g.db_writes``)."""
    if not has_request_context():
        return True
    if g.get("db_writes"):
        return True
    return request.method not in SAFE_METHODS and not g.get("db_committed") and not g.get("db_reads_first")


def reads_first(view):
    """For busy write endpoints (a resident's rating): read in a deferred transaction, and take the
    write lock only at ``begin_write()``, so that it is held for the write alone (SQLite)."""
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        g.db_reads_first = True
        return view(*args, **kwargs)
    return wrapped


def begin_write() -> None:
    """End the reading part of the request (nothing was written) and write from here on.

    On SQLite the reading transaction ends (a deferred transaction that read cannot take the write
    lock once another writer has committed). What it loaded is detached first, with everything it
    loaded still readable: a rollback would expire it, and every later touch would load it again,
    eager relationships and all."""
    if db.session.get_bind().dialect.name == "sqlite" and db.session().in_transaction() and not g.get("db_writes"):
        db.session.expunge_all()
        db.session.rollback()
    g.db_writes = True


@event.listens_for(Session, "after_commit")
def _note_commit(session) -> None:
    if has_request_context():
        g.db_committed = True


def after_commit(callback) -> None:
    """Run ``callback()`` after this request's transaction is committed (side effects, touches)."""
    g.setdefault("after_commit", []).append(callback)


def _in_transaction() -> bool:
    """The request's session has begun a transaction. A request that never used the session (a kept
    page, whose versions are read on a connection of their own) creates none just to be asked."""
    return db.session.registry.has() and db.session().in_transaction()


def commit_view(app, rv):
    """One commit per request, as the view's answer is made: services and views add and flush, and
    nothing is committed when the answer is an error (the boundary below rolls it back), so nothing
    is half-written. Committed inside the dispatch, so that a failed commit goes to the error
    handlers like any error of the view: a database that is gone or busy answers 503 with
    Retry-After (an after_request hook that raised would answer 500), and the resident's client
    never takes a failed commit for a stored rating."""
    response = app.make_response(rv)
    if response.status_code < 400 and _in_transaction():
        db.session.commit()
        for callback in g.pop("after_commit", []):
            callback()
    return response


def commit_at_boundary(response):
    """The end of the request: an error response rolls everything back; whatever the response
    hooks wrote after the view's commit (rarely anything) is committed."""
    if response.status_code >= 400:
        if db.session.registry.has():
            db.session.rollback()
        return response
    if _in_transaction():
        db.session.commit()
    for callback in g.pop("after_commit", []):
        callback()
    return response


SQLITE_SYNCHRONOUS = ("FULL", "NORMAL", "EXTRA")


def _configure_sqlite(engine: Engine, busy_timeout_ms: int, synchronous: str = "FULL") -> None:
    # FULL (the default): a commit is on disk before the answer, even across a power cut; one fsync
    # per commit, and SQLite has one writer at a time, so the disk's fsync time bounds the ratings
    # per second. NORMAL (WAL): a power cut may lose the last commits (a killed worker loses none).
    synchronous = str(synchronous).upper()
    if synchronous not in SQLITE_SYNCHRONOUS:
        raise ValueError(f"SQLITE_SYNCHRONOUS must be one of {', '.join(SQLITE_SYNCHRONOUS)}")

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, connection_record):
        # Enforce foreign keys, let readers work beside a writer, wait for a lock instead of failing.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        # SQLite's busy handler retries with growing sleeps, up to this bound; then 503 + Retry-After.
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()
        # Python's sqlite3 module begins transactions on its own and breaks SAVEPOINTs; let
        # SQLAlchemy emit BEGIN itself (the SQLAlchemy documentation's pysqlite recipe).
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        # A writer takes the write lock at BEGIN (waiting for it under busy_timeout), so that it
        # never fails half-way with "database is locked" because another writer committed after
        # it had read; readers stay deferred and run beside writers (WAL).
        # The execution option ``sqlite_begin`` ("DEFERRED", "IMMEDIATE") decides for one connection.
        mode = connection.get_execution_options().get("sqlite_begin")
        if mode is None:
            mode = "IMMEDIATE" if writes_expected() else "DEFERRED"
        if mode == "IMMEDIATE":
            begin_immediate(connection, busy_timeout_ms)
        else:
            connection.exec_driver_sql("BEGIN DEFERRED")


# Between two tries for SQLite's write lock: the first pause, and the longest (each 1.5 times the last).
WRITE_LOCK_PAUSES = (0.0002, 0.002)


def begin_immediate(connection, busy_timeout_ms: int) -> None:
    """BEGIN IMMEDIATE, waiting for SQLite's write lock in pauses of 0.2 to 2 ms for up to the busy
    timeout. SQLite's own busy handler sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 ms between its
    tries: a rating holds the lock for ~1-2 ms, so a worker that found it held slept past its release
    while the other worker took it again (make bench, SQLite, two workers: a rating's p99 80-550 ms,
    27-34 ms with these pauses, and 10-40 % more ratings per second; docs/performance.md, session 27).
    The tries run with the busy handler off; a lock still held at the deadline fails the last try as
    the busy handler's last did ("database is locked": 503 with Retry-After)."""
    raw = connection.connection.driver_connection
    pause, longest = WRITE_LOCK_PAUSES
    deadline = time.monotonic() + busy_timeout_ms / 1000
    raw.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                return
            except OperationalError as error:
                if not _locked(error) or time.monotonic() >= deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 1.5, longest)
    finally:
        raw.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")


def _locked(error: OperationalError) -> bool:
    """Another connection holds SQLite's write lock (SQLITE_BUSY): worth another try."""
    code = getattr(error.orig, "sqlite_errorcode", None)  # the extended code: its low byte is the primary
    return isinstance(error.orig, sqlite3.OperationalError) and code is not None and code & 0xFF == sqlite3.SQLITE_BUSY
