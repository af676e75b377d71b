"""The write side of the scorecards: running aggregates kept in step with the ratings.

Every change of a rating's counted state (submission, replacement, phone verification, release or
confirmation of a quarantined rating) is announced by ``ratings.signals.rating_changed`` after the
rating was flushed; the receiver applies the difference old → new in the same session, so the
aggregates commit or roll back together with the rating. It also bumps the period's counter, which
tells every process that the shared scorecard context of that period is stale, and keeps the
respondents' cluster sums (``ClusterAggregate``) the cluster-robust variance needs, and the
distinct-address counts (``AddressAggregate`` → ``AddressCount``) of the methodology's
``min_distinct_addresses``, and the sample composition (``CompositionAggregate``: accepted ratings
by channel and by sex or age band).

``recompute_*`` derive the same numbers from the raw rows for ``flask scorecards rebuild`` and the
tests.
"""
from flask import Flask
from sqlalchemy import and_, bindparam, case, delete, distinct, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError

from .. import cache
from ..db import db
from ..ratings.models import CriterionScore, Rating
from ..ratings.signals import RatingState, rating_changed
from . import channel_aggregates, kept, scoring
from .models import (
    AddressAggregate,
    AddressCount,
    ClusterAggregate,
    CompositionAggregate,
    CriterionAggregate,
    PeriodCounter,
    RatingAggregate,
    UnitCounter,
)
from .queries import ALL_SUBJECTS, RATING_COLUMNS

CRITERION_COLUMNS = ("n", "total", "total_sq", "n_unknown")
CLUSTER_COLUMNS = ("respondents", "n_sq", "y_sq", "ny")

RatingKey = tuple[str, str, int]  # municipality, subject, period
CriterionKey = tuple[str, str, str, int]  # municipality, subject, criterion, period


def on_rating_changed(sender, old: RatingState | None = None, new: RatingState | None = None, **extra) -> None:
    apply_change(old, new)
    channel_aggregates.apply_change(old, new)
    respondent_id = getattr(sender, "respondent_id", None)
    if respondent_id is not None:
        apply_cluster_change(respondent_id, old, new)
    apply_address_change(old, new)
    apply_composition_change(old, new)
    for period in {s.period for s in (old, new) if s is not None}:
        _bump(PeriodCounter, ("counter",), {"period": period}, {"counter": 1})
    bump_units({(s.municipality_code, s.period) for s in (old, new) if s is not None})
    cache.mark_written()  # this request sees its own uncommitted ratings: it keeps no card


def bump_units(places) -> None:
    """Bump the counter of each (municipality, period) in the current transaction: the key of that
    municipality's kept card (scorecards/kept.py), as the period's counter is the comparisons'."""
    _upsert(UnitCounter, ("counter",), [({"municipality_code": municipality, "period": period}, {"counter": 1})
                                        for municipality, period in sorted(places)])


def init_app(app: Flask) -> None:
    # blinker keys receivers by identity: connecting again (several apps in one process) is a no-op.
    rating_changed.connect(on_rating_changed, weak=False)
    from .demo import demo_context

    app.context_processor(demo_context)
    kept.init_app(app)


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
    _upsert(RatingAggregate, RATING_COLUMNS,
            [(dict(zip(("municipality_code", "subject_code", "period"), key, strict=True)), delta)
             for key, delta in ratings.items()])
    _upsert(CriterionAggregate, CRITERION_COLUMNS,
            [(dict(zip(("municipality_code", "subject_code", "criterion_code", "period"), key, strict=True)), delta)
             for key, delta in criteria.items()])


def _bump(model, columns: tuple[str, ...], key: dict, delta: dict) -> None:
    """Add ``delta`` to the row ``key`` of ``model`` (created when absent)."""
    _upsert(model, columns, [(key, delta)])


# Dialects with INSERT … ON CONFLICT (…) DO UPDATE … RETURNING (SQLite ≥ 3.35, PostgreSQL ≥ 9.5).
_UPSERT_DIALECTS = ("sqlite", "postgresql")
_upserts: dict = {}


