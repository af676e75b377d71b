"""feedback/bulk.py: rows written in bulk read back as the ORM wrote them; a bulk load leaves every
index and constraint as the migrations made them; the connection's settings come back after it."""
import datetime as dt

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from feedback import bulk
from feedback.accounts.models import User
from feedback.db import as_utc, db
from feedback.ratings.models import Rating, Respondent
from tests.scorecards.helpers import AK_BULUN, rate, respondent
from tests.scratch import scratch_app


def _schema(table: str) -> dict:
    inspector = inspect(db.session.connection())
    return {"indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"]))
                              for i in inspector.get_indexes(table)),
            "unique": sorted((u["name"], tuple(u["column_names"])) for u in inspector.get_unique_constraints(table)),
            "foreign_keys": sorted((f["name"], tuple(f["constrained_columns"]), f["referred_table"])
                                   for f in inspector.get_foreign_keys(table))}


def _user(session) -> int:
    user = User(email="bulk-after@example.org", role="lsg_staff", password_hash="!", name="Bulk")
    session.add(user)
    session.flush()
    return user.id


def test_a_load_rebuilds_every_index_and_constraint():
    before = {table: _schema(table) for table in ("respondent", "rating")}
    assert before["rating"]["indexes"] and before["rating"]["foreign_keys"]
    with bulk.loading(Respondent, Rating):
        writer = bulk.Writer(Respondent, ("id", "token", "created_at"))
        writer.add((bulk.next_id(Respondent), "bulk-test", dt.datetime(2025, 5, 1, 12, tzinfo=dt.UTC)))
        writer.close()
    assert {table: _schema(table) for table in ("respondent", "rating")} == before
    with pytest.raises(IntegrityError), db.session.begin_nested():  # the unique token is enforced again
        db.session.execute(Respondent.__table__.insert().values(token="bulk-test", created_at=dt.datetime.now(dt.UTC)))


def test_written_rows_read_back_as_the_orm_writes_them(session):
    own = rate(respondent(), AK_BULUN, "LI-WATER", 4, 2025)
    when = dt.datetime(2025, 3, 1, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=6)))  # Bishkek
    first = bulk.next_id(Rating)
    writer = bulk.Writer(Rating, ("id", "respondent_id", "municipality_code", "subject_code", "period", "overall",
                                  "comment_flags", "status", "verified", "source", "address_hash", "replacements",
                                  "created_at", "updated_at"), batch=2)
    for i in range(3):
        writer.add((first + i, own.respondent_id, AK_BULUN, f"LI-{'ROADS' if i else 'LIGHT'}", 2025 + i // 2, 3, "",
                    "accepted", i == 1, "web", "", 0, when, when + dt.timedelta(microseconds=i)))
    writer.close()
    assert writer.count == 3
    session.expire_all()
    stored = session.get(Rating, first + 1)
    assert (stored.verified, stored.channel) == (True, "web")  # a Python-side default filled in
    assert as_utc(stored.created_at) == when and as_utc(stored.updated_at) == when + dt.timedelta(microseconds=1)
    # compared in SQL with a time as the application binds it (UTC): the same text format on SQLite
    utc = when.astimezone(dt.UTC)
    assert session.scalars(select(Rating.id).where(Rating.id >= first, Rating.created_at >= utc).order_by(Rating.id)).all() == [
        first, first + 1, first + 2]
    assert session.scalars(select(Rating.id).where(Rating.id >= first, Rating.updated_at > utc)).all() == [
        first + 1, first + 2]


def test_tuned_gives_the_connection_its_settings_back(session):
    connection = session.connection()
    if connection.dialect.name == "postgresql":  # SET LOCAL: they end with the (sub)transaction
        names = ("synchronous_commit", "work_mem", "maintenance_work_mem")
        before = [connection.exec_driver_sql(f"SHOW {name}").scalar() for name in names]
        nested = connection.begin_nested()
        with bulk.tuned():
            assert [connection.exec_driver_sql(f"SHOW {name}").scalar() for name in names] == ["off", "64MB", "1GB"]
        nested.rollback()
        assert [connection.exec_driver_sql(f"SHOW {name}").scalar() for name in names] == before
        return
    names = ("cache_size", "threads", "soft_heap_limit")
    before = [connection.exec_driver_sql(f"PRAGMA {name}").scalar() for name in names]
    with bulk.tuned():
        assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == -bulk.CACHE_KIB
        # SQLite's whole heap (the sorters too, not only the page cache) is kept near the cache's size
        assert connection.exec_driver_sql("PRAGMA soft_heap_limit").scalar() == bulk.CACHE_KIB * 1024
    assert [connection.exec_driver_sql(f"PRAGMA {name}").scalar() for name in names] == before


