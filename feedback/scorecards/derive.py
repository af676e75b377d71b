"""Each aggregate table's one definition from the raw rows: a SELECT grouped by the table's key.

The same statement serves every use, so they cannot drift apart:

* ``store()`` replaces the table's rows by ``INSERT INTO … SELECT … GROUP BY …`` (delete first): the
  rows never pass through Python, so rebuilding after millions of ratings (the demo seed, ``flask
  scorecards rebuild``) takes the database's memory, not the process's;
* ``differences()`` compares the stored rows with it in SQL (a full outer join on the key): only the
  rows that disagree come back;
* ``recompute()`` reads it into a dict (the tests, and small checks).

The SQL is the same on SQLite (≥ 3.39 for the full join) and PostgreSQL. An all-zero row counts as
absent (a running aggregate keeps the row of a rating that moved away), as in ``aggregates.differences``.
"""
from collections.abc import Callable

from sqlalchemy import Select, and_, case, delete, func, insert, literal, or_, select, union_all

from ..db import db
from ..ratings.models import CriterionScore, Rating
from .queries import ALL_SUBJECTS, RATING_COLUMNS


class Aggregate:
    """An aggregate table and the statement that derives it: ``build()`` returns a SELECT whose
    columns are the table's key columns, then its value columns, in the order given here."""

    def __init__(self, model, keys: tuple[str, ...], columns: tuple[str, ...], build: Callable[[], Select]):
        self.model, self.table = model, model.__table__
        self.keys, self.columns, self.build = keys, columns, build

    def _row(self, row) -> tuple[tuple, dict[str, int]]:
        k = len(self.keys)
        return tuple(row[:k]), dict(zip(self.columns, (int(v) for v in row[k:]), strict=True))

    def recompute(self) -> dict[tuple, dict[str, int]]:
        """The derived rows, read into Python (key tuple → values)."""
        return dict(self._row(row) for row in db.session.execute(self.build()))

    def stored(self) -> dict[tuple, dict[str, int]]:
        stmt = select(*(self.table.c[c] for c in (*self.keys, *self.columns)))
        return dict(self._row(row) for row in db.session.execute(stmt))

    def store(self) -> None:
        """Replace the stored rows by the derived ones, in the database alone."""
        db.session.execute(delete(self.table))
        db.session.execute(insert(self.table).from_select([*self.keys, *self.columns], self.build()))

    def differences(self) -> list[tuple]:
        """(key, stored row or None, derived row or None) wherever they disagree, sorted as
        ``aggregates.differences`` sorts them; found in SQL, only the disagreeing rows are read."""
        def nonzero(source):
            return select(source).where(or_(*(source.c[c] != 0 for c in self.columns)))

        stored = nonzero(self.table).subquery("stored")
        derived = self.build().subquery("derived")
        derived = nonzero(derived).subquery("derived_nonzero")
        first = self.keys[0]  # never NULL in a row that is there
        stmt = (select(*(stored.c[k] for k in self.keys), *(derived.c[k] for k in self.keys),
                       *(stored.c[c] for c in self.columns), *(derived.c[c] for c in self.columns))
                .select_from(stored.join(derived, and_(*(stored.c[k] == derived.c[k] for k in self.keys)), full=True))
                .where(or_(stored.c[first].is_(None), derived.c[first].is_(None),
                           *(stored.c[c].is_distinct_from(derived.c[c]) for c in self.columns))))
        k, n = len(self.keys), len(self.columns)
        found = []
        for row in db.session.execute(stmt):
            in_stored, in_derived = row[0] is not None, row[k] is not None
            found.append((tuple(row[:k]) if in_stored else tuple(row[k:2 * k]),
                          dict(zip(self.columns, (int(v) for v in row[2 * k:2 * k + n]), strict=True)) if in_stored else None,
                          dict(zip(self.columns, (int(v) for v in row[2 * k + n:]), strict=True)) if in_derived else None))
        return sorted(found, key=lambda item: str(item[0]))


# --- the definitions ---------------------------------------------------------------------------------

def _total(condition, value=1):
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def rating_sums(*keys) -> Select:
    """``RATING_COLUMNS`` of the ratings grouped by ``keys`` (rating columns): accepted ratings' count,
    sum, sum of squares and distribution, verified ones apart, the quarantined count."""
    accepted = Rating.status == "accepted"
    verified = and_(accepted, Rating.verified.is_(True))
    sums = (_total(accepted), _total(accepted, Rating.overall), _total(accepted, Rating.overall * Rating.overall),
            *(_total(and_(accepted, Rating.overall == k)) for k in range(1, 6)),
            _total(verified), _total(verified, Rating.overall), _total(verified, Rating.overall * Rating.overall),
            _total(Rating.status != "accepted"))
    return (select(*keys, *(s.label(c) for s, c in zip(sums, RATING_COLUMNS, strict=True)))
            .group_by(*keys))