def _upsert_statement(dialect, table, columns: tuple[str, ...], returning: str | None = None):
    """INSERT … ON CONFLICT (primary key) DO UPDATE SET c = c + excluded.c [RETURNING r], as ``text()``
    built once per table: the same SQL on SQLite and PostgreSQL. SQLAlchemy 2.0 does not cache the
    compiled form of its dialects' ``on_conflict_do_update`` (``inherit_cache = False``): built with
    it, every rating compiled each upsert again, about a third of the rating's CPU time."""
    key = (dialect.name, table.name, columns, returning)
    if key not in _upserts:
        keys = [c.name for c in table.primary_key.columns]
        quote = dialect.identifier_preparer.quote
        name = quote(table.name)
        # Only the model's own table and column names go into the SQL; every value is a bound parameter.
        sql = (f"INSERT INTO {name} ({', '.join(quote(c) for c in keys + list(columns))}) "  # noqa: S608
               f"VALUES ({', '.join(':' + c for c in keys + list(columns))}) "
               f"ON CONFLICT ({', '.join(quote(c) for c in keys)}) DO UPDATE SET "
               + ", ".join(f"{quote(c)} = {name}.{quote(c)} + excluded.{quote(c)}" for c in columns)
               + (f" RETURNING {quote(returning)}" if returning else ""))
        _upserts[key] = text(sql)
    return _upserts[key]


def _upsert(model, columns: tuple[str, ...], changes: list[tuple[dict, dict]]) -> None:
    """Add each delta to its row, creating it when absent: one INSERT … ON CONFLICT DO UPDATE (SQLite
    and PostgreSQL; atomic under concurrent writers of the same row, no read first). Elsewhere an
    UPDATE, then an INSERT in a savepoint whose loss to a concurrent insert is retried as an update."""
    changes = [(key, {c: d for c, d in delta.items() if d}) for key, delta in changes]
    changes = [(key, delta) for key, delta in changes if delta]
    if not changes:
        return
    table = model.__table__
    connection = db.session.connection()  # Core, not Session.execute: no ORM layer for a plain statement
    if connection.dialect.name in _UPSERT_DIALECTS:
        connection.execute(_upsert_statement(connection.dialect, table, columns),
                           [{**key, **{c: delta.get(c, 0) for c in columns}} for key, delta in changes])
        return
    for key, delta in changes:
        where = [table.c[name] == value for name, value in key.items()]
        stmt = update(table).where(*where).values({c: table.c[c] + d for c, d in delta.items()})
        if db.session.execute(stmt).rowcount:
            continue
        try:
            with db.session.begin_nested():
                db.session.execute(insert(table).values(**key, **{c: delta.get(c, 0) for c in columns}))
        except IntegrityError:
            db.session.execute(stmt)


def _counted(state: RatingState | None, municipality: str, period: int) -> tuple[int, int]:
    """What one rating adds to its respondent's (n_r, Y_r) in (municipality, period)."""
    if state is None or state.status != "accepted" or (state.municipality_code, state.period) != (municipality, period):
        return 0, 0
    return 1, state.overall


# Built once (bound parameters per call): no cache key worked out again on every rating.
_RESPONDENT_TOTALS = (select(func.count(Rating.id), func.coalesce(func.sum(Rating.overall), 0))
                      .where(Rating.respondent_id == bindparam("respondent"),
                             Rating.municipality_code == bindparam("municipality"),
                             Rating.period == bindparam("period"), Rating.status == "accepted"))


def apply_cluster_change(respondent_id: int, old: RatingState | None, new: RatingState | None) -> None:
    """Move the cluster sums of the places touched from the respondent's totals before the change to
    their totals now (read after the flush: the change is already in them)."""
    for municipality, period in {(s.municipality_code, s.period) for s in (old, new) if s is not None}:
        n_now, y_now = db.session.execute(_RESPONDENT_TOTALS, {"respondent": respondent_id, "municipality": municipality,
                                                               "period": period}).one()
        n_old_part, y_old_part = _counted(old, municipality, period)
        n_new_part, y_new_part = _counted(new, municipality, period)
        n_before, y_before = n_now - n_new_part + n_old_part, y_now - y_new_part + y_old_part
        after = scoring.respondent_cluster_terms(n_now, y_now)
        before = scoring.respondent_cluster_terms(n_before, y_before)
        delta = {c: int(a - b) for c, a, b in zip(CLUSTER_COLUMNS, after, before, strict=True)}
        _bump(ClusterAggregate, CLUSTER_COLUMNS, {"municipality_code": municipality, "period": period}, delta)


