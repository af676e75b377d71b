"""Pages and fragments that change only with the reference data, cached per process and keyed by a
version that every process reads from the database on each request.

The version is one row of ``cache_version``. Any write to the registry or the catalog bumps it in the
same transaction (a flush of their models, or a bulk insert/update/delete of their tables), and so do
the demonstration data's seed and clear (the banner). A process keeps what it rendered under the
version it rendered it for: after a commit that bumps the version, the next request of every process
reads the new number and renders again. No process can serve a copy the others disagree with, and a
rolled-back write bumps nothing.

The check is one read on a pooled DBAPI connection (tens of microseconds), instead of the several
ORM queries, form building and template rendering that it saves. That one statement (``snapshot``)
reads every version a request may key on at once: each ``cache_version`` row (``reference``, and
``scorecard``: see ``watch``) and every period's rating counter (``period_counter``, bumped in each
rating's own transaction); for a scorecard or a comparison also one municipality's own counters
(``unit_counter``) and the identity of the stored scorecard contexts of some periods
(``snapshot(municipality, periods)``; scorecards/kept.py).

Other packages add inputs with ``watch`` (a table whose writes bump a named version) and
``watch_rows`` (a rule deciding, per flushed row, which version its change bumps). A request that
wrote to any watched input (``written``) neither reads nor keeps cached values: what it sees is its
own uncommitted transaction. A value derived from something known to be behind the versions read
(``uncacheable``) is not kept either, and a value whose truth changes with time alone is kept only
until the instant noted with ``expires``.
"""
import datetime as dt
import struct
import sys
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps

from flask import Flask, current_app, g, has_app_context, has_request_context, request, session
from sqlalchemy import Connection, String, event, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Mapped, Session, mapped_column

from .db import db

NAME = "reference"
SNAPSHOT_SQL = ("SELECT name, 0, version, NULL, NULL, NULL FROM cache_version "
                "UNION ALL SELECT '', period, counter, NULL, NULL, NULL FROM period_counter")
# With a scope (``snapshot(municipality, periods)``): the stored contexts of those periods (their
# identity: counter, stamp, when computed; never the payload) first, so that PostgreSQL types the
# columns from them, and the municipality's own counters (``unit_counter``) last.
_CONTEXTS_SQL = ("SELECT CASE WHEN verified THEN '~cv' ELSE '~c' END, period, counter, version, stamp, computed_at "
                 "FROM scorecard_context")
_UNITS_SQL = " UNION ALL SELECT '~u', period, counter, NULL, NULL, NULL FROM unit_counter WHERE municipality_code = "
ALL = "all"  # snapshot(periods=ALL): the stored contexts of every period
MAX_ENTRIES = 2000
# Pages and blank forms kept per process, at most this many bytes of text (app.config["CACHE_STORE_BYTES"]):
# 2,000 rendered pages of 15–25 KB each would otherwise be 30–50 MB (blank rating forms are kept compressed,
# perf.Holes: 34 thousand exist); the least recently used go first.
STORE_BYTES = 8 * 1024 * 1024


class CacheVersion(db.Model):
    __tablename__ = "cache_version"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(default=1)


def model_tables(module) -> set[str]:
    """The tables of the models defined in ``module`` (what ``watch`` is usually given)."""
    return {cls.__tablename__ for cls in vars(module).values()
            if isinstance(cls, type) and issubclass(cls, db.Model) and cls.__module__ == module.__name__
            and hasattr(cls, "__tablename__")}


def _watched_tables() -> set[str]:
    from .catalog import models as catalog
    from .territory import models as territory

    return model_tables(catalog) | model_tables(territory)


_WATCHED: dict[str, str] = {}  # table → the version its writes bump
_ROW_RULES: dict[str, list[Callable[[object], str | None]]] = {}  # table → rules (see watch_rows)


def watch(tables, name: str) -> None:
    """Writes to these tables (flushed rows or bulk statements) bump the version ``name``."""
    for table in tables:
        _WATCHED[table] = name


