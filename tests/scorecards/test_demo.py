"""`flask demo seed` and `flask demo clear`: marked, caught by the rules, aggregated, removable."""
from sqlalchemy import func, select

from feedback.db import db
from feedback.evaluation.models import StateEvaluation
from feedback.ratings.models import Rating, Respondent
from feedback.scorecards import aggregates, demo, queries
from tests.helpers import fresh_get, visible_text
from tests.scorecards.helpers import AK_BULUN, rate, respondent


def test_seed_and_clear(app, client):
    own = respondent()
    rate(own, AK_BULUN, "LI-WATER", 3, 2025)
    counts = demo.seed(scale=0.05)
    assert counts["ratings"] > 1000 and counts["quarantined"] > 0 and counts["evaluations"] > 0
    assert demo.demo_present()
    assert aggregates.differences(aggregates.stored_rating_aggregates(), aggregates.recompute_rating_aggregates()) == []
    rules = set(db.session.scalars(select(Rating.quarantine_rule).where(Rating.status == "quarantined")))
    assert rules == {"too_fast", "honeypot", "burst_address"}
    assert db.session.scalar(select(func.count()).select_from(StateEvaluation).where(StateEvaluation.status != "final")) == 0
    covered = db.session.scalar(select(func.count(func.distinct(Rating.municipality_code))))
    assert covered >= 480  # every municipality in force (484), ours included
    for lang, words in (("ky", "Демонстрациялык маалыматтар"), ("ru", "Демонстрационные данные")):
        assert words in visible_text(fresh_get(app, client, f"/{lang}/").get_data(as_text=True))

    # The grouping promise over the whole (small) demonstration history: within every peer group,
    # two municipalities whose intervals overlap are never in different classes.
    from feedback.scorecards import context, methodology

    for period in {key[2] for key in aggregates.stored_rating_aggregates()}:
        units = [u for u in context.compute(period, methodology.get())["units"].values() if u["est"] is not None]
        for a in units:
            for b in units:
                if a["group"] == b["group"] and a["low"] <= b["high"] and b["low"] <= a["high"]:
                    assert a["class"] == b["class"]

    removed = demo.clear()
    assert removed["ratings"] == counts["ratings"] and not demo.demo_present()
    assert db.session.scalar(select(func.count()).select_from(Respondent).where(Respondent.token.like("demo-%"))) == 0
    assert aggregates.stored_rating_aggregates() == {(AK_BULUN, "LI-WATER", 2025): {
        **dict.fromkeys(queries.RATING_COLUMNS, 0), "n": 1, "total": 3, "total_sq": 9, "n3": 1}}
    assert "Демонстрационные" not in fresh_get(app, client, "/ru/").get_data(as_text=True)


def test_answers_and_priorities_are_drawn_with_the_ratings():
    """Drawn in the ratings' pass (no second pass, no UPDATE): every answered comment is a demo
    rating's approved comment, published before its answer; a municipality that answers has at least
    6 published comments a period, or all its ratings (ratings without one get one when it has too few); about half of
    the current period's demo respondents name priorities, distinct issues without a gap, that apply
    to where they rated; and every table loaded has its indexes and constraints back."""
    from feedback.answers.models import Answer, AnsweredComment, Judgement
    from feedback.catalog.models import MUNICIPALITY_KIND_APPLIES, Subject
    from feedback.ratings.services import current_period
    from feedback.territory.models import Municipality
    from feedback.transparency.models import BudgetPriority
    from tests.test_bulk import _schema

    tables = ("respondent", "rating", "criterion_score", "budget_priority", "answer", "answered_comment",
              "answer_judgement")
    before = {table: _schema(table) for table in tables}
    counts = demo.seed(scale=0.05)
    assert {table: _schema(table) for table in tables} == before

    answered = db.session.execute(
        select(Rating.comment, Rating.comment_status, Rating.created_at, Rating.comment_moderated_at,
               AnsweredComment.published_at, Answer.created_at, Answer.municipality_code, Rating.municipality_code,
               Respondent.token)
        .join(AnsweredComment, AnsweredComment.rating_id == Rating.id).join(Answer, Answer.id == AnsweredComment.answer_id)
        .join(Respondent, Respondent.id == Rating.respondent_id)).all()
    assert len(answered) == counts["answers"] > 1000
    for comment, status, created, moderated, published, answered_at, answer_unit, rating_unit, token in answered:
        assert comment and status == "approved" and token.startswith("demo-") and answer_unit == rating_unit
        assert moderated == published and created <= published < answered_at
    # Only approved comments are published; every municipality and period with an answer has 6 or more.
    assert db.session.scalar(select(func.count()).select_from(Rating).where(
        Rating.comment_moderated_at.is_not(None), Rating.comment_status != "approved")) == 0
    published = db.session.execute(select(Rating.municipality_code, Rating.period, func.count()).where(
        Rating.comment_moderated_at.is_not(None)).group_by(Rating.municipality_code, Rating.period)).all()
    candidates = dict(((code, period), n) for code, period, n in db.session.execute(  # no pending comment
        select(Rating.municipality_code, Rating.period, func.count()).where(
            Rating.status == "accepted", Rating.address_hash == "", func.coalesce(Rating.comment_status, "") != "pending")
        .group_by(Rating.municipality_code, Rating.period)))
    assert [(code, period, n) for code, period, n in published if n < min(6, candidates[code, period])] == []
    answering = {code for code, _period, _n in published}
    assert 0.7 < len(answering) / len(set(db.session.scalars(select(Rating.municipality_code).distinct()))) < 0.9
    judged = db.session.scalar(select(func.count()).select_from(Judgement))
    assert 0.45 < judged / counts["answers"] < 0.65

    year = current_period()
    rated = set(db.session.execute(select(Rating.respondent_id, Rating.municipality_code).join(
        Respondent, Respondent.id == Rating.respondent_id).where(Rating.period == year, Respondent.token.like("demo-%"))))
    priorities = db.session.execute(select(BudgetPriority.respondent_id, BudgetPriority.municipality_code,
                                           BudgetPriority.period, BudgetPriority.first_code, BudgetPriority.second_code,
                                           BudgetPriority.third_code)).all()
    assert len(priorities) == counts["budget_priorities"]
    assert 0.45 < len(priorities) / len({respondent_id for respondent_id, _ in rated}) < 0.55
    kinds = dict(db.session.execute(select(Municipality.code, Municipality.kind)).all())
    applies = dict(db.session.execute(select(Subject.code, Subject.applies_to).where(Subject.kind == "local_issue")).all())
    for respondent_id, code, period, *picks in priorities:
        assert period == year and (respondent_id, code) in rated
        named = [pick for pick in picks if pick]
        assert picks[:len(named)] == named and len(set(named)) == len(named) >= 1
        assert all(applies[pick] in MUNICIPALITY_KIND_APPLIES[kinds[code]] for pick in named)
    assert any(third is not None for *_, third in priorities)  # some name three
