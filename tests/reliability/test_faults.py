"""The database goes away: /healthz, pages and the API answer 503 with Retry-After (pages in the
visitor's language), never 500, and everything works again without a restart when it is back."""
import shutil

import pytest
from sqlalchemy import text

from feedback import create_app
from feedback.db import db
from tests.scratch import scratch_app

pytestmark = pytest.mark.scratch_db

AK_BULUN = "41702205805000"
DOWN_TEXT = {"ky": "Кызмат убактылуу иштебей турат", "ru": "Сервис временно недоступен"}


def down_app(url: str, **extra):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "faults-secret-key-0123456789",
                       "RATELIMIT_ENABLED": False, **extra})


def assert_unavailable(client):
    health = client.get("/healthz")
    assert health.status_code == 503 and health.headers["Retry-After"]
    for lang in ("ky", "ru"):
        page = client.get(f"/{lang}/m/{AK_BULUN}/")
        assert page.status_code == 503 and page.headers["Retry-After"]
        assert DOWN_TEXT[lang] in page.get_data(as_text=True)
    api = client.get("/api/v1/catalog?lang=ru")
    assert api.status_code == 503 and api.headers["Retry-After"]
    assert api.get_json()["error"]["code"] == "unavailable"
    # A write that would create a respondent (and set its cookie after the rollback).
    rating = client.post("/api/v1/ratings", json={"municipality": AK_BULUN, "subject": "LI-WATER", "overall": 4})
    assert rating.status_code == 503 and rating.headers["Retry-After"]
    assert "respondent=" not in rating.headers.get("Set-Cookie", "")
    form = client.post(f"/ru/m/{AK_BULUN}/rate/LI-WATER", data={"overall": "4"})
    assert form.status_code in (400, 503)  # without a CSRF token the form is refused before any query


def test_unreachable_database_is_503_with_retry_after(tmp_path, caplog):
    client = down_app(f"sqlite:///{tmp_path / 'missing' / 'db.sqlite3'}").test_client()
    assert_unavailable(client)
    assert "unhandled error" not in caplog.text


def test_unreachable_postgresql_is_503_with_retry_after(caplog):
    # Nothing listens on this port of issue 13's range.
    client = down_app("postgresql://postgres@127.0.0.1:7399/nothing",
                      SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "hide_parameters": True,
                                                 "connect_args": {"connect_timeout": 2}}).test_client()
    assert_unavailable(client)
    assert "unhandled error" not in caplog.text


def test_recovery_without_restart_sqlite(tmp_path):
    """The database file appears only after the app has started (a volume mounted late)."""
    with scratch_app("sqlite://", tmp_path, "i13_recover") as ready:
        source = ready.config["SQLALCHEMY_DATABASE_URI"][len("sqlite:///"):]
        with ready.app_context():
            db.engine.dispose()
        target = tmp_path / "later" / "db.sqlite3"
        client = down_app(f"sqlite:///{target}").test_client()
        assert client.get("/healthz").status_code == 503
        target.parent.mkdir()
        shutil.copy(source, target)
        assert client.get("/healthz").status_code == 200
        assert client.get("/ru/").status_code == 200


def test_recovery_after_connections_are_killed(database_url, tmp_path):
    """PostgreSQL: every connection of this app is terminated (as when the server restarts): the
    next requests get fresh connections (pool_pre_ping); one caught in the middle gets a 503, never
    a 500. SQLite has no server to lose; there the file case above stands for it."""
    if database_url.startswith("sqlite"):
        database_url = "sqlite://"
    with scratch_app(database_url, tmp_path, "i13_recover") as app:
        client = app.test_client()
        assert client.get("/healthz").status_code == 200
        if database_url.startswith("sqlite"):
            return
        with app.app_context():
            me = db.session.scalar(text("SELECT pg_backend_pid()"))
            db.session.commit()
        killer = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "k" * 40})
        with killer.app_context():
            db.session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": me})
            db.session.commit()
            db.engine.dispose()
        statuses = [client.get("/healthz").status_code for _ in range(3)]
        assert 500 not in statuses and statuses[-1] == 200
