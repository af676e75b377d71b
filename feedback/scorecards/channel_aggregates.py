"""Running aggregates per channel (web, offline web, SMS and messengers, paper): the numbers of the
scorecard's channel switch (``?channel=``).

The same columns as ``rating_aggregate`` with the channel in the key, in a table of their own
(``channel_aggregate``): the aggregates the default scorecard reads are not touched. The receiver in
``aggregates.py`` calls ``apply_change`` for every change of a rating's counted state (so they
commit or roll back together with the rating and the other aggregates), and ``rebuild_aggregates``
stores ``CHANNELS`` again from the raw rows. A rating that moves from one channel to another (the
same phone replaces its web rating by SMS) leaves the first channel's numbers and joins the second's.
"""
from ..ratings.signals import RatingState
from . import derive
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


CHANNELS = derive.Aggregate(ChannelAggregate, KEY_COLUMNS, RATING_COLUMNS, derive.channels)


def recompute() -> dict[ChannelKey, dict[str, int]]:
    return CHANNELS.recompute()


def stored() -> dict[ChannelKey, dict[str, int]]:
    return CHANNELS.stored()