@pytest.mark.scratch_db
@pytest.mark.parametrize("end", ["commit", "rollback"])
def test_a_load_first_in_its_sqlite_transaction_journals_by_rollback_until_it_ends(tmp_path, end):
    """The seed's own transaction (``flask demo seed``): no write-ahead log, no fsync, no foreign-key
    look-up per row while it loads; the file's own settings once it commits or rolls back, and the
    rows written are there (commit) or gone (rollback)."""
    names = ("journal_mode", "synchronous", "foreign_keys")
    with scratch_app("sqlite://", tmp_path, f"bulk_first_{end}") as app, app.app_context():
        def settings():
            raw = db.session.connection().connection.driver_connection
            return tuple(raw.execute(f"PRAGMA {name}").fetchone()[0] for name in names)

        before = settings()
        db.session.commit()
        assert before[0] == "wal" and before[2] == 1
        with bulk.tuned():
            assert settings() == ("delete", 0, 0)
            writer = bulk.Writer(Respondent, ("id", "token", "created_at"))
            writer.add((bulk.next_id(Respondent), "bulk-first", dt.datetime(2025, 5, 1, 12, tzinfo=dt.UTC)))
            writer.close()
        getattr(db.session, end)()
        assert settings() == before
        tokens = db.session.scalars(select(Respondent.token)).all()
        assert tokens == (["bulk-first"] if end == "commit" else [])


def test_a_load_inside_a_savepoint_keeps_the_journal(session):
    """Inside a transaction already under way (a savepoint), the settings that only change between
    transactions stay as they were."""
    raw = session.connection().connection.driver_connection
    names = ("journal_mode", "synchronous", "foreign_keys")
    before = [raw.execute(f"PRAGMA {name}").fetchone()[0] for name in names] if raw.__class__.__module__ == "sqlite3" else None
    with bulk.tuned():
        if before is not None:
            assert [raw.execute(f"PRAGMA {name}").fetchone()[0] for name in names] == before


def test_every_row_of_a_batch_is_written_in_its_order(session):
    """Batches larger than one statement's rows (SQLite writes several rows per INSERT) and a rest."""
    first, count = bulk.next_id(Respondent), 2 * bulk.SQLITE_ROWS_PER_INSERT + 3
    when = dt.datetime(2025, 5, 1, 12, tzinfo=dt.UTC)
    writer = bulk.Writer(Respondent, ("id", "token", "phone_hash", "created_at"), batch=count - 1)
    for i in range(count):
        writer.add((first + i, f"bulk-order-{i}", f"bulk-phone-{i}" if i % 2 else None, when + dt.timedelta(seconds=i)))
    writer.close()
    stored = session.execute(select(Respondent.id, Respondent.token, Respondent.phone_hash, Respondent.created_at)
                             .where(Respondent.id >= first).order_by(Respondent.id)).all()
    assert [(row[0], row[1], row[2], as_utc(row[3])) for row in stored] == [
        (first + i, f"bulk-order-{i}", f"bulk-phone-{i}" if i % 2 else None, when + dt.timedelta(seconds=i))
        for i in range(count)]


def test_rows_go_after_every_writer_they_refer_to(session):
    """A writer flushes the writers named in ``after`` first (all of them), so the rows its rows
    refer to are there when they are written: a respondent, its rating, and a link to both."""
    from feedback.answers.models import Answer, AnsweredComment

    when = dt.datetime(2025, 5, 1, 12, tzinfo=dt.UTC)
    respondent_id, rating_id, answer_id = bulk.next_id(Respondent), bulk.next_id(Rating), bulk.next_id(Answer)
    respondents = bulk.Writer(Respondent, ("id", "token", "created_at"))
    ratings = bulk.Writer(Rating, ("id", "respondent_id", "municipality_code", "subject_code", "period", "overall",
                                   "created_at", "updated_at"), after=respondents)
    answers = bulk.Writer(Answer, ("id", "municipality_code", "subject_code", "period", "language", "body",
                                   "author_id", "created_at"))
    links = bulk.Writer(AnsweredComment, ("rating_id", "answer_id", "published_at"), batch=1, after=(ratings, answers))
    author = session.scalar(select(User.id).limit(1)) or _user(session)
    respondents.add((respondent_id, "bulk-after", when))
    ratings.add((rating_id, respondent_id, AK_BULUN, "LI-WATER", 2025, 4, when, when))
    answers.add((answer_id, AK_BULUN, "LI-WATER", 2025, "ru", "Спасибо", author, when))
    links.add((rating_id, answer_id, when))  # a batch of one: written now, after the three others
    assert (respondents.count, ratings.count, answers.count, links.count) == (1, 1, 1, 1)
    assert session.scalar(select(AnsweredComment.answer_id).where(AnsweredComment.rating_id == rating_id)) == answer_id