# --- distinct client addresses ---------------------------------------------------------------------------

AddressKey = tuple[str, int, str]  # municipality, period, subject ('' = all its subjects)


def _address_contribution(state: RatingState | None, sign: int, known: dict, unknown: dict) -> None:
    if state is None or state.status != "accepted":
        return
    for subject in (state.subject_code, ALL_SUBJECTS):
        if state.address_hash:
            key = (state.municipality_code, state.period, state.address_hash, subject)
            known[key] = known.get(key, 0) + sign
        else:  # no known address (paper, SMS): an address of its own
            key = (state.municipality_code, state.period, subject)
            unknown[key] = unknown.get(key, 0) + sign


def apply_address_change(old: RatingState | None, new: RatingState | None) -> None:
    """Move the per-address counts from ``old`` to ``new``; a row's distinct-address count moves by one
    when an address's count there leaves or reaches zero. The address row is changed by one atomic
    UPDATE … RETURNING, so two concurrent ratings from one address cannot both count it as new."""
    known: dict[tuple, int] = {}
    counts: dict[AddressKey, int] = {}
    _address_contribution(old, -1, known, counts)
    _address_contribution(new, +1, known, counts)
    for (municipality, period, address, subject), delta in sorted(known.items()):
        if not delta:
            continue
        after = _add_returning(AddressAggregate, {"municipality_code": municipality, "period": period,
                                                  "address_hash": address, "subject_code": subject}, "n", delta)
        before = after - delta
        step = (after > 0) - (before > 0)
        if step:
            counts[municipality, period, subject] = counts.get((municipality, period, subject), 0) + step
    _upsert(AddressCount, ("addresses",), [({"municipality_code": municipality, "period": period,
                                              "subject_code": subject}, {"addresses": delta})
                                            for (municipality, period, subject), delta in sorted(counts.items())])


def _add_returning(model, key: dict, column: str, delta: int) -> int:
    """``column += delta`` on the row ``key`` (created when absent); the value after the change."""
    table = model.__table__
    connection = db.session.connection()
    if connection.dialect.name in _UPSERT_DIALECTS:
        return int(connection.execute(_upsert_statement(connection.dialect, table, (column,), returning=column),
                                      {**key, column: delta}).scalar_one())
    where = [table.c[name] == value for name, value in key.items()]
    stmt = update(table).where(*where).values({column: table.c[column] + delta}).returning(table.c[column])
    found = db.session.execute(stmt).scalar()
    if found is not None:
        return int(found)
    try:
        with db.session.begin_nested():
            db.session.execute(insert(table).values(**key, **{column: delta}))
        return delta
    except IntegrityError:
        return int(db.session.execute(stmt).scalar())


def recompute_address_aggregates() -> dict[tuple, dict[str, int]]:
    known = and_(Rating.status == "accepted", Rating.address_hash.is_not(None), Rating.address_hash != "")
    per_subject = (select(Rating.municipality_code, Rating.period, Rating.address_hash, Rating.subject_code, func.count())
                   .where(known).group_by(Rating.municipality_code, Rating.period, Rating.address_hash, Rating.subject_code))
    overall = (select(Rating.municipality_code, Rating.period, Rating.address_hash, func.count())
               .where(known).group_by(Rating.municipality_code, Rating.period, Rating.address_hash))
    rows = {tuple(row[:4]): {"n": int(row[4])} for row in db.session.execute(per_subject)}
    rows.update({(*row[:3], ALL_SUBJECTS): {"n": int(row[3])} for row in db.session.execute(overall)})
    return rows


