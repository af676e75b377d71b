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
