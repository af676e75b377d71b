"""The test database itself: every test starts from the loaded reference data, whatever the test
before it committed, and the database enforces foreign keys on SQLite as on PostgreSQL."""
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from feedback.db import db
from feedback.territory.models import Municipality, Village

AK_BULUN = "41702205805000"
ORIGINAL_NAME_RU = "Ак-Булунский айылный аймак"


# The two tests below run in this order: the first commits a change and a new row, the second must
# not see them. Together they prove the per-test rollback in conftest.py.
def test_isolation_1_commit_a_change(session):
    session.get(Municipality, AK_BULUN).name_ru = "changed by a test"
    session.add(Village(code="41702205805990", name_ky="Сынак", name_ru="Тест",
                        municipality_code=AK_BULUN))
    session.commit()
    session.expire_all()
    assert session.get(Municipality, AK_BULUN).name_ru == "changed by a test"
    assert session.get(Village, "41702205805990") is not None


def test_isolation_2_change_was_rolled_back(session):
    assert session.get(Municipality, AK_BULUN).name_ru == ORIGINAL_NAME_RU
    assert session.get(Village, "41702205805990") is None
    assert session.scalar(select(func.count()).select_from(Municipality)) == 484
    assert session.scalar(select(func.count()).select_from(Village)) == 1855


def test_isolation_3_commit_through_the_cli(app, session, tmp_path):
    """A commit made by a command (the CLI commits) is also undone at the end of the test."""
    corrections = tmp_path / "corrections.csv"
    corrections.write_text(f"soate,name_ky,name_ru\n{AK_BULUN},,changed by the CLI\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["territory", "load", "--corrections", str(corrections)])
    assert result.exit_code == 0, result.output
    session.expire_all()
    assert session.get(Municipality, AK_BULUN).name_ru == "changed by the CLI"


def test_isolation_4_after_cli(session):
    assert session.get(Municipality, AK_BULUN).name_ru == ORIGINAL_NAME_RU


def test_sqlite_foreign_keys_are_on(session):
    if db.engine.dialect.name != "sqlite":
        assert db.engine.dialect.name == "postgresql"
        return
    assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_foreign_keys_are_enforced(session):
    with pytest.raises(IntegrityError):
        with session.begin_nested():
            session.add(Village(code="41702205805991", name_ky="Жок", name_ru="Нет",
                                municipality_code="41799999999000"))
            session.flush()
    assert session.get(Village, "41702205805991") is None


def test_check_constraint_on_kind(session):
    m = session.get(Municipality, AK_BULUN)
    with pytest.raises(IntegrityError):
        with session.begin_nested():
            m.kind = "village"
            session.flush()


@pytest.mark.parametrize("setting, expected", [(None, 2), ("normal", 1)])
def test_sqlite_commits_are_durable_unless_configured_otherwise(tmp_path, setting, expected):
    """SQLite syncs every commit to disk (synchronous=FULL) unless SQLITE_SYNCHRONOUS says NORMAL."""
    from feedback import create_app

    overrides = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'sync.sqlite3'}", "SECRET_KEY": "x" * 40}
    if setting:
        overrides["SQLITE_SYNCHRONOUS"] = setting
    other = create_app(overrides)
    with other.app_context():
        try:
            with db.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == expected
        finally:
            db.engine.dispose()


def _locking_app(tmp_path, busy_timeout_ms):
    """An app on a SQLite file of its own, and a second connection holding its write lock."""
    import sqlite3

    from feedback import create_app

    path = tmp_path / "lock.sqlite3"
    other = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "x" * 40,
                        "SQLITE_BUSY_TIMEOUT_MS": busy_timeout_ms})
    with other.app_context():
        with db.engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (n INTEGER)")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO t VALUES (1)")
    return other, holder


def test_a_sqlite_writer_waiting_for_the_lock_tries_again_within_two_milliseconds(tmp_path, monkeypatch):
    """A writer that finds SQLite's write lock held tries again after pauses of 0.2 to 2 ms (SQLite's
    own busy handler sleeps up to 100 ms between its tries), takes the lock once it is free, and
    leaves the connection's busy timeout as it was."""
    import feedback.db as database

    other, holder = _locking_app(tmp_path, 5000)
    pauses = []

    def pause(seconds):
        pauses.append(seconds)
        if len(pauses) == 12:
            holder.execute("COMMIT")  # the other writer is done

    monkeypatch.setattr(database.time, "sleep", pause)
    with other.app_context():
        try:
            with db.engine.begin() as conn:  # outside a request: a writer (BEGIN IMMEDIATE)
                conn.exec_driver_sql("INSERT INTO t VALUES (2)")
            with db.engine.connect() as conn:
                assert conn.exec_driver_sql("SELECT n FROM t ORDER BY n").scalars().all() == [1, 2]
                assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        finally:
            db.engine.dispose()
            holder.close()
    assert len(pauses) == 12
    assert pauses[0] == database.WRITE_LOCK_PAUSES[0] and max(pauses) == database.WRITE_LOCK_PAUSES[1] <= 0.002
    assert pauses == sorted(pauses)


def test_a_sqlite_write_lock_never_freed_fails_at_the_busy_timeout(tmp_path, monkeypatch):
    """A lock held past the busy timeout fails the write as SQLite's busy handler did: "database is
    locked", an OperationalError (the 503 of errors.py), the busy timeout left as it was."""
    from sqlalchemy.exc import OperationalError

    import feedback.db as database

    other, holder = _locking_app(tmp_path, 300)
    clock = [1000.0]
    monkeypatch.setattr(database.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(database.time, "sleep", lambda seconds: clock.__setitem__(0, clock[0] + seconds))
    with other.app_context():
        try:
            with pytest.raises(OperationalError, match="locked"):
                with db.engine.begin() as conn:
                    conn.exec_driver_sql("INSERT INTO t VALUES (2)")
            assert clock[0] >= 1000.3
            holder.execute("ROLLBACK")
            with db.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 300
                assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0
        finally:
            db.engine.dispose()
            holder.close()
