"""A rating changed: who listens (the scorecard aggregates) updates in the same transaction.

Everything that changes a rating's counted state — submission, replacement, moderation, phone
verification — sends ``rating_changed`` with the state before (None for a new rating) and after.
"""
from dataclasses import dataclass

from blinker import Namespace

rating_changed = Namespace().signal("rating-changed")


@dataclass(frozen=True)
class RatingState:
    municipality_code: str
    subject_code: str
    period: int
    overall: int
    status: str
    verified: bool
    criteria: tuple[tuple[str, int | None], ...]
    channel: str = "web"  # models.CHANNELS: the scorecard counts each channel apart too
    address_hash: str = ""  # the client address's hash ("" unknown): the distinct-address counts
    sex: str = ""  # as the resident stated them ("" not stated): the sample composition
    age_band: str = ""

    @classmethod
    def of_values(cls, values: dict, criteria: dict) -> "RatingState":
        """The state of a rating written from ``values`` (its columns) and ``criteria`` (code → score)."""
        return cls(values["municipality_code"], values["subject_code"], values["period"], values["overall"],
                   values["status"], bool(values["verified"]), tuple(sorted(criteria.items())),
                   values["channel"] or "web", values["address_hash"] or "", values["sex"] or "",
                   values["age_band"] or "")


@dataclass(frozen=True)
class RatingWritten:
    """The sender of ``rating_changed`` for a rating written without an ORM object (services)."""

    id: int
    respondent_id: int
    respondent_first: bool = False  # the respondent's first rating: they had no other (the cluster sums)


def state_of(rating, criteria: dict | None = None) -> RatingState:
    """The rating's state; ``criteria`` (code → score): the scores just written, when the caller has
    them (no reload of the rating's criteria)."""
    scores = criteria.items() if criteria is not None else ((c.criterion_code, c.score) for c in rating.criteria)
    return RatingState(rating.municipality_code, rating.subject_code, rating.period, rating.overall, rating.status,
                       bool(rating.verified), tuple(sorted(scores)),
                       rating.channel or "web", rating.address_hash or "", rating.sex or "", rating.age_band or "")


def changed(old: RatingState | None, rating, new: RatingState | None = None) -> None:
    """Announce the change of ``rating`` from ``old`` (after the rating was flushed); ``new``: its
    state when the caller knows it (no reload of the criteria just written)."""
    new = new if new is not None else state_of(rating)
    if old != new:
        rating_changed.send(rating, old=old, new=new)
