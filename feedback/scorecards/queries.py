"""All aggregation SQL (portable SQLAlchemy, tested on SQLite and PostgreSQL).

Methodology: only accepted ratings count; quarantined ones are counted apart and shown as such.
Below the minimum sample (default 10 accepted ratings) a score is "not enough ratings", never a
number. The index maps a 1–5 mean m to (m − 1) / 4 × 100.

This is the read side: it never writes. The write side (the signal receiver that keeps the running
aggregates in step with every rating, and ``flask scorecards rebuild``) is ``aggregates.py``.
Everything a scorecard reads comes from the aggregates and the (small) evaluation tables, never
from the raw ratings.
"""
from dataclasses import dataclass

from sqlalchemy import case, distinct, func, or_, select

from ..catalog.models import StateIndicator, Subject
from ..db import db
from ..evaluation.models import IndicatorScore, StateEvaluation
from ..ratings.models import Rating
from ..territory.models import Municipality
from . import scoring
from .models import (
    AddressCount,
    ClusterAggregate,
    CompositionAggregate,
    CriterionAggregate,
    PeriodCounter,
    RatingAggregate,
)

DEFAULT_MIN_SAMPLE = scoring.DEFAULT_MIN_SAMPLE

ALL_SUBJECTS = ""  # AddressCount's subject_code for the count over all of a municipality's subjects
RATING_COLUMNS = ("n", "total", "total_sq", "n1", "n2", "n3", "n4", "n5",
                  "n_verified", "total_verified", "total_sq_verified", "n_quarantined")



def min_sample() -> int:
    """The minimum sample of the newest methodology (one home: the methodology record)."""
    from . import methodology

    return methodology.get().min_sample


index_from_mean = scoring.index_from_mean


# --- read side: what scorecards use --------------------------------------------------------------------

@dataclass(frozen=True)
class SubjectSummary:
    n: int  # accepted ratings
    mean: float | None  # plain arithmetic mean of their overall scores
    quarantined: int
    min_sample: int

    @property
    def published(self) -> bool:
        return self.n >= self.min_sample and self.mean is not None

    @property
    def index(self) -> float | None:
        return index_from_mean(self.mean) if self.published else None

    @property
    def rounded_index(self) -> float | None:
        """As the scorecard shows it: one decimal, half away from zero."""
        from .methodology import rounded

        return rounded(self.index, 1) if self.published else None


def subject_summary(municipality_code: str, subject_code: str, period: int) -> SubjectSummary:
    row = db.session.execute(select(RatingAggregate.n, RatingAggregate.total, RatingAggregate.n_quarantined).where(
        RatingAggregate.municipality_code == municipality_code, RatingAggregate.subject_code == subject_code,
        RatingAggregate.period == period)).first()
    n, total, quarantined = (int(v or 0) for v in row) if row else (0, 0, 0)
    return SubjectSummary(n=n, mean=(total / n if n else None), quarantined=quarantined, min_sample=min_sample())


@dataclass(frozen=True)
class Unit:
    code: str
    kind: str
    population: int | None
    region_code: str
    district_code: str | None


def current_units() -> dict[str, Unit]:
    """Every municipality in force, with what peer groups and comparisons need."""
    stmt = select(Municipality.code, Municipality.kind, Municipality.population, Municipality.region_code,
                  Municipality.district_code).where(Municipality.valid_to.is_(None))
    return {row[0]: Unit(*row) for row in db.session.execute(stmt)}


def period_counter(period: int) -> int:
    """How many changes of counted ratings the period has seen (see aggregates.on_rating_changed)."""
    return int(db.session.scalar(select(PeriodCounter.counter).where(PeriodCounter.period == period)) or 0)


def period_clusters(period: int) -> dict[str, tuple[int, int, int, int]]:
    """Per municipality: (respondents, Σ n_r², Σ Y_r², Σ n_r·Y_r) of its accepted ratings in the period."""
    stmt = select(ClusterAggregate.municipality_code, ClusterAggregate.respondents, ClusterAggregate.n_sq,
                  ClusterAggregate.y_sq, ClusterAggregate.ny).where(ClusterAggregate.period == period)
    return {row[0]: tuple(int(v) for v in row[1:]) for row in db.session.execute(stmt)}


