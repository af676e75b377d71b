"""Demo seed: final transparency assessments with replies and peer reviews, and priorities; clear removes them."""
from sqlalchemy import func, select

from feedback.scorecards import demo
from feedback.transparency.models import BudgetPriority, TransparencyAssessment, TransparencyReply


def test_seed_includes_transparency_and_clear_removes_it(session):
    counts = demo.seed(scale=0.05)
    assert counts["transparency_assessments"] > 400 and counts["budget_priorities"] > 20

    def n(model, *where):
        return session.scalar(select(func.count()).select_from(model).where(*where))

    assert n(TransparencyAssessment, TransparencyAssessment.status != "final") == 0
    assert n(TransparencyReply) > 0 and n(TransparencyAssessment, TransparencyAssessment.reviewer_id.is_(None)) == 0
    demo.clear()
    assert n(TransparencyAssessment) == 0 and n(BudgetPriority) == 0