def watch_rows(table: str, rule: Callable[[object], str | None]) -> None:
    """For a table whose ordinary writes must bump nothing (the rating's hot path): ``rule(obj)``,
    given each new, changed or deleted row at flush, names the version to bump, or None. Bulk
    statements on the table always bump ``scorecard``-like versions named by ``rule(None)``."""
    rules = _ROW_RULES.setdefault(table, [])
    if rule not in rules:  # every app made in a process registers it again
        rules.append(rule)


@dataclass(frozen=True)
class Snapshot:
    versions: dict[str, int]  # cache_version rows
    counters: dict[int, int]  # period → rating counter
    # The scope read (see ``snapshot``): one municipality's own counters (period → counter), and the
    # stored contexts of some periods ((period, methodology version, verified) → (counter, stamp,
    # computed_at as stored: a datetime, or the text SQLite gives)).
    municipality: str | None = None
    units: dict[int, int] = field(default_factory=dict)
    periods: frozenset | str = frozenset()
    contexts: dict[tuple[int, int, bool], tuple[int, str, object]] = field(default_factory=dict)

    def counter(self, period: int) -> int:
        return self.counters.get(period, 0)

    def unit_counter(self, period: int) -> int:
        return self.units.get(period, 0)

    def covers(self, municipality: str | None, periods) -> bool:
        return ((municipality is None or municipality == self.municipality)
                and (self.periods == ALL or (periods != ALL and set(periods) <= self.periods)))


def _snapshot_statement(dialect, municipality: str | None, periods) -> tuple[str, tuple]:
    """The snapshot's SQL and parameters for a scope (the periods are whole numbers, written in; the
    municipality's code is a parameter in the driver's own style)."""
    sql = SNAPSHOT_SQL
    if periods:
        where = "" if periods == ALL else " WHERE period IN (" + ", ".join(str(int(p)) for p in sorted(periods)) + ")"
        sql = _CONTEXTS_SQL + where + " UNION ALL " + sql
    if municipality is None:
        return sql, ()
    return sql + _UNITS_SQL + ("?" if dialect.paramstyle == "qmark" else "%s"), (municipality,)


_reader = threading.local()  # this thread's own connection for the snapshot (see _snapshot_rows)


def _snapshot_rows(engine, sql: str = SNAPSHOT_SQL, params: tuple = ()) -> list:
    """The snapshot's rows, read on a connection this thread keeps for nothing else, detached from the
    pool and in autocommit where the driver has it: one round trip, instead of a pool checkout, its
    pre-ping, the read and the rollback (four on PostgreSQL). Any error drops that connection and
    reads once through the pool as before (which pings, so a restarted database is found)."""
    kept_conn = getattr(_reader, "connection", None)
    if kept_conn is not None and _reader.engine is engine:
        try:
            cursor = kept_conn.cursor()
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            cursor.close()
            if not _reader.autocommit:
                kept_conn.rollback()
            return rows
        except Exception:  # noqa: BLE001 - whatever the driver raises: start again from the pool
            _reader.connection = None
            try:
                kept_conn.invalidate()
            except Exception:  # noqa: BLE001, S110
                pass
    dbapi_error = engine.dialect.loaded_dbapi.Error
    try:
        raw = engine.raw_connection()
    except dbapi_error as error:  # as SQLAlchemy's own connect raises it: a database that is down is a 503
        raise DBAPIError.instance(sql, None, error, dbapi_error, dialect=engine.dialect) from error
    try:
        cursor = raw.cursor()
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        cursor.close()
        raw.rollback()
    except dbapi_error as error:
        raw.invalidate()
        raise DBAPIError.instance(sql, None, error, dbapi_error, dialect=engine.dialect) from error
    except Exception:
        raw.close()
        raise
    raw.detach()  # ours from now on: the pool neither counts nor resets it
    _reader.autocommit = engine.dialect.name == "postgresql"
    if _reader.autocommit:
        raw.dbapi_connection.autocommit = True
    _reader.connection, _reader.engine = raw, engine
    return rows


