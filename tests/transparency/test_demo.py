"""Demo data: final transparency assessments with replies and peer reviews, and residents' priorities,
marked as demonstration data; clear removes them. (tests/scorecards/test_demo.py runs the whole
`demo seed` / `demo clear`, which call these.)"""
from sqlalchemy import func, select

from feedback.catalog.models import Period
from feedback.ratings.models import Rating, Respondent
from feedback.ratings.services import current_period
from feedback.scorecards import demo as scorecards_demo
from feedback.transparency import demo
from feedback.transparency.models import BudgetPriority, TransparencyAssessment, TransparencyReply

AK_BULUN = "41702205805000"


def test_seed_and_clear(session):
    year = current_period()
    session.add_all([Period(year=year - 1, status="closed"), Period(year=year, status="open")])
    for i in range(40):
        respondent = Respondent(token=f"demo-test-{i}")
        session.add(respondent)
        session.flush()
        session.add(Rating(respondent_id=respondent.id, municipality_code=AK_BULUN, subject_code="LI-WATER",
                           period=year, overall=3, status="accepted"))
    session.flush()
    counts = demo.seed([year - 1, year])

    def n(model, *where):
        return session.scalar(select(func.count()).select_from(model).where(*where))

    assert counts["transparency_assessments"] > 400 and 5 < counts["budget_priorities"] < 40
    assert n(TransparencyAssessment, TransparencyAssessment.status != "final") == 0
    assert n(TransparencyAssessment, TransparencyAssessment.reviewer_id.is_(None)) == 0 and n(TransparencyReply) > 0
    assert scorecards_demo.demo_present()  # the demonstration banner shows
    demo.clear()
    assert n(TransparencyAssessment) == 0 and n(BudgetPriority) == 0
