"""Database: one SQLAlchemy instance, typed column helpers, a constraint naming convention, UTC times."""
import datetime as dt
from typing import Annotated

from flask import has_request_context, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, String, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, mapped_column

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


def init_app(app) -> None:
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":
                _configure_sqlite(engine)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, connection_record):
        # Enforce foreign keys, let readers work beside a writer, wait for a lock instead of failing.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
        # Python's sqlite3 module begins transactions on its own and breaks SAVEPOINTs; let
        # SQLAlchemy emit BEGIN itself (the SQLAlchemy documentation's pysqlite recipe).
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        # A request that may write takes the write lock at once: a read transaction that later
        # writes fails with "database is locked" (no waiting) when another writer committed meanwhile.
        writing = has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")