def _read_snapshot(municipality: str | None = None, periods=frozenset()) -> Snapshot:
    bind = db.engine
    sql, params = _snapshot_statement(bind.dialect, municipality, periods)
    if isinstance(bind, Connection):  # a session bound to one connection (the tests' transaction)
        rows = bind.exec_driver_sql(sql, params).all()
    else:
        rows = _snapshot_rows(bind, sql, params)
        g._sql_statements = g.get("_sql_statements", 0) + 1  # counted like any other (perf.SQL_COUNT_HEADER)
    versions, counters, units, contexts = {}, {}, {}, {}
    for name, period, value, version, stamp, computed_at in rows:
        if not name:
            counters[int(period)] = int(value)
        elif name == "~u":
            units[int(period)] = int(value)
        elif name in ("~c", "~cv"):
            contexts[int(period), int(version), name == "~cv"] = (int(value), stamp or "", computed_at)
        else:
            versions[name] = int(value)
    return Snapshot(versions, counters, municipality, units, periods if periods == ALL else frozenset(periods),
                    contexts)


@dataclass(frozen=True)
class Part:
    """The part of a kept response's key that one snapshot gives: the snapshot's scope and the key
    part computed from it (``make(snapshot)``, a function of the snapshot and of the time alone).
    Named by the view that keeps a response, so that the front (front.py) can check it again for the
    next identical request before Flask is reached."""
    municipality: str | None
    periods: tuple | str
    make: Callable[[Snapshot], tuple]

    def read(self) -> tuple:
        """The key part, from this request's snapshot."""
        return self.make(snapshot(self.municipality, self.periods))


REFERENCE = Part(None, (), lambda snap: (snap.versions.get(NAME, 0),))  # what ``page`` keys on


def offer(part: Part, value: tuple, until: float | None) -> None:
    """The response being made is kept under ``value`` of ``part`` (until ``until``, a timestamp):
    the front may answer the same request with it again while the part reads the same (front.py)."""
    if has_request_context():
        request.environ["feedback.front"] = (part, value, until)


def snapshot(municipality: str | None = None, periods=()) -> Snapshot:
    """Every shared version, read in one statement once per request (see the module's docstring);
    with a scope, also ``municipality``'s own rating counters and the identity of the stored
    contexts of ``periods`` (a list, or ``ALL``). The first call of a request should name the widest
    scope it needs: a wider one asked later reads again (a second statement)."""
    found = g.get("_cache_snapshot")
    if found is None or not found.covers(municipality, periods):
        if found is not None:  # widen: what was read already stays in scope
            municipality = municipality or found.municipality
            periods = ALL if ALL in (periods, found.periods) else found.periods | frozenset(periods)
        g._cache_snapshot = _read_snapshot(municipality, periods if periods == ALL else frozenset(periods))
    return g._cache_snapshot


def version(name: str = NAME) -> int:
    """The shared version ``name`` (default: the reference data), from this request's snapshot."""
    return snapshot().versions.get(name, 0)


def bump(name: str = NAME) -> None:
    """Invalidate every process's values kept under ``name`` when this transaction commits."""
    _bump(db.session, name)


def mark_written() -> None:
    """This request's transaction changed an input that is versioned elsewhere (a period's counter)."""
    if has_app_context():
        g.pop("_cache_snapshot", None)
        g._cache_written = True


def uncacheable() -> None:
    """What this request computes rests on something behind the versions it read (a stale shared
    context): serve it, keep nothing."""
    if has_app_context():
        g._cache_uncacheable = True


def rekey(old, new) -> None:
    """What this request is making rests on ``new`` where its key names ``old`` (a part of the key
    tuple): an input it stored itself (a recomputed shared context, whose identity it knows). It is
    kept under the key with that part replaced, which the next request reads; not kept if its key
    has no such part."""
    if has_app_context():
        g.setdefault("_cache_rekeys", []).append((old, new))


def expires(at: dt.datetime) -> None:
    """What this request computes changes by itself at ``at`` (an answer deadline): keep it until then."""
    if has_app_context():
        current = g.get("_cache_expires")
        g._cache_expires = at if current is None or at < current else current


def _weight(value) -> int:
    """What a kept value is counted as against STORE_BYTES: its text (bytes, str, or a tuple of
    them), or what it says it holds (``nbytes``: a blank rating form, perf.Holes); other values (form
    classes, the reference data: one per version or per subject) against the number of entries only."""
    if hasattr(value, "nbytes"):
        return value.nbytes
    if isinstance(value, bytes):
        return len(value)
    if isinstance(value, tuple):
        return sum(_weight(item) for item in value if isinstance(item, bytes | str))
    return sys.getsizeof(value) if isinstance(value, str) else 0


