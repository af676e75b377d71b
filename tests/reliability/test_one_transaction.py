"""One request, one transaction: the views add and flush, and the request's boundary commits once
(feedback/db.py, commit_at_boundary). A rating is stored with its aggregates and the shared context's
counter, or nothing of it is; what was acknowledged is stored."""
import os
import sys
import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from feedback.db import db
from feedback.ratings.models import Rating, SubmissionKey
from feedback.ratings.services import current_period
from feedback.scorecards.models import PeriodCounter, RatingAggregate
from tests.conftest import csrf_token
from tests.ratings.test_views import AK_BULUN, Resident

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BOUNDARY = ["feedback/db.py"]  # the request's one commit (db.commit_view), never a view's own


@pytest.fixture
def commits(monkeypatch):
    """Where db.session.commit() was called from, each time (a savepoint that a service releases is
    not a commit)."""
    counted = []
    real = db.session.commit

    def commit():
        counted.append(os.path.relpath(sys._getframe(1).f_code.co_filename, ROOT))
        return real()

    monkeypatch.setattr(db.session, "commit", commit)
    return counted


def _state(session, subject="LI-WATER"):
    period = current_period()
    n = session.scalar(select(RatingAggregate.n).where(
        RatingAggregate.municipality_code == AK_BULUN, RatingAggregate.subject_code == subject,
        RatingAggregate.period == period)) or 0
    counter = session.scalar(select(PeriodCounter.counter).where(PeriodCounter.period == period)) or 0
    ratings = session.scalar(select(func.count()).select_from(Rating).where(
        Rating.municipality_code == AK_BULUN, Rating.subject_code == subject)) or 0
    return n, counter, ratings


def test_an_api_rating_is_one_commit_and_stored_with_its_aggregates(app, session, commits):
    before = _state(session)
    client_id = f"one-{uuid.uuid4().hex[:12]}"
    answer = Resident(app, "10.13.0.1").api({"municipality": AK_BULUN, "subject": "LI-WATER", "overall": 4,
                                             "client_id": client_id})
    assert answer.status_code == 201
    assert commits == BOUNDARY
    session.expire_all()
    assert _state(session) == (before[0] + 1, before[1] + 1, before[2] + 1)
    assert session.get(SubmissionKey, client_id).rating_id == answer.get_json()["id"]


def test_a_form_rating_is_one_commit_and_stored(app, session, commits):
    resident = Resident(app, "10.13.0.2")
    data = resident.form(AK_BULUN, "LI-WATER")
    before = _state(session)
    commits.clear()
    answer = resident.post(f"/ru/m/{AK_BULUN}/rate/LI-WATER", data={**data, "overall": "3"})
    assert answer.status_code == 303
    assert commits == BOUNDARY
    session.expire_all()
    assert _state(session)[2] == before[2] + 1


def test_a_failed_commit_stores_nothing_and_the_resend_stores_once(app, session, monkeypatch):
    """The database refuses the commit: 503 with Retry-After, no rating, no aggregate, no counter,
    no idempotency key (a half-written rating would make the resend a silent "already stored")."""
    before = _state(session)
    client_id = f"fail-{uuid.uuid4().hex[:12]}"
    payload = {"municipality": AK_BULUN, "subject": "LI-WATER", "overall": 5, "client_id": client_id}
    real_commit = db.session.commit

    def refuse():
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(db.session, "commit", refuse)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # as in production (TESTING re-raises)
    resident = Resident(app, "10.13.0.3")
    answer = resident.api(payload)
    assert answer.status_code == 503 and answer.headers["Retry-After"]
    monkeypatch.setattr(db.session, "commit", real_commit)
    session.expire_all()
    assert _state(session) == before
    assert session.get(SubmissionKey, client_id) is None
    again = resident.api(payload)
    assert again.status_code == 201
    assert resident.api(payload).status_code == 200  # the offline queue's resend: stored once
    session.expire_all()
    assert _state(session)[0] == before[0] + 1 and _state(session)[2] == before[2] + 1


def test_a_staff_decision_is_one_commit(app, session, client, create_user, sign_in, commits):
    """A view that redirects after its write (here signing out) leaves the commit to the boundary."""
    user = create_user("moderator")
    sign_in(client, user)
    page = client.get("/ru/account")
    commits.clear()
    answer = client.post("/ru/logout", data={"csrf_token": csrf_token(page.text)})
    assert answer.status_code == 303
    assert commits == BOUNDARY
    session.expire_all()
    assert client.get("/ru/account").status_code == 302  # the session row was ended and committed