def unit_clusters(municipality_code: str, period: int) -> tuple[int, int, int, int] | None:
    row = db.session.execute(select(ClusterAggregate.respondents, ClusterAggregate.n_sq, ClusterAggregate.y_sq,
                                    ClusterAggregate.ny).where(ClusterAggregate.municipality_code == municipality_code,
                                                               ClusterAggregate.period == period)).first()
    return tuple(int(v) for v in row) if row else None


def unit_aggregates(municipality_code: str, period: int) -> list:
    """The municipality's subject aggregates of the period, live (read on every request)."""
    columns = [getattr(RatingAggregate, c) for c in ("municipality_code", "subject_code", *RATING_COLUMNS)]
    return list(db.session.execute(select(*columns).where(RatingAggregate.period == period,
                                                          RatingAggregate.municipality_code == municipality_code)
                                   .order_by(RatingAggregate.subject_code)))


def period_unit_totals(period: int) -> list[tuple]:
    """(municipality, n, total, total_sq, n_quarantined) of every municipality of a period with a
    cell, summed over its subjects in the database (one row per municipality, whatever the ratings)."""
    a = RatingAggregate
    return [(code, int(n or 0), int(total or 0), int(total_sq or 0), int(quarantined or 0))
            for code, n, total, total_sq, quarantined in _raw_rows(
                select(a.municipality_code, func.sum(a.n), func.sum(a.total), func.sum(a.total_sq),
                       func.sum(a.n_quarantined)).where(a.period == period).group_by(a.municipality_code))]


def period_aggregates(period: int) -> list:
    """Every municipality × subject aggregate of a period: one read of the aggregate table, as plain
    rows (attribute access like the model's, without the cost of building ORM objects)."""
    columns = [getattr(RatingAggregate, c) for c in ("municipality_code", "subject_code", *RATING_COLUMNS)]
    return list(db.session.execute(select(*columns).where(RatingAggregate.period == period)))


def unit_channel_aggregates(municipality_code: str, period: int, channel: str) -> list:
    """``unit_aggregates`` of one channel's ratings only (from channel_aggregate; same columns)."""
    from .models import ChannelAggregate as a

    columns = [getattr(a, c) for c in ("municipality_code", "subject_code", *RATING_COLUMNS)]
    return list(db.session.execute(select(*columns).where(a.period == period, a.municipality_code == municipality_code,
                                                          a.channel == channel).order_by(a.subject_code)))


def period_channel_aggregates(period: int, channel: str) -> list:
    """``period_aggregates`` of one channel's ratings only."""
    from .models import ChannelAggregate as a

    columns = [getattr(a, c) for c in ("municipality_code", "subject_code", *RATING_COLUMNS)]
    return list(db.session.execute(select(*columns).where(a.period == period, a.channel == channel)))


def period_cells(period: int, verified: bool = False) -> list[tuple]:
    """(municipality, subject, n, total, total_sq) of every accepted cell of the period — of the
    verified ratings only when ``verified`` — as plain tuples on the session's connection (the context
    of a whole period reads these in one query)."""
    a = RatingAggregate
    columns = (a.n_verified, a.total_verified, a.total_sq_verified) if verified else (a.n, a.total, a.total_sq)
    stmt = select(a.municipality_code, a.subject_code, *columns).where(a.period == period, columns[0] > 0)
    return _raw_rows(stmt)


def _raw_cursor(stmt):
    """A driver cursor that has executed a Core select (compiled by SQLAlchemy for the session's
    dialect, parameters bound by the driver)."""
    connection = db.session.connection()
    compiled = stmt.compile(dialect=connection.dialect)
    params = compiled.params
    if connection.dialect.positional:
        params = tuple(params[name] for name in compiled.positiontup)
    cursor = connection.connection.cursor()
    try:
        cursor.execute(compiled.string, params)
    except BaseException:
        cursor.close()
        raise
    return cursor