class _Store:
    """A thread-safe map from key to (version, value), bounded in entries and in bytes of text."""

    def __init__(self, size: int, max_bytes: int = STORE_BYTES):
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()
        self.max_bytes, self.bytes = max_bytes, 0

    def get(self, key, current: int):
        with self.lock:
            hit = self.items.get(key)
            if hit is None or hit[0] != current:
                return None
            self.items.move_to_end(key)
            return hit[1]

    def put(self, key, current: int, value) -> None:
        weight = _weight(value)
        if weight > self.max_bytes:
            return
        with self.lock:
            old = self.items.pop(key, None)
            if old is not None:
                self.bytes -= _weight(old[1])
            self.items[key] = (current, value)
            self.bytes += weight
            while len(self.items) > self.size or self.bytes > self.max_bytes:
                self.bytes -= _weight(self.items.popitem(last=False)[1][1])

    def clear(self) -> None:
        with self.lock:
            self.items.clear()
            self.bytes = 0


store = _Store(MAX_ENTRIES)


def cached(key: tuple, make: Callable[[], object]):
    """The value for key at the current version, made (and kept) when absent."""
    if written():
        return make()
    current = version()
    value = store.get(key, current)
    if value is None:
        value = make()
        store.put(key, current, value)
    return value


def shared(key: tuple, make: Callable[[], bytes], prepare: Callable[[bytes], object]):
    """``prepare`` of the bytes ``make()`` gives for ``key`` at the current reference version, made
    once for every process: the bytes kept compressed, when REDIS_URL is configured, in Redis (for
    SHARED_TTL) under the key, the version and this release's code (``_shared_key``), where every
    other process and app server finds them instead of making them again; what ``prepare`` made of
    them kept in this process's store (weighed by its ``nbytes``). As with ``cached``, a request
    that wrote keeps nothing; Redis failing only means making the value here."""
    from redis.exceptions import RedisError

    if written():
        return prepare(make())
    current = version()
    prepared = store.get(key, current)
    if prepared is not None:
        return prepared
    client = _shared()
    name = _shared_key(("shared", key, current))
    packed = None
    if client is not None:
        try:
            packed = client.get(name)
        except RedisError:
            client = None
    if packed is not None:
        value = zlib.decompress(packed)
    else:
        value = make()
        if client is not None:
            try:
                client.set(name, zlib.compress(value, 1), ex=SHARED_TTL)  # a blank rating form: 15 KB, 4 KB kept
            except RedisError:
                pass
    prepared = prepare(value)
    store.put(key, current, prepared)
    return prepared


_release: list[str] = []


def release() -> str:
    """A digest of this installation's code, templates, translations and static files (read once per
    process): what one release rendered is never served by an app server running another (a rolling
    upgrade shares one Redis)."""
    if not _release:
        import hashlib
        from pathlib import Path

        root = Path(__file__).resolve().parent
        digest = hashlib.sha256()
        for folder in (root, root.parent / "translations", root.parent / "static"):
            for path in sorted(folder.rglob("*")):
                if path.is_file() and path.suffix not in (".pyc", ".po", ".pot"):
                    digest.update(str(path.relative_to(folder.parent)).encode() + b"\0" + path.read_bytes())
        _release.append(digest.hexdigest()[:16])
    return _release[0]


def anonymous() -> bool:
    """No signed-in staff session on this request (pages for staff show their own navigation)."""
    from .accounts.sessions import SESSION_KEY

    return SESSION_KEY not in session and request.method == "GET"


