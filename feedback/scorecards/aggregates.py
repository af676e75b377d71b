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

``rebuild_aggregates`` derives them all again from the raw rows, in SQL (``derive.py``: one statement
per table, also behind ``recompute_*``, the dicts the tests compare).
"""
from flask import Flask
from sqlalchemy import bindparam, distinct, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from .. import cache
from ..db import db
from ..ratings.models import Rating
from ..ratings.signals import RatingState, rating_changed
from . import channel_aggregates, derive, kept, scoring
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

# Each table's one definition from the raw rows (derive.py): rebuilt, compared and recomputed alike.
RATINGS = derive.Aggregate(RatingAggregate, ("municipality_code", "subject_code", "period"), RATING_COLUMNS,
                           derive.ratings)
CRITERIA = derive.Aggregate(CriterionAggregate, ("municipality_code", "subject_code", "criterion_code", "period"),
                            CRITERION_COLUMNS, derive.criteria)
CLUSTERS = derive.Aggregate(ClusterAggregate, ("municipality_code", "period"), CLUSTER_COLUMNS, derive.clusters)
ADDRESSES = derive.Aggregate(AddressAggregate, ("municipality_code", "period", "address_hash", "subject_code"),
                             ("n",), derive.addresses)
ADDRESS_COUNTS = derive.Aggregate(AddressCount, ("municipality_code", "period", "subject_code"), ("addresses",),
                                  derive.address_counts)
COMPOSITION = derive.Aggregate(CompositionAggregate, ("municipality_code", "period", "channel", "dimension", "value"),
                               ("n",), derive.composition)
REBUILT = (RATINGS, CRITERIA, CLUSTERS, ADDRESSES, ADDRESS_COUNTS, COMPOSITION)  # and channel_aggregates.CHANNELS

RatingKey = tuple[str, str, int]  # municipality, subject, period
CriterionKey = tuple[str, str, str, int]  # municipality, subject, criterion, period


def on_rating_changed(sender, old: RatingState | None = None, new: RatingState | None = None, **extra) -> None:
    apply_change(old, new)
    channel_aggregates.apply_change(old, new)
    respondent_id = getattr(sender, "respondent_id", None)
    if respondent_id is not None:
        apply_cluster_change(respondent_id, old, new, first=getattr(sender, "respondent_first", False))
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


# How each dialect's driver names a bound parameter (sqlite3: named style; psycopg: pyformat).
_PARAMETER = {"sqlite": ":{}", "postgresql": "%({})s"}


def _upsert_sql(dialect, table, columns: tuple[str, ...], returning: tuple[str, ...] = (), rows: int | None = None) -> str:
    """INSERT … ON CONFLICT (primary key) DO UPDATE SET c = c + excluded.c [RETURNING r], the driver's
    SQL built once per table: the same statement on SQLite and PostgreSQL, run with
    ``exec_driver_sql`` (its values are plain integers and codes: no type to convert). SQLAlchemy 2.0
    does not cache the compiled form of its dialects' ``on_conflict_do_update`` (``inherit_cache =
    False``): built with it, every rating compiled each upsert again, about a third of the rating's CPU
    time; as ``text()`` each still cost twice the driver's own time in SQLAlchemy's execution.
    ``rows``: that many rows in one statement, their parameters named ``<column>_<row>``."""
    key = (dialect.name, table.name, columns, returning, rows)
    if key not in _upserts:
        keys = [c.name for c in table.primary_key.columns]
        quote = dialect.identifier_preparer.quote
        name = quote(table.name)
        parameter = _PARAMETER[dialect.name]
        names = keys + list(columns)
        values = (f"({', '.join(parameter.format(c) for c in names)})" if rows is None else
                  ", ".join(f"({', '.join(parameter.format(f'{c}_{i}') for c in names)})" for i in range(rows)))
        # Only the model's own table and column names go into the SQL; every value is a bound parameter.
        _upserts[key] = (
            f"INSERT INTO {name} ({', '.join(quote(c) for c in names)}) VALUES {values} "  # noqa: S608
            f"ON CONFLICT ({', '.join(quote(c) for c in keys)}) DO UPDATE SET "
            + ", ".join(f"{quote(c)} = {name}.{quote(c)} + excluded.{quote(c)}" for c in columns)
            + (f" RETURNING {', '.join(quote(c) for c in returning)}" if returning else ""))
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
        rows = [{**key, **{c: delta.get(c, 0) for c in columns}} for key, delta in changes]
        connection.exec_driver_sql(_upsert_sql(connection.dialect, table, columns), rows if len(rows) > 1 else rows[0])
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


# Built once (bound parameters per call), on the table: no cache key worked out again on every rating,
# no ORM layer for a plain read.
_RATINGS = Rating.__table__
_RESPONDENT_TOTALS = (select(func.count(_RATINGS.c.id), func.coalesce(func.sum(_RATINGS.c.overall), 0))
                      .where(_RATINGS.c.respondent_id == bindparam("respondent"),
                             _RATINGS.c.municipality_code == bindparam("municipality"),
                             _RATINGS.c.period == bindparam("period"), _RATINGS.c.status == "accepted"))


def apply_cluster_change(respondent_id: int, old: RatingState | None, new: RatingState | None,
                         first: bool = False) -> None:
    """Move the cluster sums of the places touched from the respondent's totals before the change to
    their totals now (read after the flush: the change is already in them). ``first``: the respondent
    had no rating before this one (created by the request), so their totals now are this rating's
    alone, known without a read."""
    for municipality, period in {(s.municipality_code, s.period) for s in (old, new) if s is not None}:
        n_new_part, y_new_part = _counted(new, municipality, period)
        if first and old is None:
            n_now, y_now = n_new_part, y_new_part
        else:
            n_now, y_now = db.session.connection().execute(_RESPONDENT_TOTALS, {
                "respondent": respondent_id, "municipality": municipality, "period": period}).one()
        n_old_part, y_old_part = _counted(old, municipality, period)
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
    upsert … RETURNING (both rows of a rating in one statement), so two concurrent ratings from one
    address cannot both count it as new."""
    known: dict[tuple, int] = {}
    counts: dict[AddressKey, int] = {}
    _address_contribution(old, -1, known, counts)
    _address_contribution(new, +1, known, counts)
    changes = [({"municipality_code": municipality, "period": period, "address_hash": address,
                 "subject_code": subject}, delta)
               for (municipality, period, address, subject), delta in sorted(known.items()) if delta]
    for (key, delta), after in zip(changes, _add_returning(AddressAggregate, changes, "n"), strict=True):
        before = after - delta
        step = (after > 0) - (before > 0)
        if step:
            place = (key["municipality_code"], key["period"], key["subject_code"])
            counts[place] = counts.get(place, 0) + step
    _upsert(AddressCount, ("addresses",), [({"municipality_code": municipality, "period": period,
                                              "subject_code": subject}, {"addresses": delta})
                                            for (municipality, period, subject), delta in sorted(counts.items())])


