"""All aggregation SQL (portable SQLAlchemy, tested on SQLite and PostgreSQL).

Methodology: only accepted ratings count; quarantined ones are counted apart and shown as such.
Below the minimum sample (default 10 accepted ratings) a score is "not enough ratings", never a
number. The index maps a 1–5 mean m to (m − 1) / 4 × 100.

The write side (``apply_change``) keeps the running aggregates in step with every rating change,
in the caller's transaction; ``recompute_*`` derive the same numbers from the raw rows for
``flask scorecards rebuild`` and the tests. Everything a scorecard reads comes from the aggregates
and the (small) evaluation tables, never from the raw ratings.
"""
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import BigInteger, and_, case, cast, delete, distinct, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..catalog.models import StateIndicator, Subject
from ..db import db
from ..evaluation.models import IndicatorScore, StateEvaluation
from ..ratings.models import CriterionScore, Rating
from ..ratings.signals import RatingState
from ..territory.models import Municipality
from .models import CriterionAggregate, RatingAggregate

DEFAULT_MIN_SAMPLE = 10

RATING_COLUMNS = ("n", "total", "total_sq", "n1", "n2", "n3", "n4", "n5",
                  "n_verified", "total_verified", "total_sq_verified", "n_quarantined")
CRITERION_COLUMNS = ("n", "total", "total_sq", "n_unknown")

RatingKey = tuple[str, str, int]  # municipality, subject, period
CriterionKey = tuple[str, str, str, int]  # municipality, subject, criterion, period


def min_sample() -> int:
    return int(current_app.config.get("SCORE_MIN_SAMPLE", DEFAULT_MIN_SAMPLE))


def index_from_mean(mean: float) -> float:
    return (mean - 1) / 4 * 100


# --- write side: running aggregates -----------------------------------------------------------------

def contribution(state: RatingState | None, sign: int) -> tuple[dict, dict]:
    """What one rating adds (sign +1) to or removes (sign −1) from the aggregates."""
    ratings: dict[RatingKey, dict[str, int]] = {}
    criteria: dict[CriterionKey, dict[str, int]] = {}
    if state is None:
        return ratings, criteria
    key = (state.municipality_code, state.subject_code, state.period)
    if state.status != "accepted":
        ratings[key] = {"n_quarantined": sign}
        return ratings, criteria
    x = state.overall
    row = {"n": sign, "total": sign * x, "total_sq": sign * x * x, f"n{x}": sign}
    if state.verified:
        row.update(n_verified=sign, total_verified=sign * x, total_sq_verified=sign * x * x)
    ratings[key] = row
    for code, score in state.criteria:
        ckey = (state.municipality_code, state.subject_code, code, state.period)
        if score is None:
            criteria[ckey] = {"n_unknown": sign}
        else:
            criteria[ckey] = {"n": sign, "total": sign * score, "total_sq": sign * score * score}
    return ratings, criteria


def _merge(into: dict, other: dict) -> None:
    for key, row in other.items():
        target = into.setdefault(key, {})
        for column, value in row.items():
            target[column] = target.get(column, 0) + value


def apply_change(old: RatingState | None, new: RatingState | None) -> None:
    """Move the aggregates from ``old`` to ``new`` (either may be None) in the current transaction."""
    ratings, criteria = contribution(old, -1)
    new_ratings, new_criteria = contribution(new, +1)
    _merge(ratings, new_ratings)
    _merge(criteria, new_criteria)
    for key, delta in ratings.items():
        _bump(RatingAggregate, RATING_COLUMNS, dict(zip(("municipality_code", "subject_code", "period"), key, strict=False)), delta)
    for key, delta in criteria.items():
        _bump(CriterionAggregate, CRITERION_COLUMNS,
              dict(zip(("municipality_code", "subject_code", "criterion_code", "period"), key, strict=False)), delta)


def _bump(model, columns: tuple[str, ...], key: dict, delta: dict) -> None:
    """UPDATE … SET c = c + d; INSERT when the row does not exist yet (portable upsert: a concurrent
    insert of the same key loses in its savepoint and is retried as an update)."""
    delta = {c: d for c, d in delta.items() if d}
    if not delta:
        return
    where = [getattr(model, name) == value for name, value in key.items()]
    stmt = (update(model).where(*where).values({c: getattr(model, c) + d for c, d in delta.items()})
            .execution_options(synchronize_session=False))
    if db.session.execute(stmt).rowcount:
        return
    try:
        with db.session.begin_nested():
            db.session.execute(insert(model).values(**key, **{c: delta.get(c, 0) for c in columns}))
    except IntegrityError:
        db.session.execute(stmt)


# --- rebuild from the raw rows ------------------------------------------------------------------------

