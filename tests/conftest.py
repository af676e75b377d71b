"""Test fixtures: a database built by the migrations, loaded once with the real reference data, and
one outer transaction per test that is rolled back (SQLAlchemy's "join an external transaction"
recipe), so tests are isolated and fast on SQLite and PostgreSQL alike.

The database comes from TEST_DATABASE_URL or DATABASE_URL; without either, a SQLite file in a
temporary folder.
"""
import os
import re

import pytest
from alembic import command
from alembic.config import Config
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from feedback import create_app
from feedback.config import normalise_database_url
from feedback.db import db
from tests.helpers import forget_kept

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _reset_database(url: str) -> None:
    """Empty the test database so that the migrations build it from nothing."""
    engine = create_engine(url)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def migrate(app) -> None:
    config = Config(os.path.join(ROOT, "alembic.ini"))
    config.set_main_option("script_location", os.path.join(ROOT, "migrations"))
    with app.app_context():
        with db.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if not url:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")
    return normalise_database_url(url)


class FreshContextClient(FlaskClient):
    """Each request gets its own application context (and so its own ``g`` and locale), as in
    production, even though the test itself holds one open for the database session."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(database_url):
    _reset_database(database_url)
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-key",
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "localhost",
    })
    app.test_client_class = FreshContextClient
    migrate(app)
    from feedback.catalog.services import load_catalog
    from feedback.territory.services import load_registry

    with app.app_context():
        load_registry()
        load_catalog()
        db.session.commit()
        db.session.remove()
    return app


@pytest.fixture(autouse=True)
def _transaction(request, app):
    """Every test runs inside a transaction that is rolled back at its end."""
    if "e2e" in request.keywords or "scratch_db" in request.keywords:
        yield
        return
    ctx = app.app_context()
    ctx.push()
    # Each test's transaction is rolled back, so the next test reuses the same version numbers with
    # other data (in production a rolled-back bump is seen by no other request): start every test
    # with nothing kept, as a fresh process would.
    forget_kept()
    from feedback.perf import compress

    if compress.cache is not None:  # compressed bodies are keyed by their digest: cleared only so that
        compress.cache.store.clear()  # a test can count compressions, as in a fresh process
    # Deferred: the test's transaction takes the write lock only once it writes (SQLite), so that a
    # second app on the same file can still run a request that only reads.
    connection = db.engine.connect().execution_options(sqlite_begin="DEFERRED")
    outer = connection.begin()
    engines = db._app_engines[app]
    engine = engines[None]
    engines[None] = connection
    db.session.remove()
    db.session.configure(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield
    finally:
        db.session.remove()
        db.session.configure(bind=None, join_transaction_mode="conditional_savepoint")
        engines[None] = engine
        outer.rollback()
        connection.close()
        ctx.pop()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def session():
    return db.session


@pytest.fixture
def rq_queue(app, monkeypatch):
    """REDIS_URL set for the app and its RQ delivery queue (a fresh queue name) on a real Redis:
    TEST_REDIS_URL, default database 14, which is flushed before and after (use it for nothing else)."""
    import uuid

    from redis import Redis

    from feedback import delivery

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
    connection = Redis.from_url(url)
    connection.ping()
    connection.flushdb()
    monkeypatch.setitem(app.config, "REDIS_URL", url)
    monkeypatch.setitem(app.config, "RQ_QUEUE", f"test-{uuid.uuid4().hex[:8]}")
    yield delivery.redis_queue(app)
    connection.flushdb()


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


@pytest.fixture
def create_user(session):
    """A callable that creates a user: create_user("lsg_staff", municipality_code=...)."""
    from argon2 import PasswordHasher

    from feedback.accounts.models import User

    hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # fast in tests only
    counter = iter(range(1, 10**6))

    def create(role: str, *, email: str | None = None, password: str = "a long test password 1", **fields):
        user = User(email=email or f"{role}{next(counter)}@example.kg", role=role,
                    password_hash=hasher.hash(password), **fields)
        session.add(user)
        session.flush()
        return user

    return create


@pytest.fixture
def sign_in(app, session):
    """A callable that signs a test client in as a user (a real server-side session, second factor done)."""
    import hashlib
    import secrets

    from feedback.accounts.models import UserSession
    from feedback.accounts.sessions import SESSION_KEY

    def sign(client, user):
        token = secrets.token_urlsafe(32)
        session.add(UserSession(token_hash=hashlib.sha256(token.encode()).hexdigest(), user_id=user.id,
                                second_factor_done=True))
        session.flush()
        with client.session_transaction() as flask_session:
            flask_session[SESSION_KEY] = token
        return client

    return sign
