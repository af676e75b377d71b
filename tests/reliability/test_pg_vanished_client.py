"""An app server that vanishes mid-transaction must not keep its locks (PostgreSQL).

Every rating updates its period's counter row; a transaction left open by a client that is gone
(killed, cut off by the network) held that row, and so every later rating, until the kernel
noticed, hours later. The app's connections ask the server to end a transaction left idle
(``PG_IDLE_IN_TRANSACTION_SECONDS``) and to probe silent clients (config.postgres_connect_args).
"""
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from feedback import create_app
from feedback.config import postgres_connect_args
from feedback.db import db

LOCK = 421_318


@pytest.fixture
def pg_url(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    return database_url


def _app(url, idle_seconds):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test-secret-key", "RATELIMIT_ENABLED": False,
                       "PG_IDLE_IN_TRANSACTION_SECONDS": idle_seconds})


def _left_idle_holding_a_lock(app) -> bool:
    """A transaction takes a lock and then goes silent; is the lock free again 2.5 s later?"""
    with app.app_context():
        engine = db.engine
        holder = engine.connect()
        try:
            holder.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK})
            time.sleep(2.5)
            with engine.connect() as other:
                free = other.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": LOCK}).scalar()
                other.rollback()
        finally:
            try:
                holder.rollback()
            except DBAPIError:
                pass  # the server ended it
            holder.close()
        engine.dispose()
    return free


def test_the_server_ends_a_transaction_its_client_left_idle(pg_url):
    assert _left_idle_holding_a_lock(_app(pg_url, 1)) is True


def test_without_the_limit_the_lock_stays_held(pg_url):
    # The check above would pass for a lock that is never held: here the same scenario keeps it.
    assert _left_idle_holding_a_lock(_app(pg_url, 0)) is False


def test_the_app_connections_carry_the_limits(pg_url):
    app = _app(pg_url, 30)
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.execute(text("SHOW idle_in_transaction_session_timeout")).scalar() == "30s"
            assert conn.execute(text("SHOW tcp_keepalives_idle")).scalar() == "10"
        db.engine.dispose()


def test_commands_get_no_idle_limit_and_every_connection_gives_up_on_a_silent_network():
    served, command = postgres_connect_args({"PG_IDLE_IN_TRANSACTION_SECONDS": 30}), \
        postgres_connect_args({"PG_IDLE_IN_TRANSACTION_SECONDS": 30}, command=True)
    assert "idle_in_transaction_session_timeout=30s" in served["options"]
    assert "idle_in_transaction" not in command["options"]
    for args in (served, command):
        assert args["connect_timeout"] == 5 and args["keepalives"] == 1 and args["tcp_user_timeout"] == 20000