def recompute_rating_aggregates() -> dict[RatingKey, dict[str, int]]:
    accepted = Rating.status == "accepted"
    verified = and_(accepted, Rating.verified.is_(True))

    def total(condition, value=1):
        return func.coalesce(func.sum(case((condition, value), else_=0)), 0)

    stmt = select(
        Rating.municipality_code, Rating.subject_code, Rating.period,
        total(accepted), total(accepted, Rating.overall), total(accepted, Rating.overall * Rating.overall),
        *(total(and_(accepted, Rating.overall == k)) for k in range(1, 6)),
        total(verified), total(verified, Rating.overall), total(verified, Rating.overall * Rating.overall),
        total(Rating.status != "accepted"),
    ).group_by(Rating.municipality_code, Rating.subject_code, Rating.period)
    return {tuple(row[:3]): dict(zip(RATING_COLUMNS, (int(v) for v in row[3:]), strict=False)) for row in db.session.execute(stmt)}


def recompute_criterion_aggregates() -> dict[CriterionKey, dict[str, int]]:
    score = CriterionScore.score
    stmt = (select(Rating.municipality_code, Rating.subject_code, CriterionScore.criterion_code, Rating.period,
                   func.count(score), func.coalesce(func.sum(score), 0), func.coalesce(func.sum(score * score), 0),
                   func.coalesce(func.sum(case((score.is_(None), 1), else_=0)), 0))
            .join(Rating, Rating.id == CriterionScore.rating_id)
            .where(Rating.status == "accepted")
            .group_by(Rating.municipality_code, Rating.subject_code, CriterionScore.criterion_code, Rating.period))
    return {tuple(row[:4]): dict(zip(CRITERION_COLUMNS, (int(v) for v in row[4:]), strict=False)) for row in db.session.execute(stmt)}


def stored_rating_aggregates() -> dict[RatingKey, dict[str, int]]:
    cols = [getattr(RatingAggregate, c) for c in RATING_COLUMNS]
    stmt = select(RatingAggregate.municipality_code, RatingAggregate.subject_code, RatingAggregate.period, *cols)
    return {tuple(row[:3]): dict(zip(RATING_COLUMNS, (int(v) for v in row[3:]), strict=False)) for row in db.session.execute(stmt)}


def stored_criterion_aggregates() -> dict[CriterionKey, dict[str, int]]:
    cols = [getattr(CriterionAggregate, c) for c in CRITERION_COLUMNS]
    stmt = select(CriterionAggregate.municipality_code, CriterionAggregate.subject_code,
                  CriterionAggregate.criterion_code, CriterionAggregate.period, *cols)
    return {tuple(row[:4]): dict(zip(CRITERION_COLUMNS, (int(v) for v in row[4:]), strict=False)) for row in db.session.execute(stmt)}


def _nonzero(rows: dict) -> dict:
    return {key: row for key, row in rows.items() if any(row.values())}


def differences(stored: dict, recomputed: dict) -> list[tuple]:
    """(key, stored row or None, recomputed row or None) wherever they disagree (all-zero rows = absent)."""
    stored, recomputed = _nonzero(stored), _nonzero(recomputed)
    return [(key, stored.get(key), recomputed.get(key)) for key in sorted(set(stored) | set(recomputed), key=str)
            if stored.get(key) != recomputed.get(key)]


def rebuild_aggregates() -> tuple[list, list]:
    """Recompute every aggregate from the raw ratings, store it, and return the differences found."""
    ratings, criteria = recompute_rating_aggregates(), recompute_criterion_aggregates()
    found = (differences(stored_rating_aggregates(), ratings), differences(stored_criterion_aggregates(), criteria))
    db.session.execute(delete(CriterionAggregate))
    db.session.execute(delete(RatingAggregate))
    if ratings:
        db.session.execute(insert(RatingAggregate), [
            dict(municipality_code=k[0], subject_code=k[1], period=k[2], **row) for k, row in ratings.items()])
    if criteria:
        db.session.execute(insert(CriterionAggregate), [
            dict(municipality_code=k[0], subject_code=k[1], criterion_code=k[2], period=k[3], **row)
            for k, row in criteria.items()])
    return found


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


