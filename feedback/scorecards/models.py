"""Running aggregates and the versioned methodology.

Aggregates are kept per municipality × subject × period (and per criterion), updated in the same
transaction as each rating, so that a scorecard never scans raw ratings. ``flask scorecards
rebuild`` recomputes them from the ratings and reports any difference.
"""
import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import CatalogCode, SoateCode, db, utcnow


class RatingSums:
    """The sums one group of ratings is kept as (``queries.RATING_COLUMNS``): accepted ratings' count,
    sum, sum of squares and distribution; verified ones apart; quarantined count."""

    n: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    total_sq: Mapped[int] = mapped_column(default=0)
    n1: Mapped[int] = mapped_column(default=0)
    n2: Mapped[int] = mapped_column(default=0)
    n3: Mapped[int] = mapped_column(default=0)
    n4: Mapped[int] = mapped_column(default=0)
    n5: Mapped[int] = mapped_column(default=0)
    n_verified: Mapped[int] = mapped_column(default=0)
    total_verified: Mapped[int] = mapped_column(default=0)
    total_sq_verified: Mapped[int] = mapped_column(default=0)
    n_quarantined: Mapped[int] = mapped_column(default=0)


class RatingAggregate(RatingSums, db.Model):
    """Accepted ratings' count, sum, sum of squares and distribution; verified ones apart; quarantined count."""

    __tablename__ = "rating_aggregate"

    municipality_code: Mapped[SoateCode] = mapped_column(ForeignKey("municipality.code"), primary_key=True)
    subject_code: Mapped[CatalogCode] = mapped_column(ForeignKey("subject.code"), primary_key=True)
    period: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)


class CriterionAggregate(db.Model):
    """Accepted ratings' scores on one criterion ("don't know" counted apart, never averaged)."""

    __tablename__ = "criterion_aggregate"

    municipality_code: Mapped[SoateCode] = mapped_column(ForeignKey("municipality.code"), primary_key=True)
    subject_code: Mapped[CatalogCode] = mapped_column(ForeignKey("subject.code"), primary_key=True)
    criterion_code: Mapped[CatalogCode] = mapped_column(ForeignKey("criterion.code"), primary_key=True)
    period: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    total_sq: Mapped[int] = mapped_column(default=0)
    n_unknown: Mapped[int] = mapped_column(default=0)


class Methodology(db.Model):
    """A published version of the scoring rules; its parameters are JSON (see scorecards/methodology.py)."""

    __tablename__ = "methodology"

    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    parameters: Mapped[str] = mapped_column(Text)
    notes: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class ClusterAggregate(db.Model):
    """Per municipality and period, sums over respondents r of their accepted ratings there (n_r ratings
    with overall scores summing to Y_r): how many respondents, Σ n_r², Σ Y_r², Σ n_r·Y_r — what the
    cluster-robust variance needs, since many residents rate several subjects."""

    __tablename__ = "cluster_aggregate"

    municipality_code: Mapped[SoateCode] = mapped_column(ForeignKey("municipality.code"), primary_key=True)
    period: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    respondents: Mapped[int] = mapped_column(default=0)
    n_sq: Mapped[int] = mapped_column(default=0)
    y_sq: Mapped[int] = mapped_column(default=0)
    ny: Mapped[int] = mapped_column(default=0)


class AddressAggregate(db.Model):
    """Accepted ratings per client address (its hash) in a municipality and period, per subject and over
    all its subjects (``subject_code`` ''): an address counts toward the distinct addresses of a row
    while its ``n`` is positive. Ratings with no known address are not kept here (each counts as an
    address of its own, straight into ``AddressCount``)."""

    __tablename__ = "address_aggregate"

    municipality_code: Mapped[SoateCode] = mapped_column(ForeignKey("municipality.code"), primary_key=True)
    period: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    address_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    subject_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    n: Mapped[int] = mapped_column(default=0)


class AddressCount(db.Model):
    """Distinct client addresses among a municipality's accepted ratings of a period, per subject and
    over all its subjects (``subject_code`` ''), a rating with no known address counting as one of its
    own: what the methodology's ``min_distinct_addresses`` is checked against, read by the card and the
    shared context instead of the raw ratings."""

    __tablename__ = "address_count"

    # period first: the shared context reads a whole period, the card one municipality of it
    period: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    municipality_code: Mapped[SoateCode] = mapped_column(ForeignKey("municipality.code"), primary_key=True)
    subject_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    addresses: Mapped[int] = mapped_column(default=0)


class PeriodCounter(db.Model):
    """Bumped in the transaction of every change of a period's counted ratings: a stored scorecard
    context computed at another count is stale."""

    __tablename__ = "period_counter"

    period: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    counter: Mapped[int] = mapped_column(default=0)


class UnitCounter(db.Model):
    """Bumped with ``period_counter`` in the transaction of every change to a rating of this
    municipality and period (and by ``flask scorecards rebuild``): the key of the municipality's own
    kept card (scorecards/kept.py), which a rating elsewhere leaves as it is."""

    __tablename__ = "unit_counter"

    municipality_code: Mapped[SoateCode] = mapped_column(primary_key=True)
    period: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    counter: Mapped[int] = mapped_column(default=0)


class ScorecardContext(db.Model):
    """The peer context of a period under one methodology version (and mode), shared by every process:
    subject effects, peer groups' μ and τ², every unit's estimate, interval and positions (JSON),
    computed at ``counter``. ``computing_since`` is the claim of the one process recomputing it."""

    __tablename__ = "scorecard_context"

    period: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    verified: Mapped[bool] = mapped_column(primary_key=True)
    counter: Mapped[int] = mapped_column(default=-1)
    payload: Mapped[str] = mapped_column(Text, default="")
    computed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    computing_since: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Random, new with every stored payload: a process may reuse its parse of the payload only while
    # the row still carries the stamp it parsed (context._parsed).
    stamp: Mapped[str] = mapped_column(String(16), default="", server_default="")


class ChannelAggregate(RatingSums, db.Model):
    """The same numbers as ``RatingAggregate``, per channel (web, offline web, SMS, paper): what the
    scorecard's channel switch shows. Kept by the same signal receiver in the same transaction and
    rebuilt by the same ``flask scorecards rebuild``; ``rating_aggregate`` itself is untouched."""

    __tablename__ = "channel_aggregate"

    municipality_code: Mapped[SoateCode] = mapped_column(ForeignKey("municipality.code"), primary_key=True)
    subject_code: Mapped[CatalogCode] = mapped_column(ForeignKey("subject.code"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(12), primary_key=True)
    period: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)


class CompositionAggregate(db.Model):
    """How many accepted ratings of a municipality and period came by a channel from residents of one
    sex or one age band (``value`` "" where they did not say): the scorecard's sample composition,
    kept by the same signal receiver in the rating's transaction (``aggregates.apply_composition_change``)
    so that no request reads the ratings for it."""

    __tablename__ = "composition_aggregate"

    municipality_code: Mapped[SoateCode] = mapped_column(ForeignKey("municipality.code"), primary_key=True)
    period: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    channel: Mapped[str] = mapped_column(String(12), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(10), primary_key=True)  # "sex" or "age_band"
    value: Mapped[str] = mapped_column(String(10), primary_key=True)
    n: Mapped[int] = mapped_column(default=0)