def _add_returning(model, changes: list[tuple[dict, int]], column: str) -> list[int]:
    """``column += delta`` on each row ``key`` (created when absent): the values after the change, in
    the order of ``changes``; one statement for all of them (SQLite and PostgreSQL)."""
    if not changes:
        return []
    table = model.__table__
    connection = db.session.connection()
    if connection.dialect.name in _UPSERT_DIALECTS:
        keys = tuple(c.name for c in table.primary_key.columns)
        sql = _upsert_sql(connection.dialect, table, (column,), returning=(*keys, column), rows=len(changes))
        parameters = {f"{name}_{i}": value for i, (key, delta) in enumerate(changes)
                      for name, value in {**key, column: delta}.items()}
        # RETURNING promises no order of its rows: each is matched to its change by its key.
        after = {tuple(row[:-1]): int(row[-1]) for row in connection.exec_driver_sql(sql, parameters)}
        return [after[tuple(key[name] for name in keys)] for key, _ in changes]
    return [_add_one(table, key, column, delta) for key, delta in changes]


def _add_one(table, key: dict, column: str, delta: int) -> int:
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
    return ADDRESSES.recompute()


def recompute_address_counts() -> dict[AddressKey, dict[str, int]]:
    """From the raw ratings: distinct known addresses plus ratings with none, per subject and overall."""
    return ADDRESS_COUNTS.recompute()


