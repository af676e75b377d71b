"""Storing ratings the way the application does (submit_rating, and the signal for every change)."""
import datetime as dt
import itertools

from sqlalchemy import select

from feedback.db import db
from feedback.ratings.abuse import Signals
from feedback.ratings.models import Respondent
from feedback.ratings.services import RatingInput, submit_rating

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
         quarantine: bool = False, channel: str = "web", address: str = "", sex: str | None = None,
         age_band: str | None = None):
    signals = Signals(municipality_code=municipality, respondent_id=who.id, address_hash=address,
                      honeypot="bot" if quarantine else "")
    return submit_rating(RatingInput(municipality, subject, overall, criteria=criteria or {}, channel=channel,
                                     sex=sex, age_band=age_band), who, signals, period=period).rating


def verify(who: Respondent) -> None:
    """Phone verification through the real service (request a code, confirm it): the respondent's
    ratings of the current period become verified and each change is announced by the service."""
    from feedback.ratings.phone import confirm_code, request_code

    issued = request_code(who, f"+996 700 {who.id % 1000:03d} {who.id // 1000 % 1000:03d}")
    confirm_code(who, issued.code)


def release(rating) -> None:
    """A moderator's release of a quarantined rating, through the real moderation service."""
    from feedback.accounts.models import User
    from feedback.moderation.services import release_rating

    moderator = db.session.scalar(select(User).where(User.email == "scorecards-moderator@example.org"))
    if moderator is None:
        moderator = User(email="scorecards-moderator@example.org", role="moderator", password_hash="-")
        db.session.add(moderator)
        db.session.flush()
    release_rating(moderator, rating.id)
