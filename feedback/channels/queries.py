"""Ratings by channel: how many came by the web form, the offline queue, SMS/messengers and paper."""
from dataclasses import dataclass

from sqlalchemy import case, func, select

from ..db import db
from ..ratings.models import CHANNELS, Rating


@dataclass
class ChannelCount:
    channel: str
    n: int  # accepted ratings
    mean: float | None  # plain mean of their overall scores
    n_quarantined: int


def channel_counts(municipality_code: str | None, period: int) -> list[ChannelCount]:
    """One row per channel (all four, zeros included), for one municipality or (None) for all."""
    accepted = Rating.status == "accepted"
    query = (select(Rating.channel, func.sum(case((accepted, 1), else_=0)),
                    func.avg(case((accepted, Rating.overall), else_=None)),
                    func.sum(case((accepted, 0), else_=1)))
             .where(Rating.period == period).group_by(Rating.channel))
    if municipality_code is not None:
        query = query.where(Rating.municipality_code == municipality_code)
    found = {channel: (int(n or 0), float(mean) if mean is not None else None, int(q or 0))
             for channel, n, mean, q in db.session.execute(query)}
    return [ChannelCount(channel, *found.get(channel, (0, None, 0))) for channel in CHANNELS]


def channels_json(municipality_code: str | None, period: int) -> dict:
    return {row.channel: {"n": row.n, "mean": None if row.mean is None else round(row.mean, 2),
                          "n_quarantined": row.n_quarantined} for row in channel_counts(municipality_code, period)}
