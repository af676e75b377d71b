"""`flask demo seed` shows every channel: web, offline web, SMS (verified phones only) and paper."""
from sqlalchemy import func, select

from feedback.db import db
from feedback.ratings.models import CHANNELS, Rating
from feedback.scorecards import demo
from tests.scorecards.helpers import AK_BULUN, rate, respondent


def test_demo_seed_has_ratings_by_every_channel():
    own = rate(respondent(), AK_BULUN, "LI-WATER", 3, 2025)
    demo.seed(scale=0.02)
    by_channel = dict(db.session.execute(select(Rating.channel, func.count()).group_by(Rating.channel)).tuples().all())
    assert set(by_channel) == set(CHANNELS)
    assert by_channel["web"] > by_channel["offline_web"] > 0 and by_channel["sms"] > 0 and by_channel["assisted"] > 0
    assert db.session.scalar(select(func.count()).select_from(Rating).where(
        Rating.channel == "sms", Rating.verified.is_(False))) == 0
    db.session.refresh(own)
    assert own.channel == "web"  # real ratings are never relabelled