def recompute_address_counts() -> dict[AddressKey, dict[str, int]]:
    """From the raw ratings: distinct known addresses plus ratings with none, per subject and overall."""
    no_address = or_(Rating.address_hash.is_(None), Rating.address_hash == "")

    def counted(*group_by):
        return (select(Rating.municipality_code, Rating.period, *group_by,
                       func.count(distinct(case((no_address, None), else_=Rating.address_hash))),
                       func.sum(case((no_address, 1), else_=0)))
                .where(Rating.status == "accepted").group_by(Rating.municipality_code, Rating.period, *group_by))

    rows = {tuple(row[:3]): {"addresses": int(row[3] or 0) + int(row[4] or 0)}
            for row in db.session.execute(counted(Rating.subject_code))}
    rows.update({(*row[:2], ALL_SUBJECTS): {"addresses": int(row[2] or 0) + int(row[3] or 0)}
                 for row in db.session.execute(counted())})
    return rows


def stored_address_aggregates() -> dict[tuple, dict[str, int]]:
    a = AddressAggregate
    return {tuple(row[:4]): {"n": int(row[4])} for row in db.session.execute(
        select(a.municipality_code, a.period, a.address_hash, a.subject_code, a.n))}


def stored_address_counts() -> dict[AddressKey, dict[str, int]]:
    a = AddressCount
    return {tuple(row[:3]): {"addresses": int(row[3])} for row in db.session.execute(
        select(a.municipality_code, a.period, a.subject_code, a.addresses))}


def rekey_addresses(period: int, rekey) -> int:
    """Privacy retention: replace the period's address hashes by ``rekey(old)`` (the same function the
    ratings' hashes get, so the counts and later changes stay in step); the rows changed."""
    rows = db.session.execute(select(AddressAggregate.municipality_code, AddressAggregate.address_hash)
                              .where(AddressAggregate.period == period).distinct()).all()
    changed = 0
    for municipality, old in rows:
        new = rekey(old)
        if new == old:
            continue
        changed += db.session.execute(
            update(AddressAggregate).where(AddressAggregate.municipality_code == municipality,
                                           AddressAggregate.period == period, AddressAggregate.address_hash == old)
            .values(address_hash=new).execution_options(synchronize_session=False)).rowcount
    return changed


# --- sample composition -------------------------------------------------------------------------------

CompositionKey = tuple[str, int, str, str, str]  # municipality, period, channel, dimension, value
COMPOSITION_KEY = ("municipality_code", "period", "channel", "dimension", "value")
COMPOSITION_DIMENSIONS = ("sex", "age_band")


def composition_contribution(state: RatingState | None, sign: int) -> dict[CompositionKey, dict[str, int]]:
    """What one rating adds to (+1) or removes from (−1) the composition counts: one per dimension,
    accepted ratings only."""
    if state is None or state.status != "accepted":
        return {}
    return {(state.municipality_code, state.period, state.channel, dimension, getattr(state, dimension) or ""):
            {"n": sign} for dimension in COMPOSITION_DIMENSIONS}


def apply_composition_change(old: RatingState | None, new: RatingState | None) -> None:
    rows = composition_contribution(old, -1)
    _merge(rows, composition_contribution(new, +1))
    _upsert(CompositionAggregate, ("n",), [(dict(zip(COMPOSITION_KEY, key, strict=True)), delta)
                                           for key, delta in rows.items()])


def recompute_composition() -> dict[CompositionKey, dict[str, int]]:
    rows: dict[CompositionKey, dict[str, int]] = {}
    for dimension in COMPOSITION_DIMENSIONS:
        column = getattr(Rating, dimension)
        stmt = (select(Rating.municipality_code, Rating.period, Rating.channel, column, func.count())
                .where(Rating.status == "accepted")
                .group_by(Rating.municipality_code, Rating.period, Rating.channel, column))
        for municipality, period, channel, value, n in db.session.execute(stmt):
            key = (municipality, period, channel or "web", dimension, value or "")
            rows.setdefault(key, {"n": 0})["n"] += int(n)
    return rows


def stored_composition() -> dict[CompositionKey, dict[str, int]]:
    a = CompositionAggregate
    return {tuple(row[:5]): {"n": int(row[5])} for row in db.session.execute(
        select(a.municipality_code, a.period, a.channel, a.dimension, a.value, a.n))}


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