def page(view):
    """Cache a view's HTML for anonymous GET requests, by path, query and language."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not anonymous() or written():
            return view(*args, **kwargs)
        key = ("page", request.full_path, g.get("lang"))
        current = version()
        html = store.get(key, current)
        if html is None:
            html = view(*args, **kwargs)
            if not isinstance(html, str):  # redirects, errors, tuples: not cached
                return html
            store.put(key, current, html)
        offer(REFERENCE, (current,), None)
        return html

    return wrapper


def _bump(session: Session, name: str = NAME) -> None:
    session.connection().execute(
        update(CacheVersion).where(CacheVersion.name == name).values(version=CacheVersion.version + 1))
    mark_written()


def written() -> bool:
    """This request's transaction changed the reference data: what it derives from it (which may
    still be rolled back) must not be kept under any version."""
    return bool(g.get("_cache_written")) if has_app_context() else False


def _after_flush(session: Session, flush_context) -> None:
    names = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(obj, "__tablename__", None)
        if table in _WATCHED:
            names.add(_WATCHED[table])
        for rule in _ROW_RULES.get(table, ()):
            name = rule(obj)
            if name:
                names.add(name)
    for name in sorted(names):
        _bump(session, name)


def _on_execute(state) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is None:
        return
    names = {_WATCHED[table.name]} if table.name in _WATCHED else set()
    names |= {name for rule in _ROW_RULES.get(table.name, ()) if (name := rule(None))}
    for name in sorted(names):
        _bump(state.session, name)


def init_app(app: Flask) -> None:
    store.max_bytes = int(app.config.get("CACHE_STORE_BYTES", STORE_BYTES))
    watch(_watched_tables(), NAME)
    for name, listener in (("after_flush", _after_flush), ("do_orm_execute", _on_execute)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


# --- whole responses under a key that names every version they rest on ---------------------------

KEPT_BYTES = 8 * 1024 * 1024  # compressed, per process (app.config["CACHE_KEPT_BYTES"]); the oldest go first
# zlib's level for what is kept (here, in Redis, in the front's copies): 603 kept scorecard pages and
# JSON bodies are 17.3 MB, 4.17 MB at level 1 and 3.46 MB at 6 (9 gains nothing more); level 6 costs
# 0.43 instead of 0.18 ms once per page made, and inflating is as fast. Memory: worker RSS (issue 15).
KEPT_LEVEL = 6
# Seconds a value stays in Redis at most. Long enough that a card one worker made is still there when
# another worker is first asked for it (300 cards at 5 M ratings take minutes to visit: with 120 s, a
# worker's first request for a card the other made was mostly a full recompute); short enough to bound
# what superseded keys hold (each rating supersedes one card: about 20 KB × ratings in the TTL).
SHARED_TTL = 900
_redis_clients: dict[str, object] = {}


class _ByteStore:
    """A thread-safe LRU map from key to (bytes, expiry as a UTC timestamp or None), bounded by the
    total size of the values."""

    def __init__(self, max_bytes: int):
        self.max_bytes, self.size, self.items, self.lock = max_bytes, 0, OrderedDict(), threading.Lock()

    def get(self, key, now: float) -> bytes | None:
        hit = self.entry(key, now)
        return None if hit is None else hit[0]

    def entry(self, key, now: float) -> tuple[bytes, float | None] | None:
        """(value, expiry) of an entry that has not expired."""
        with self.lock:
            hit = self.items.get(key)
            if hit is None:
                return None
            if hit[1] is not None and now >= hit[1]:
                self.size -= len(self.items.pop(key)[0])
                return None
            self.items.move_to_end(key)
            return hit

    def put(self, key, value: bytes, until: float | None) -> None:
        if len(value) > self.max_bytes:
            return
        with self.lock:
            old = self.items.pop(key, None)
            if old is not None:
                self.size -= len(old[0])
            self.items[key] = (value, until)
            self.size += len(value)
            while self.size > self.max_bytes:
                self.size -= len(self.items.popitem(last=False)[1][0])

    def clear(self) -> None:
        with self.lock:
            self.items.clear()
            self.size = 0


kept_store = _ByteStore(KEPT_BYTES)


def _shared():
    """The Redis client when REDIS_URL is configured (one per process and URL), else None."""
    from flask import current_app

    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    client = _redis_clients.get(url)
    if client is None:
        from redis import Redis

        client = _redis_clients[url] = Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    return client


def _shared_key(key: tuple) -> str:
    """The Redis key of a value kept under ``key`` by this release's code (``release``) for this
    database: versions are numbers each database counts on its own, so two databases sharing one
    Redis (staging beside production, a test run on each engine) never take each other's values."""
    import hashlib

    database = current_app.config["SQLALCHEMY_DATABASE_URI"]
    return "feedback:kept:" + hashlib.sha256(repr((release(), database, key)).encode()).hexdigest()


