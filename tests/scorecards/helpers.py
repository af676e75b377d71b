"""Storing ratings the way the application does (submit_rating, and the signal for every change)."""
import datetime as dt
import itertools

from feedback.db import db
from feedback.ratings.abuse import Signals
from feedback.ratings.models import Respondent
from feedback.ratings.services import RatingInput, submit_rating
from feedback.ratings.signals import changed, state_of

AK_BULUN = "41702205805000"  # aiyl aimak, Issyk-Kul region
KARAKOL = "41702410000010"  # city, Issyk-Kul region
_tokens = itertools.count(1)


def respondent(verified: bool = False) -> Respondent:
    r = Respondent(token=f"test-{next(_tokens)}-{id(object())}",
                   phone_verified_at=dt.datetime.now(dt.UTC) if verified else None)
    db.session.add(r)
    db.session.flush()
    return r


def rate(who: Respondent, municipality: str, subject: str, overall: int, period: int, criteria=None,
         quarantine: bool = False):
    signals = Signals(municipality_code=municipality, respondent_id=who.id, address_hash="",
                      honeypot="bot" if quarantine else "")
    return submit_rating(RatingInput(municipality, subject, overall, criteria=criteria or {}), who, signals,
                         period=period).rating


def verify(who: Respondent) -> None:
    """What phone verification does: mark the respondent and announce each rating's change."""
    from sqlalchemy import select

    from feedback.ratings.models import Rating

    who.phone_verified_at = dt.datetime.now(dt.UTC)
    for rating in db.session.scalars(select(Rating).where(Rating.respondent_id == who.id, Rating.verified.is_(False))):
        before = state_of(rating)
        rating.verified = True
        db.session.flush()
        changed(before, rating)


def release(rating) -> None:
    """What a moderator's release of a quarantined rating does."""
    before = state_of(rating)
    rating.status, rating.quarantine_rule, rating.quarantine_decision = "accepted", None, "released"
    db.session.flush()
    changed(before, rating)