def _raw_rows(stmt) -> list[tuple]:
    """The rows of a Core select as the driver returns them: building SQLAlchemy Row objects costs
    more than the query for the ~15 thousand cells of a national period."""
    cursor = _raw_cursor(stmt)
    try:
        return cursor.fetchall()
    finally:
        cursor.close()


def _streamed_rows(stmt, size: int = 1000):
    """The rows of ``_raw_rows``, read ``size`` at a time as they are consumed."""
    cursor = _raw_cursor(stmt)
    try:
        while rows := cursor.fetchmany(size):
            yield from rows
    finally:
        cursor.close()


def unit_addresses(municipality_code: str, period: int) -> tuple[dict[str, int], int]:
    """A municipality's distinct client addresses in a period (the methodology's
    ``min_distinct_addresses``; a rating with no known address counts as one of its own): per subject,
    and over all its subjects. Kept by the aggregates (``AddressCount``), one small read."""
    stmt = select(AddressCount.subject_code, AddressCount.addresses).where(
        AddressCount.municipality_code == municipality_code, AddressCount.period == period)
    rows = {subject: int(n) for subject, n in db.session.execute(stmt)}
    return {s: n for s, n in rows.items() if s != ALL_SUBJECTS and n}, rows.get(ALL_SUBJECTS, 0)


def channel_unit_addresses(municipality_code: str, period: int, channel: str) -> tuple[dict[str, int], int]:
    """``unit_addresses`` among one channel's accepted ratings. The address counts are not kept per
    channel, so this reads the unit's ratings of that channel: only the channel view (``?channel=``)
    asks for it."""
    no_address = or_(Rating.address_hash.is_(None), Rating.address_hash == "")
    scope = (Rating.status == "accepted", Rating.municipality_code == municipality_code, Rating.period == period,
             Rating.channel == channel)

    def counts(*group_by):
        stmt = (select(*group_by, func.count(distinct(case((no_address, None), else_=Rating.address_hash))),
                       func.sum(case((no_address, 1), else_=0))).where(*scope).group_by(*group_by))
        return {tuple(row[:-2]): int(row[-2] or 0) + int(row[-1] or 0) for row in db.session.execute(stmt)}

    return {key[0]: n for key, n in counts(Rating.subject_code).items()}, counts().get((), 0)


def period_unit_addresses(period: int) -> dict[str, int]:
    """municipality → its distinct addresses in a period (the shared context's rule, one small read)."""
    stmt = select(AddressCount.municipality_code, AddressCount.addresses).where(
        AddressCount.period == period, AddressCount.subject_code == ALL_SUBJECTS, AddressCount.addresses > 0)
    return {code: int(n) for code, n in db.session.execute(stmt)}


def distinct_addresses(period: int) -> dict[tuple[str, str], int]:
    """(municipality, subject) → distinct addresses in a period (version 1's published rule)."""
    stmt = select(AddressCount.municipality_code, AddressCount.subject_code, AddressCount.addresses).where(
        AddressCount.period == period, AddressCount.subject_code != ALL_SUBJECTS, AddressCount.addresses > 0)
    return {(code, subject): int(n) for code, subject, n in db.session.execute(stmt)}


def unit_composition(municipality_code: str, period: int, channel: str | None = None) -> dict[str, dict[str, int]]:
    """dimension ("sex", "age_band") → value ("" not stated) → accepted ratings of the municipality in
    the period (of one channel when given), from the composition aggregates (one small read)."""
    a = CompositionAggregate
    where = [a.municipality_code == municipality_code, a.period == period]
    if channel:
        where.append(a.channel == channel)
    stmt = select(a.dimension, a.value, func.sum(a.n)).where(*where).group_by(a.dimension, a.value)
    out: dict[str, dict[str, int]] = {}
    for dimension, value, n in db.session.execute(stmt):
        if n:
            out.setdefault(dimension, {})[value] = int(n)
    return out


