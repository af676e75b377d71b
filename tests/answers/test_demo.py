"""The demo seed's answers: published comments, answers (some late, some never), promises (some
overdue, some done) and judgements, so that the responsiveness track is published; clear removes
them. (Full `flask demo seed`: the track is published for 406 of 484 municipalities.)"""
import datetime as dt

import time_machine
from sqlalchemy import func, select

from feedback.answers import demo as answers_demo
from feedback.answers import queries
from feedback.answers.models import Answer, Judgement
from feedback.db import db
from feedback.ratings.models import Rating, Respondent
from feedback.scorecards import methodology as mth
from feedback.territory.models import Municipality

UNITS = ("41702205805000", "41702410000010", "41702205807000", "41702205812000", "41702205818000")


def _demo_ratings(year: int) -> None:
    start = dt.datetime(year, 1, 5, tzinfo=dt.UTC)
    for i, code in enumerate(UNITS * 30):
        respondent = Respondent(token=f"demo-answers-test-{i}")
        db.session.add(respondent)
        db.session.flush()
        when = start + dt.timedelta(days=i % 300)
        db.session.add(Rating(respondent_id=respondent.id, municipality_code=code, subject_code="LI-WATER",
                              period=year, overall=1 + i % 5, created_at=when, updated_at=when))
    db.session.flush()


def test_demo_answers_publish_the_track_and_are_removed():
    year = 2025
    with time_machine.travel(dt.datetime(year, 12, 20, tzinfo=dt.UTC), tick=False):
        _demo_ratings(year)
        counts = answers_demo.seed(seed_value=7, share=1.0)
        assert counts["answers"] > 20 and counts["judgements"] > 5
        assert {"promised", "done"} <= set(db.session.scalars(select(Answer.promise_status)))
        overdue = db.session.scalar(select(func.count(Answer.id)).where(
            Answer.promise_status == "promised", Answer.promise_due < queries.today()))
        assert overdue > 0
        published = [code for code in UNITS if queries.responsiveness_track(
            db.session.get(Municipality, code), year, mth.get(None))["index"] is not None]
        assert len(published) == len(UNITS)
        assert answers_demo.clear() == counts["answers"]
    assert db.session.scalar(select(func.count(Answer.id))) == 0
    assert db.session.scalar(select(func.count(Judgement.id))) == 0
