"""Data in the live server's database, for browser journeys that need users or ratings.

The live server (conftest.live_server) builds its own SQLite file. ``live_db`` gives a function
that runs code inside an application bound to that same file and commits, so the server sees the
result at once:

    from tests.e2e.data_fixtures import create_user, live_db  # noqa: F401 (a fixture)

    def test_something(live_db, ...):
        user_id = live_db(create_user, "moderator", email="m@example.kg", password="…")
        live_db(lambda: db.session.add(...))

Return plain values (ids, codes) from the function: ORM objects do not outlive its session.
"""
import datetime as dt
import itertools
from pathlib import Path

import pytest

from feedback import create_app
from feedback.db import db

PASSWORD = "a long e2e password 1"
_tokens = itertools.count(1)


def _live_database_url(tmp_path_factory) -> str:
    # conftest.live_server keeps its database in tmp_path_factory.mktemp("e2e-db")/e2e.sqlite3.
    found = sorted(Path(tmp_path_factory.getbasetemp()).glob("e2e-db*/e2e.sqlite3"),
                   key=lambda path: path.stat().st_mtime)
    assert found, "the live server's database was not found (did live_server change where it keeps it?)"
    return "sqlite:///" + str(found[-1])


@pytest.fixture(scope="session")
def live_db(live_server, tmp_path_factory):
    """A callable: live_db(fn, *args, **kwargs) runs fn in an app context on the live database,
    commits, and returns fn's result."""
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": _live_database_url(tmp_path_factory),
        "SECRET_KEY": "e2e",
        "RATELIMIT_ENABLED": False,
    })

    def run(fn, *args, **kwargs):
        with app.app_context():
            try:
                result = fn(*args, **kwargs)
                db.session.commit()
                return result
            except BaseException:
                db.session.rollback()
                raise
            finally:
                db.session.remove()

    yield run
    with app.app_context():
        db.engine.dispose()


def create_user(role: str, *, email: str, password: str = PASSWORD, **fields) -> int:
    """A user (no second factor enrolled); returns its id. Run it through live_db."""
    from argon2 import PasswordHasher

    from feedback.accounts.models import User

    hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # fast in tests only
    user = User(email=email, role=role, password_hash=hasher.hash(password), **fields)
    db.session.add(user)
    db.session.flush()
    return user.id


def create_rating(municipality_code: str, subject_code: str, *, overall: int = 4, comment: str | None = None,
                  status: str = "accepted", rule: str | None = None, flags: str = "") -> int:
    """A rating by a new respondent, announced to the aggregates as a submission would be; returns its id.
    Run it through live_db."""
    from feedback.ratings.models import Rating, Respondent
    from feedback.ratings.services import current_period
    from feedback.ratings.signals import changed

    respondent = Respondent(token=f"e2e-data-{next(_tokens)}-{dt.datetime.now(dt.UTC).timestamp()}")
    db.session.add(respondent)
    db.session.flush()
    rating = Rating(respondent_id=respondent.id, municipality_code=municipality_code, subject_code=subject_code,
                    period=current_period(), overall=overall, comment=comment,
                    comment_status="pending" if comment else None, comment_flags=flags, status=status,
                    quarantine_rule=rule or ("too_fast" if status == "quarantined" else None))
    db.session.add(rating)
    db.session.flush()
    changed(None, rating)
    return rating.id
