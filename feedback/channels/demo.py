"""Demonstration data: label a share of the generated ratings with the other channels, so that the
channel split shows on a first look. Hooked into ``scorecards.demo.seed`` with one line."""
from sqlalchemy import update

from ..db import db
from ..ratings.models import Rating, Respondent


def label_channels(prefix: str) -> dict:
    """About 6 % of ratings by SMS (only ratings with a verified phone: the sender's number), 8 % sent
    later from the offline queue, 5 % from paper questionnaires. Deterministic (by id). Flushes."""
    demo = Rating.respondent_id.in_(Respondent.__table__.select().with_only_columns(Respondent.id)
                                    .where(Respondent.token.like(prefix + "%")).scalar_subquery())
    counts = {}
    for channel, rule in (("sms", Rating.verified.is_(True) & (Rating.id % 4 == 0)),
                          ("offline_web", Rating.id % 13 == 1),
                          ("assisted", Rating.verified.is_(False) & (Rating.id % 19 == 2))):
        counts[channel] = db.session.execute(
            update(Rating).where(demo, Rating.channel == "web", rule).values(channel=channel)
            .execution_options(synchronize_session=False)).rowcount
    return counts