def stored_address_aggregates() -> dict[tuple, dict[str, int]]:
    return ADDRESSES.stored()


def stored_address_counts() -> dict[AddressKey, dict[str, int]]:
    return ADDRESS_COUNTS.stored()


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
COMPOSITION_DIMENSIONS = derive.COMPOSITION_DIMENSIONS


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
    return COMPOSITION.recompute()


def stored_composition() -> dict[CompositionKey, dict[str, int]]:
    return COMPOSITION.stored()


# --- rebuild from the raw rows ------------------------------------------------------------------------

def recompute_rating_aggregates() -> dict[RatingKey, dict[str, int]]:
    return RATINGS.recompute()


def recompute_criterion_aggregates() -> dict[CriterionKey, dict[str, int]]:
    return CRITERIA.recompute()


def stored_rating_aggregates() -> dict[RatingKey, dict[str, int]]:
    return RATINGS.stored()


def stored_criterion_aggregates() -> dict[CriterionKey, dict[str, int]]:
    return CRITERIA.stored()


def _nonzero(rows: dict) -> dict:
    return {key: row for key, row in rows.items() if any(row.values())}


def differences(stored: dict, recomputed: dict) -> list[tuple]:
    """(key, stored row or None, recomputed row or None) wherever they disagree (all-zero rows = absent)."""
    stored, recomputed = _nonzero(stored), _nonzero(recomputed)
    return [(key, stored.get(key), recomputed.get(key)) for key in sorted(set(stored) | set(recomputed), key=str)
            if stored.get(key) != recomputed.get(key)]


def recompute_cluster_aggregates() -> dict[tuple[str, int], dict[str, int]]:
    return CLUSTERS.recompute()


def stored_cluster_aggregates() -> dict[tuple[str, int], dict[str, int]]:
    return CLUSTERS.stored()


def rebuild_aggregates(report: bool = True, progress=None) -> tuple[list, list, list]:
    """Recompute every aggregate from the raw ratings and store it, in the database alone (``INSERT …
    SELECT``: no aggregate row passes through this process). With ``report``, first the differences
    between the stored rows and the recomputed ones (rating aggregates, criterion aggregates,
    distinct-address counts), found in SQL too; without (the demo seed), three empty lists.
    ``progress(done, total)`` after each aggregate table stored."""
    # Each municipality's own counter (its kept card's key), for every place with ratings or with
    # stored aggregates (one emptied too), read before anything below changes them.
    places = select(Rating.municipality_code, Rating.period).union(
        select(RatingAggregate.municipality_code, RatingAggregate.period))
    bump_units(set(db.session.execute(places).tuples()))
    found: tuple[list, list, list] = ([], [], [])
    if report:
        found = (RATINGS.differences(), CRITERIA.differences(), ADDRESS_COUNTS.differences())
    periods = set(db.session.scalars(select(distinct(RatingAggregate.period))))  # a period emptied too
    stored = (*REBUILT, channel_aggregates.CHANNELS)
    for done, aggregate in enumerate(stored):
        if progress is not None:
            progress(done, len(stored))
        aggregate.store()
    if progress is not None:
        progress(len(stored), len(stored))
    periods |= set(db.session.scalars(select(distinct(RatingAggregate.period))))
    for period in sorted(periods):  # every stored context of these periods is now stale
        _bump(PeriodCounter, ("counter",), {"period": period}, {"counter": 1})
    cache.mark_written()
    return found
