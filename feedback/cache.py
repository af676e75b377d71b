"""Pages and fragments that change only with the reference data, cached per process and keyed by a
version that every process reads from the database on each request.

The version is one row of ``cache_version``. Any write to the registry or the catalog bumps it in the
same transaction (a flush of their models, or a bulk insert/update/delete of their tables), and so do
the demonstration data's seed and clear (the banner). A process keeps what it rendered under the
version it rendered it for: after a commit that bumps the version, the next request of every process
reads the new number and renders again. No process can serve a copy the others disagree with, and a
rolled-back write bumps nothing.

The check is one primary-key read on a pooled DBAPI connection (tens of microseconds), instead of the
several ORM queries, form building and template rendering that it saves.
"""
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps

from flask import Flask, g, has_app_context, request, session
from sqlalchemy import Connection, String, event, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Mapped, Session, mapped_column

from .db import db

NAME = "reference"
VERSION_SQL = "SELECT version FROM cache_version WHERE name = 'reference'"
MAX_ENTRIES = 2000


class CacheVersion(db.Model):
    __tablename__ = "cache_version"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(default=1)


def _watched_tables() -> set[str]:
    from .catalog import models as catalog
    from .territory import models as territory

    return {cls.__tablename__ for module in (catalog, territory) for cls in vars(module).values()
            if isinstance(cls, type) and issubclass(cls, db.Model) and cls.__module__ == module.__name__
            and hasattr(cls, "__tablename__")}


_WATCHED: set[str] = set()


def version() -> int:
    """The shared version of the reference data (read once per request)."""
    if "_cache_version" not in g:
        bind = db.engine
        if isinstance(bind, Connection):  # a session bound to one connection (the tests' transaction)
            g._cache_version = bind.exec_driver_sql(VERSION_SQL).scalar() or 0
            return g._cache_version
        try:
            raw = bind.raw_connection()
            try:
                cursor = raw.cursor()
                cursor.execute(VERSION_SQL)
                row = cursor.fetchone()
                cursor.close()
                raw.rollback()
            finally:
                raw.close()
        except bind.dialect.loaded_dbapi.Error as error:  # wrapped as SQLAlchemy would: a database gone is a 503
            raise DBAPIError.instance(VERSION_SQL, None, error, bind.dialect.loaded_dbapi.Error,
                                      hide_parameters=True, dialect=bind.dialect) from error
        g._cache_version = row[0] if row else 0
        g._sql_statements = g.get("_sql_statements", 0) + 1  # counted like any other (perf.SQL_COUNT_HEADER)
    return g._cache_version


def bump() -> None:
    """Invalidate every process's cached pages when this transaction commits."""
    _bump(db.session)


class _Store:
    """A bounded, thread-safe map from key to (version, value)."""

    def __init__(self, size: int):
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key, current: int):
        with self.lock:
            hit = self.items.get(key)
            if hit is None or hit[0] != current:
                return None
            self.items.move_to_end(key)
            return hit[1]

    def put(self, key, current: int, value) -> None:
        with self.lock:
            self.items[key] = (current, value)
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


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
        return html

    return wrapper


def _bump(session: Session) -> None:
    session.connection().execute(
        update(CacheVersion).where(CacheVersion.name == NAME).values(version=CacheVersion.version + 1))
    if has_app_context():
        g.pop("_cache_version", None)
        g._cache_written = True


def written() -> bool:
    """This request's transaction changed the reference data: what it derives from it (which may
    still be rolled back) must not be kept under any version."""
    return bool(g.get("_cache_written")) if has_app_context() else False


def _after_flush(session: Session, flush_context) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if getattr(obj, "__tablename__", None) in _WATCHED:
            _bump(session)
            return


def _on_execute(state) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is not None and table.name in _WATCHED:
        _bump(state.session)


def init_app(app: Flask) -> None:
    _WATCHED.update(_watched_tables())
    for name, listener in (("after_flush", _after_flush), ("do_orm_execute", _on_execute)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