def recompute_cluster_aggregates() -> dict[tuple[str, int], dict[str, int]]:
    per_respondent = (select(Rating.municipality_code, Rating.period, func.count(Rating.id).label("n_r"),
                             func.sum(Rating.overall).label("y_r"))
                      .where(Rating.status == "accepted")
                      .group_by(Rating.respondent_id, Rating.municipality_code, Rating.period).subquery())
    stmt = (select(per_respondent.c.municipality_code, per_respondent.c.period, func.count(),
                   func.sum(per_respondent.c.n_r * per_respondent.c.n_r),
                   func.sum(per_respondent.c.y_r * per_respondent.c.y_r),
                   func.sum(per_respondent.c.n_r * per_respondent.c.y_r))
            .group_by(per_respondent.c.municipality_code, per_respondent.c.period))
    return {tuple(row[:2]): dict(zip(CLUSTER_COLUMNS, (int(v) for v in row[2:]), strict=True))
            for row in db.session.execute(stmt)}


def stored_cluster_aggregates() -> dict[tuple[str, int], dict[str, int]]:
    cols = [getattr(ClusterAggregate, c) for c in CLUSTER_COLUMNS]
    stmt = select(ClusterAggregate.municipality_code, ClusterAggregate.period, *cols)
    return {tuple(row[:2]): dict(zip(CLUSTER_COLUMNS, (int(v) for v in row[2:]), strict=True))
            for row in db.session.execute(stmt)}


def rebuild_aggregates() -> tuple[list, list, list]:
    """Recompute every aggregate from the raw ratings, store it, and return the differences found
    (rating aggregates, criterion aggregates, distinct-address counts)."""
    # Each municipality's own counter (its kept card's key), for every place with ratings or with
    # stored aggregates (one emptied too), read before anything below changes them.
    places = select(Rating.municipality_code, Rating.period).union(
        select(RatingAggregate.municipality_code, RatingAggregate.period))
    bump_units(set(db.session.execute(places).tuples()))
    ratings, criteria = recompute_rating_aggregates(), recompute_criterion_aggregates()
    clusters = recompute_cluster_aggregates()
    address_rows, address_counts = recompute_address_aggregates(), recompute_address_counts()
    stored_periods = set(db.session.scalars(select(distinct(RatingAggregate.period))))  # a period emptied too
    found = (differences(stored_rating_aggregates(), ratings), differences(stored_criterion_aggregates(), criteria),
             differences(stored_address_counts(), address_counts))
    channel_aggregates.rebuild()  # its own table; `flask scorecards rebuild` reports its differences
    composition = recompute_composition()
    db.session.execute(delete(CompositionAggregate))
    if composition:
        db.session.execute(insert(CompositionAggregate), [dict(zip(COMPOSITION_KEY, k, strict=True), **row)
                                                          for k, row in composition.items()])
    db.session.execute(delete(AddressAggregate))
    db.session.execute(delete(AddressCount))
    if address_rows:
        db.session.execute(insert(AddressAggregate), [
            dict(municipality_code=k[0], period=k[1], address_hash=k[2], subject_code=k[3], **row)
            for k, row in address_rows.items()])
    if address_counts:
        db.session.execute(insert(AddressCount), [
            dict(municipality_code=k[0], period=k[1], subject_code=k[2], **row) for k, row in address_counts.items()])
    db.session.execute(delete(CriterionAggregate))
    db.session.execute(delete(RatingAggregate))
    db.session.execute(delete(ClusterAggregate))
    if clusters:
        db.session.execute(insert(ClusterAggregate), [
            dict(municipality_code=k[0], period=k[1], **row) for k, row in clusters.items()])
    for period in {k[2] for k in ratings} | set(stored_periods):  # every stored context of these periods is now stale
        _bump(PeriodCounter, ("counter",), {"period": period}, {"counter": 1})
    cache.mark_written()
    if ratings:
        db.session.execute(insert(RatingAggregate), [
            dict(municipality_code=k[0], subject_code=k[1], period=k[2], **row) for k, row in ratings.items()])
    if criteria:
        db.session.execute(insert(CriterionAggregate), [
            dict(municipality_code=k[0], subject_code=k[1], criterion_code=k[2], period=k[3], **row)
            for k, row in criteria.items()])
    return found


