"""Ratings and comments to moderate, created directly in the test's transaction."""
import datetime as dt
import itertools

import pytest
from sqlalchemy import select

from feedback.ratings.models import Rating, Respondent
from feedback.ratings.services import current_period
from feedback.ratings.signals import changed
from feedback.territory.models import Municipality

AK_BULUN = "41702205805000"  # Issyk-Kul region
KARAKOL = "41702410000010"  # the same region
ISSYK_KUL = "41702000000000"


@pytest.fixture
def elsewhere(session) -> Municipality:
    """A current municipality in another region than Ak-Bulun's."""
    return session.scalar(select(Municipality).where(Municipality.region_code != ISSYK_KUL,
                                                     Municipality.valid_to.is_(None)).order_by(Municipality.code).limit(1))


@pytest.fixture
def make_rating(session):
    """A callable: make_rating(comment="…", status="quarantined", rule="too_fast", minutes_ago=5, …)."""
    counter = itertools.count(1)

    def make(municipality_code: str = AK_BULUN, subject_code: str = "LI-WATER", *, overall: int = 4,
             comment: str | None = None, comment_status: str | None = None, flags: str = "",
             status: str = "accepted", rule: str | None = None, minutes_ago: int = 0) -> Rating:
        respondent = Respondent(token=f"moderation-test-{next(counter)}-{id(session)}")
        session.add(respondent)
        session.flush()
        at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes_ago)
        rating = Rating(respondent_id=respondent.id, municipality_code=municipality_code, subject_code=subject_code,
                        period=current_period(), overall=overall, comment=comment,
                        comment_status=comment_status or ("pending" if comment else None), comment_flags=flags,
                        status=status, quarantine_rule=rule or ("too_fast" if status == "quarantined" else None),
                        created_at=at, updated_at=at)
        session.add(rating)
        session.flush()
        changed(None, rating)
        return rating

    return make