def data_stamp(period: int) -> tuple:
    """A cheap fingerprint of everything a period's scorecards are computed from: when it is unchanged,
    a scorecard context computed earlier is still right. The code-weighted sum ties counts to places."""
    place = cast(func.substr(RatingAggregate.municipality_code, 4, 11), BigInteger)
    ratings = db.session.execute(select(
        func.count(), func.coalesce(func.sum(RatingAggregate.n), 0), func.coalesce(func.sum(RatingAggregate.total), 0),
        func.coalesce(func.sum(RatingAggregate.total_sq), 0), func.coalesce(func.sum(RatingAggregate.n_verified), 0),
        func.coalesce(func.sum(RatingAggregate.n_quarantined), 0),
        func.coalesce(func.sum(RatingAggregate.total * (place % 1000003)), 0),
    ).where(RatingAggregate.period == period)).one()
    evaluations = db.session.execute(select(func.count(), func.max(StateEvaluation.id), func.max(StateEvaluation.updated_at))
                                     .where(StateEvaluation.period == period, StateEvaluation.status == "final")).one()
    return tuple(ratings) + tuple(str(v) for v in evaluations)


def period_aggregates(period: int) -> list:
    """Every municipality × subject aggregate of a period: one read of the aggregate table, as plain
    rows (attribute access like the model's, without the cost of building ORM objects)."""
    columns = [getattr(RatingAggregate, c) for c in ("municipality_code", "subject_code", *RATING_COLUMNS)]
    return list(db.session.execute(select(*columns).where(RatingAggregate.period == period)))


def distinct_addresses(period: int) -> dict[tuple[str, str], int]:
    """(municipality, subject) -> distinct client addresses among the accepted ratings of a period
    (the methodology's ``min_distinct_addresses``); a rating with no address counts as one."""
    no_address = or_(Rating.address_hash.is_(None), Rating.address_hash == "")
    stmt = (select(Rating.municipality_code, Rating.subject_code,
                   func.count(distinct(case((no_address, None), else_=Rating.address_hash))),
                   func.sum(case((no_address, 1), else_=0)))
            .where(Rating.period == period, Rating.status == "accepted")
            .group_by(Rating.municipality_code, Rating.subject_code))
    return {(m, s): int(a or 0) + int(b or 0) for m, s, a, b in db.session.execute(stmt)}


def criterion_profile(municipality_code: str, period: int) -> list[tuple[str, int, int, int, int]]:
    """Per criterion, summed over the municipality's subjects: (code, n, total, total_sq, n_unknown)."""
    stmt = (select(CriterionAggregate.criterion_code, func.sum(CriterionAggregate.n), func.sum(CriterionAggregate.total),
                   func.sum(CriterionAggregate.total_sq), func.sum(CriterionAggregate.n_unknown))
            .where(CriterionAggregate.municipality_code == municipality_code, CriterionAggregate.period == period)
            .group_by(CriterionAggregate.criterion_code))
    return [(row[0], *(int(v or 0) for v in row[1:])) for row in db.session.execute(stmt)]


def state_indicator_scores(period: int, municipality_code: str | None = None) -> list[tuple]:
    """Scores of FINAL state evaluations: (municipality, power, agency, indicator, counts toward the
    LSG score, scale, score, answer). Drafts and submitted-but-not-final evaluations never count."""
    stmt = (select(StateEvaluation.municipality_code, StateEvaluation.subject_code, StateEvaluation.agency_code,
                   IndicatorScore.indicator_code, StateIndicator.counts_toward_lsg_score, StateIndicator.scale,
                   IndicatorScore.score, IndicatorScore.answer)
            .join(IndicatorScore, IndicatorScore.evaluation_id == StateEvaluation.id)
            .join(StateIndicator, StateIndicator.code == IndicatorScore.indicator_code)
            .where(StateEvaluation.period == period, StateEvaluation.status == "final")
            .order_by(StateEvaluation.municipality_code, StateEvaluation.subject_code, StateIndicator.position))
    if municipality_code is not None:
        stmt = stmt.where(StateEvaluation.municipality_code == municipality_code)
    return [tuple(row) for row in db.session.execute(stmt)]


def periods_with_data(municipality_code: str) -> list[int]:
    ratings = select(distinct(RatingAggregate.period)).where(RatingAggregate.municipality_code == municipality_code)
    states = select(distinct(StateEvaluation.period)).where(StateEvaluation.municipality_code == municipality_code,
                                                            StateEvaluation.status == "final")
    return sorted(set(db.session.scalars(ratings)) | set(db.session.scalars(states)), reverse=True)


def approved_comments(municipality_code: str, period: int, limit: int = 10) -> list[tuple]:
    """Approved comments of accepted ratings, newest first: (subject code, overall or None, text, date).

    Moderation owns what may be published (moderation.queries.approved_comments, newest of any
    year); without it, this period's approved comments."""
    try:
        from ..moderation.queries import approved_comments as moderated
    except ImportError:
        moderated = None
    if moderated is not None:
        return [(c.subject_code, None, c.text, c.written_on) for c in moderated(municipality_code, limit)]
    stmt = (select(Rating.subject_code, Rating.overall, Rating.comment, Rating.updated_at)
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