def criterion_profile(municipality_code: str, period: int) -> list[tuple[str, int, int, int, int]]:
    """Per criterion, summed over the municipality's subjects: (code, n, total, total_sq, n_unknown)."""
    stmt = (select(CriterionAggregate.criterion_code, func.sum(CriterionAggregate.n), func.sum(CriterionAggregate.total),
                   func.sum(CriterionAggregate.total_sq), func.sum(CriterionAggregate.n_unknown))
            .where(CriterionAggregate.municipality_code == municipality_code, CriterionAggregate.period == period)
            .group_by(CriterionAggregate.criterion_code))
    return [(row[0], *(int(v or 0) for v in row[1:])) for row in db.session.execute(stmt)]


def state_indicator_scores(period: int, municipality_code: str | None = None, stream: bool = False) -> list[tuple]:
    """Scores of FINAL state evaluations: (municipality, power, agency, indicator, counts toward the
    LSG score, scale, score, answer). Drafts and submitted-but-not-final evaluations never count.
    ``stream``: an iterator over the rows, read from the cursor a thousand at a time (a national
    period's tens of thousands of rows are never all held at once: about 10 MB of a worker's peak)."""
    stmt = (select(StateEvaluation.municipality_code, StateEvaluation.subject_code, StateEvaluation.agency_code,
                   IndicatorScore.indicator_code, StateIndicator.counts_toward_lsg_score, StateIndicator.scale,
                   IndicatorScore.score, IndicatorScore.answer)
            .join(IndicatorScore, IndicatorScore.evaluation_id == StateEvaluation.id)
            .join(StateIndicator, StateIndicator.code == IndicatorScore.indicator_code)
            .where(StateEvaluation.period == period, StateEvaluation.status == "final")
            .order_by(StateEvaluation.municipality_code, StateEvaluation.subject_code, StateIndicator.position))
    if municipality_code is not None:
        stmt = stmt.where(StateEvaluation.municipality_code == municipality_code)
    # As the driver returns them (a whole period has tens of thousands of scores; SQLite gives the
    # boolean as 0/1: callers test its truth).
    return _streamed_rows(stmt) if stream else _raw_rows(stmt)


def periods_with_data(municipality_code: str) -> list[int]:
    ratings = select(distinct(RatingAggregate.period)).where(RatingAggregate.municipality_code == municipality_code)
    states = select(distinct(StateEvaluation.period)).where(StateEvaluation.municipality_code == municipality_code,
                                                            StateEvaluation.status == "final")
    return sorted(set(db.session.scalars(ratings)) | set(db.session.scalars(states)), reverse=True)


def approved_comments(municipality_code: str, period: int, limit: int = 10) -> list[tuple]:
    """Approved comments of accepted ratings, newest first: (subject code, overall or None, text, date,
    rating id) — the id for the answer status shown against each (answers.queries.comment_statuses).

    Moderation owns what may be published (moderation.queries.approved_comments, newest of any
    year); without it, this period's approved comments."""
    try:
        from ..moderation.queries import approved_comments as moderated
    except ImportError:
        moderated = None
    if moderated is not None:
        return [(c.subject_code, None, c.text, c.written_on, c.rating_id) for c in moderated(municipality_code, limit)]
    stmt = (select(Rating.subject_code, Rating.overall, Rating.comment, Rating.updated_at, Rating.id)
            .where(Rating.municipality_code == municipality_code, Rating.period == period,
                   Rating.status == "accepted", Rating.comment_status == "approved")
            .order_by(Rating.updated_at.desc(), Rating.id.desc()).limit(limit))
    return [tuple(row) for row in db.session.execute(stmt)]


def citizen_subjects() -> dict[str, Subject]:
    return {s.code: s for s in db.session.scalars(select(Subject).where(Subject.kind != "delegated_power")
                                                   .order_by(Subject.kind, Subject.position, Subject.code))}


def aggregate_totals() -> dict[str, int]:
    """For `flask scorecards rebuild`: how much is aggregated (sums over the aggregate table)."""
    row = db.session.execute(select(func.count(), func.coalesce(func.sum(RatingAggregate.n), 0),
                                    func.coalesce(func.sum(RatingAggregate.n_quarantined), 0))).one()
    return {"rows": int(row[0]), "accepted": int(row[1]), "quarantined": int(row[2])}

