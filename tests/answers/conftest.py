"""Comments to answer, the municipality's staff, and a resident's device, in the test's transaction."""
import datetime as dt
import itertools

import pytest
from itsdangerous import URLSafeSerializer

from feedback.ratings.models import Rating, Respondent
from feedback.ratings.services import current_period
from feedback.ratings.signals import changed

AK_BULUN = "41702205805000"
KARAKOL = "41702410000010"


@pytest.fixture
def make_comment(session):
    """make_comment(text, subject_code=…, respondent=…, days_ago=0): an approved comment published
    ``days_ago`` days ago."""
    counter = itertools.count(1)

    def make(text: str = "Суу жок", *, municipality_code: str = AK_BULUN, subject_code: str = "LI-WATER",
             respondent: Respondent | None = None, days_ago: float = 0, overall: int = 2,
             status: str = "approved", period: int | None = None) -> Rating:
        if respondent is None:
            respondent = Respondent(token=f"answers-test-{next(counter)}-{id(session)}")
            session.add(respondent)
            session.flush()
        at = dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)
        rating = Rating(respondent_id=respondent.id, municipality_code=municipality_code, subject_code=subject_code,
                        period=period or current_period(), overall=overall, comment=text, comment_status=status,
                        comment_moderated_at=at if status == "approved" else None, created_at=at, updated_at=at)
        session.add(rating)
        session.flush()
        changed(None, rating)
        return rating

    return make


@pytest.fixture
def staff(create_user):
    return create_user("lsg_staff", municipality_code=AK_BULUN)


@pytest.fixture
def other_staff(create_user):
    return create_user("lsg_staff", municipality_code=KARAKOL)


@pytest.fixture
def resident(session):
    respondent = Respondent(token="answers-resident-device")
    session.add(respondent)
    session.flush()
    return respondent


@pytest.fixture
def as_device(app):
    """as_device(client, respondent): the client carries that respondent's signed cookie."""
    def use(client, respondent):
        value = URLSafeSerializer(app.config["SECRET_KEY"], salt="respondent").dumps(respondent.token)
        client.set_cookie("respondent", value, domain="localhost")
        return client

    return use
