"""A database of its own, built by the migrations and really committed to: for tests that need
several connections at once (concurrency, several processes, backups), which the rolled-back
test transaction cannot give. SQLite: a file in the test's folder; PostgreSQL: a schema of its own
in the test database (dropped afterwards), so no other database is created or touched.

Tests using it are marked ``scratch_db`` (conftest.py then opens no outer transaction for them).
"""
import contextlib
import os

from sqlalchemy import create_engine, text

from feedback import create_app
from feedback.db import db

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def scratch_url(database_url: str, tmp_path, name: str) -> tuple[str, dict]:
    """(URL, engine options) of a fresh, empty database named ``name``."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / (name + '.sqlite3')}", {}
    schema = f"scratch_{name}"
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return database_url, {"connect_args": {"options": f"-csearch_path={schema}"}}


def drop_scratch(database_url: str, name: str) -> None:
    if database_url.startswith("sqlite"):
        return
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "scratch_{name}" CASCADE'))
    engine.dispose()


def migrate(app) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config(os.path.join(ROOT, "alembic.ini"))
    config.set_main_option("script_location", os.path.join(ROOT, "migrations"))
    with app.app_context():
        with db.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")


def load_reference_data(app) -> None:
    from feedback.catalog.services import load_catalog
    from feedback.territory.services import load_registry

    with app.app_context():
        load_registry()
        load_catalog()
        db.session.commit()
        db.session.remove()


def _copy_sqlite(template_url: str, url: str) -> bool:
    """Copy the session's test database (migrated, reference data loaded) when it is a SQLite file:
    much faster than building another one."""
    import sqlite3

    source = template_url.split("sqlite:///", 1)[-1] if template_url and template_url.startswith("sqlite:///") else None
    if not source or not os.path.exists(source) or not url.startswith("sqlite:///"):
        return False
    origin, target = sqlite3.connect(source), sqlite3.connect(url[len("sqlite:///"):])
    with target:
        origin.backup(target)
    origin.close()
    target.close()
    return True


@contextlib.contextmanager
def scratch_app(database_url: str, tmp_path, name: str, reference_data: bool = False, template: str | None = None,
                **overrides):
    """``template``: the session's test database URL; copied instead of migrating when both are SQLite files."""
    url, options = scratch_url(database_url, tmp_path, name)
    copied = reference_data and _copy_sqlite(template, url)
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True, "pool_size": 25,
                                      **options} if not url.startswith("sqlite") else
                                     {"pool_pre_ping": True, "hide_parameters": True},
        "SECRET_KEY": "scratch-secret-key",
        "RATELIMIT_ENABLED": False,
        "AUDIT_CHECKPOINT_FILE": str(tmp_path / f"{name}-checkpoints.jsonl"),
        **overrides,
    })
    if not copied:
        migrate(app)
        if reference_data:
            load_reference_data(app)
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop_scratch(database_url, name)
