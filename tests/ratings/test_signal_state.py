"""The state a rating's change announces is the rating as stored: the submit path builds it by hand
(to avoid reloading the criteria it just wrote), so every field the receivers key on (channel,
address, criteria, …) must equal ``state_of`` of the stored row, or an aggregate drifts."""
from feedback.db import db
from feedback.ratings.models import Rating
from feedback.ratings.signals import rating_changed, state_of
from tests.scorecards.helpers import AK_BULUN, rate, respondent


def test_the_announced_state_is_the_stored_rating(app):
    announced = []

    def receiver(rating, old, new):
        announced.append((rating.id, new))

    rating_changed.connect(receiver)
    try:
        who = respondent()
        rate(who, AK_BULUN, "LI-WATER", 4, 2025, {"CR-RESULT": 3, "CR-TIME": None}, channel="sms", address="a" * 64)
        rate(who, AK_BULUN, "LI-WATER", 2, 2025, {"CR-RESULT": 5}, channel="assisted", address="b" * 64)
    finally:
        rating_changed.disconnect(receiver)
    assert len(announced) == 2
    db.session.expire_all()
    rating_id, last = announced[-1]
    assert last == state_of(db.session.get(Rating, rating_id))
    assert (last.channel, last.address_hash) == ("assisted", "b" * 64)