def ratings() -> Select:
    return rating_sums(Rating.municipality_code, Rating.subject_code, Rating.period)


def channels() -> Select:
    return rating_sums(Rating.municipality_code, Rating.subject_code, Rating.channel, Rating.period)


def criteria() -> Select:
    score = CriterionScore.score
    keys = (Rating.municipality_code, Rating.subject_code, CriterionScore.criterion_code, Rating.period)
    return (select(*keys, func.count(score).label("n"), func.coalesce(func.sum(score), 0).label("total"),
                   func.coalesce(func.sum(score * score), 0).label("total_sq"),
                   func.coalesce(func.sum(case((score.is_(None), 1), else_=0)), 0).label("n_unknown"))
            .join(Rating, Rating.id == CriterionScore.rating_id)
            .where(Rating.status == "accepted")
            .group_by(*keys))


def clusters() -> Select:
    """Per municipality and period, over respondents r with n_r accepted ratings there summing to Y_r:
    how many respondents, Σ n_r², Σ Y_r², Σ n_r·Y_r."""
    per_respondent = (select(Rating.municipality_code, Rating.period, func.count(Rating.id).label("n_r"),
                             func.sum(Rating.overall).label("y_r"))
                      .where(Rating.status == "accepted")
                      .group_by(Rating.respondent_id, Rating.municipality_code, Rating.period).subquery())
    p = per_respondent.c
    return (select(p.municipality_code, p.period, func.count().label("respondents"),
                   func.sum(p.n_r * p.n_r).label("n_sq"), func.sum(p.y_r * p.y_r).label("y_sq"),
                   func.sum(p.n_r * p.y_r).label("ny"))
            .group_by(p.municipality_code, p.period))


def _known_address():
    return and_(Rating.status == "accepted", Rating.address_hash.is_not(None), Rating.address_hash != "")


def addresses() -> Select:
    """Accepted ratings per known address, per subject and over all subjects (``ALL_SUBJECTS``)."""
    per_subject = (select(Rating.municipality_code, Rating.period, Rating.address_hash, Rating.subject_code,
                          func.count().label("n"))
                   .where(_known_address())
                   .group_by(Rating.municipality_code, Rating.period, Rating.address_hash, Rating.subject_code))
    overall = (select(Rating.municipality_code, Rating.period, Rating.address_hash,
                      literal(ALL_SUBJECTS).label("subject_code"), func.count().label("n"))
               .where(_known_address())
               .group_by(Rating.municipality_code, Rating.period, Rating.address_hash))
    return _union(per_subject, overall)


def address_counts() -> Select:
    """Distinct known addresses plus the ratings with none (each an address of its own), per subject
    and over all subjects."""
    no_address = or_(Rating.address_hash.is_(None), Rating.address_hash == "")
    counted = (func.count(func.distinct(case((no_address, None), else_=Rating.address_hash)))
               + func.coalesce(func.sum(case((no_address, 1), else_=0)), 0)).label("addresses")
    per_subject = (select(Rating.municipality_code, Rating.period, Rating.subject_code, counted)
                   .where(Rating.status == "accepted")
                   .group_by(Rating.municipality_code, Rating.period, Rating.subject_code))
    overall = (select(Rating.municipality_code, Rating.period, literal(ALL_SUBJECTS).label("subject_code"), counted)
               .where(Rating.status == "accepted")
               .group_by(Rating.municipality_code, Rating.period))
    return _union(per_subject, overall)


COMPOSITION_DIMENSIONS = ("sex", "age_band")


def composition() -> Select:
    """Accepted ratings per channel and per stated sex or age band: a missing channel counts as "web"
    and an unstated value as "" (as ``aggregates.composition_contribution`` counts them), grouped by
    those values."""
    stated = union_all(*(
        select(Rating.municipality_code, Rating.period,
               func.coalesce(func.nullif(Rating.channel, ""), "web").label("channel"),
               literal(dimension).label("dimension"),
               func.coalesce(getattr(Rating, dimension), "").label("value"))
        .where(Rating.status == "accepted") for dimension in COMPOSITION_DIMENSIONS)).subquery()
    s = stated.c
    return (select(s.municipality_code, s.period, s.channel, s.dimension, s.value, func.count().label("n"))
            .group_by(s.municipality_code, s.period, s.channel, s.dimension, s.value))


def _union(*selects) -> Select:
    """UNION ALL as a plain SELECT (its columns by name): one shape for every statement here."""
    union = union_all(*selects).subquery()
    return select(*union.c)