def kept(key: tuple, make: Callable[[], bytes | None], front: tuple[Part, tuple] | None = None,
         shared_ttl: int = SHARED_TTL) -> bytes | None:
    """The bytes ``make()`` gives for ``key`` — which must name every version they rest on (see
    ``snapshot``) — made once and kept: in this process (bounded by size) and, when REDIS_URL is
    configured, in Redis for every process (for ``shared_ttl`` seconds at most: longer for the few
    values that take seconds to make, so that they are not made again while their key still holds).
    Nothing is kept from a request that wrote (``written``) or that met a stale input
    (``uncacheable``), nor past an ``expires`` instant.
    ``make`` returning None (an error page) is not kept. ``front``: (part, value), the key's
    versions as ``part`` read them (the rest of the key is the request's own): a value served or
    kept is offered to the front under them (``offer``)."""
    import time

    from redis.exceptions import RedisError

    if written():
        return make()
    now = time.time()
    hit = kept_store.entry(key, now)
    if hit is not None:
        g._kept_body = True  # perf.py keeps its compressed forms too
        if front is not None:
            offer(*front, hit[1])
        return _packed(zlib.decompress(hit[0]), hit[0])
    shared = _shared()
    if shared is not None:
        try:
            found = shared.get(_shared_key(key))
        except RedisError:
            shared, found = None, None
        if found is not None:
            (until,) = struct.unpack("<d", found[:8])  # the value's own expiry (0: none), not Redis's TTL
            if not until or now < until:
                packed = found[8:]
                kept_store.put(key, packed, until or None)
                g._kept_body = True
                if front is not None:
                    offer(*front, until or None)
                return _packed(zlib.decompress(packed), packed)
    outer_expires, outer_uncacheable = g.pop("_cache_expires", None), g.pop("_cache_uncacheable", False)
    outer_rekeys = g.pop("_cache_rekeys", [])
    value = make()
    expires_at, uncacheable_now = g.get("_cache_expires"), g.get("_cache_uncacheable", False)
    rekeys = g.pop("_cache_rekeys", [])
    g._cache_uncacheable = outer_uncacheable or uncacheable_now
    if outer_rekeys or rekeys:  # what a value kept within another's making met, the other met too
        g._cache_rekeys = outer_rekeys + rekeys
    if outer_expires is not None:
        expires(outer_expires)
    if value is None or written() or uncacheable_now:
        return value
    for old, new in rekeys:
        if old not in key:
            return value
        key = tuple(new if item == old else item for item in key)
        if front is not None:
            front = (front[0], tuple(new if item == old else item for item in front[1]))
    until = None if expires_at is None else expires_at.timestamp()
    if until is not None and until <= now:
        return value
    packed = zlib.compress(value, KEPT_LEVEL)  # an HTML card is 5–8 times smaller: the bound holds that many more
    kept_store.put(key, packed, until)
    g._kept_body = True
    if front is not None:
        offer(*front, until)
    ttl = shared_ttl if until is None else min(shared_ttl, int(until - now))  # rounded down: never late
    if shared is not None and ttl >= 1:
        try:
            shared.set(_shared_key(key), struct.pack("<d", until or 0) + packed, ex=ttl)
        except RedisError:
            pass
    return _packed(value, packed)


def kept_json(name: tuple, part: Part, respond: Callable):
    """A JSON response kept by ``kept`` under ``name`` and what ``part`` reads (only a 200 is kept;
    ``respond()`` makes the response); the headers come from the after-request hooks, as for any
    response."""
    made = {}

    def make():
        response = made["response"] = respond()
        return response.get_data() if response.status_code == 200 else None

    read = part.read()
    body = kept((*name, *read), make, front=(part, read))
    if "response" in made:
        return made["response"]
    return current_app.response_class(body, mimetype="application/json")


PACKED = "feedback.kept_packed"  # the WSGI environ key of the last kept value and its compressed form


def _packed(value: bytes, packed: bytes) -> bytes:
    """``value``, noting for the front (front.py) the compressed form this process keeps of it: a
    copy of a response whose body is exactly ``value`` holds that same object instead of
    compressing the body again (one copy of a card in memory, not two)."""
    if has_request_context():
        request.environ[PACKED] = (value, packed)
    return value
