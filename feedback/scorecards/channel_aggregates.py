"""Running aggregates per channel (web, offline web, SMS and messengers, paper): the numbers of the
scorecard's channel switch (``?channel=``).

The same columns as ``rating_aggregate`` with the channel in the key, in a table of their own
(``channel_aggregate``): the aggregates the default scorecard reads are not touched. The receiver in
``aggregates.py`` calls ``apply_change`` for every change of a rating's counted state (so they
commit or roll back together with the rating and the other aggregates), and ``rebuild_aggregates``
calls ``rebuild``. A rating that moves from one channel to another (the same phone replaces its web
rating by SMS) leaves the first channel's numbers and joins the second's.
"""
from sqlalchemy import and_, case, delete, func, insert, select

from ..db import db
from ..ratings.models import Rating
from ..ratings.signals import RatingState
from .models import ChannelAggregate
from .queries import RATING_COLUMNS

ChannelKey = tuple[str, str, str, int]  # municipality, subject, channel, period
KEY_COLUMNS = ("municipality_code", "subject_code", "channel", "period")


def contribution(state: RatingState | None, sign: int) -> dict[ChannelKey, dict[str, int]]:
    """What one rating adds to (+1) or removes from (−1) its channel's row: the rating aggregate's
    own contribution, keyed by channel too."""
    from .aggregates import contribution as rating_contribution

    if state is None:
        return {}
    ratings, _criteria = rating_contribution(state, sign)
    return {(m, s, state.channel, p): row for (m, s, p), row in ratings.items()}


def apply_change(old: RatingState | None, new: RatingState | None) -> None:
    from .aggregates import _merge, _upsert

    rows = contribution(old, -1)
    _merge(rows, contribution(new, +1))
    _upsert(ChannelAggregate, RATING_COLUMNS, [(dict(zip(KEY_COLUMNS, key, strict=True)), delta)
                                               for key, delta in rows.items()])


def recompute() -> dict[ChannelKey, dict[str, int]]:
    accepted = Rating.status == "accepted"
    verified = and_(accepted, Rating.verified.is_(True))

    def total(condition, value=1):
        return func.coalesce(func.sum(case((condition, value), else_=0)), 0)

    stmt = select(
        Rating.municipality_code, Rating.subject_code, Rating.channel, Rating.period,
        total(accepted), total(accepted, Rating.overall), total(accepted, Rating.overall * Rating.overall),
        *(total(and_(accepted, Rating.overall == k)) for k in range(1, 6)),
        total(verified), total(verified, Rating.overall), total(verified, Rating.overall * Rating.overall),
        total(Rating.status != "accepted"),
    ).group_by(Rating.municipality_code, Rating.subject_code, Rating.channel, Rating.period)
    return {tuple(row[:4]): dict(zip(RATING_COLUMNS, (int(v) for v in row[4:]), strict=True))
            for row in db.session.execute(stmt)}


def stored() -> dict[ChannelKey, dict[str, int]]:
    cols = [getattr(ChannelAggregate, c) for c in RATING_COLUMNS]
    stmt = select(*(getattr(ChannelAggregate, c) for c in KEY_COLUMNS), *cols)
    return {tuple(row[:4]): dict(zip(RATING_COLUMNS, (int(v) for v in row[4:]), strict=True))
            for row in db.session.execute(stmt)}


def rebuild() -> list[tuple]:
    """Recompute every channel row from the raw ratings, store it, return the differences found."""
    from .aggregates import differences

    rows = recompute()
    found = differences(stored(), rows)
    db.session.execute(delete(ChannelAggregate))
    if rows:
        db.session.execute(insert(ChannelAggregate), [dict(zip(KEY_COLUMNS, key, strict=True), **row)
                                                      for key, row in rows.items()])
    return found
