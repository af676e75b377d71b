"""Ratings by channel: how many came by the web form, the offline queue, SMS/messengers and paper."""
from dataclasses import dataclass

from sqlalchemy import func, select

from ..db import db
from ..ratings.models import CHANNELS


@dataclass
class ChannelCount:
    channel: str
    n: int  # accepted ratings
    mean: float | None  # plain mean of their overall scores
    n_quarantined: int


def channel_counts(municipality_code: str | None, period: int) -> list[ChannelCount]:
    """One row per channel (all four, zeros included), for one municipality or (None) for all, from
    the per-channel aggregates (kept in every rating's transaction): no request reads the ratings."""
    from ..scorecards.models import ChannelAggregate as a

    query = (select(a.channel, func.sum(a.n), func.sum(a.total), func.sum(a.n_quarantined))
             .where(a.period == period).group_by(a.channel))
    if municipality_code is not None:
        query = query.where(a.municipality_code == municipality_code)
    found = {channel: (int(n or 0), int(total or 0) / int(n) if n else None, int(q or 0))
             for channel, n, total, q in db.session.execute(query)}
    return [ChannelCount(channel, *found.get(channel, (0, None, 0))) for channel in CHANNELS]


def channels_json(municipality_code: str | None, period: int) -> dict:
    return {row.channel: {"n": row.n, "mean": None if row.mean is None else round(row.mean, 2),
                          "n_quarantined": row.n_quarantined} for row in channel_counts(municipality_code, period)}
