"""What moderators review, and the approved comments the public sees.

Each queue page is one query: the rows with their municipality and subject, and the total by a
window count (portable: SQLite ≥ 3.25 and PostgreSQL).
"""
import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import and_, case, func, select

from ..catalog.models import Subject
from ..db import db
from ..ratings.models import Rating
from ..territory.models import Municipality

PER_PAGE = 50


@dataclass(frozen=True)
class Filters:
    region_code: str | None = None
    municipality_code: str | None = None
    district_code: str | None = None
    name: str | None = None  # the local government's name (or a village's), as people type it


@dataclass(frozen=True)
class QueueItem:
    rating: Rating
    municipality: Municipality
    subject: Subject

    @property
    def flags(self) -> list[str]:
        return [f for f in (self.rating.comment_flags or "").split(",") if f]


@dataclass(frozen=True)
class Page:
    items: list[QueueItem]
    total: int
    page: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


@dataclass(frozen=True)
class Counts:
    pending: int  # comments awaiting a decision
    flagged: int  # of those, the ones with a flag (automatic or a moderator's)
    quarantined: int  # quarantined ratings without a decision


@dataclass(frozen=True)
class PublicComment:
    """What the public sees of an approved comment: never anything about who wrote it."""

    text: str
    subject_code: str
    subject_name_ky: str
    subject_name_ru: str
    written_on: dt.date
    rating_id: int | None = None  # for the answer status shown against it (not who wrote it)

    def subject_name(self, lang: str) -> str:
        return self.subject_name_ky if lang == "ky" else self.subject_name_ru


def _scoped(query, filters: Filters):
    if filters.region_code:
        query = query.where(Municipality.region_code == filters.region_code)
    if filters.municipality_code:
        query = query.where(Rating.municipality_code == filters.municipality_code)
    if filters.district_code:
        query = query.where(Municipality.district_code == filters.district_code)
    if filters.name:
        from ..territory.search import municipality_filter  # the registry's folded name search

        query = query.where(municipality_filter(filters.name))
    return query


def _page(query, page: int) -> Page:
    page = max(1, page)
    rows = db.session.execute(query.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    total = rows[0][3] if rows else 0
    if not rows and page > 1:
        # Past the end (an item was just decided): the total still has to be known.
        total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return Page(items=[QueueItem(r, m, s) for r, m, s, _ in rows], total=int(total), page=page)


def _base():
    return (select(Rating, Municipality, Subject, func.count().over())
            .join(Municipality, Municipality.code == Rating.municipality_code)
            .join(Subject, Subject.code == Rating.subject_code))


_PENDING = Rating.comment_status == "pending"
_FLAGGED = Rating.comment_flags != ""
_UNDECIDED = and_(Rating.status == "quarantined", Rating.quarantine_decision.is_(None))


def pending_comments(filters: Filters = Filters(), page: int = 1) -> Page:
    """Comments awaiting a decision: flagged by a moderator first, then flagged automatically (links,
    phones, e-mails), then the rest; oldest first within each."""
    priority = case((Rating.comment_flags.contains("moderator"), 0), (_FLAGGED, 1), else_=2)
    query = _scoped(_base().where(_PENDING), filters).order_by(priority, Rating.updated_at, Rating.id)
    return _page(query, page)


def quarantined_ratings(filters: Filters = Filters(), page: int = 1) -> Page:
    """Quarantined ratings: undecided first, then the confirmed ones; oldest first within each."""
    undecided_first = case((Rating.quarantine_decision.is_(None), 0), else_=1)
    query = _scoped(_base().where(Rating.status == "quarantined"), filters).order_by(
        undecided_first, Rating.updated_at, Rating.id)
    return _page(query, page)


def counts(filters: Filters = Filters()) -> Counts:
    """The three numbers of the moderation dashboard, in one query."""
    def total(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    query = (select(total(_PENDING), total(and_(_PENDING, _FLAGGED)), total(_UNDECIDED))
             .select_from(Rating).join(Municipality, Municipality.code == Rating.municipality_code))
    pending, flagged, quarantined = db.session.execute(_scoped(query, filters)).one()
    return Counts(pending=int(pending), flagged=int(flagged), quarantined=int(quarantined))


def approved_comments(municipality_code: str, limit: int = 20) -> list[PublicComment]:
    """The municipality's approved comments, newest first, for its public page. Comments of ratings
    that stay quarantined are not published."""
    rows = db.session.execute(
        select(Rating.comment, Subject.code, Subject.name_ky, Subject.name_ru, Rating.updated_at, Rating.id)
        .join(Subject, Subject.code == Rating.subject_code)
        .where(Rating.municipality_code == municipality_code, Rating.comment_status == "approved",
               Rating.status == "accepted", Rating.comment.is_not(None))
        .order_by(Rating.updated_at.desc(), Rating.id.desc())
        .limit(limit)
    ).all()
    return [PublicComment(text=text, subject_code=code, subject_name_ky=ky, subject_name_ru=ru,
                          written_on=local_date(at), rating_id=rating_id)
            for text, code, ky, ru, at, rating_id in rows]


def local_date(at: dt.datetime) -> dt.date:
    # Dates are shown in Kyrgyzstan's time (UTC+6, no daylight saving).
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(dt.timezone(dt.timedelta(hours=6))).date()
