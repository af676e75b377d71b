"""Evaluation periods: an administrator opens and closes them; closed periods are read-only.

A period is a calendar year (PRODUCT.md). Write paths that belong to a period (state evaluations,
transparency assessments, LSG answers) call ``ensure_open(year)`` before changing anything, and map
``PeriodClosed`` onto their form or JSON error.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..db import db
from .models import Period

# The years an administrator may open: the methodology starts in 2015; a year ahead at most.
FIRST_YEAR = 2015


class PeriodClosed(Exception):
    """The period is closed (or was never opened): nothing in it may change."""

    def __init__(self, year: int, *, exists: bool = True):
        self.year = year
        self.exists = exists
        self.field = "period"
        if exists:
            self.message = _l("The period %(year)s is closed; it can no longer be changed.", year=year)
        else:
            self.message = _l("The period %(year)s has not been opened.", year=year)
        super().__init__(f"period {year} is {'closed' if exists else 'not open'}")


def get_period(year: int) -> Period | None:
    return db.session.get(Period, int(year))


def is_open(year: int) -> bool:
    period = get_period(year)
    return period is not None and period.is_open


def ensure_open(year: int) -> Period:
    """The open period of ``year``; PeriodClosed when it is closed or was never opened."""
    period = get_period(year)
    if period is None:
        raise PeriodClosed(int(year), exists=False)
    if not period.is_open:
        raise PeriodClosed(int(year))
    return period


def current_open_period() -> Period | None:
    """The latest open period, or None when none is open."""
    return db.session.scalar(select(Period).where(Period.status == "open").order_by(Period.year.desc()).limit(1))


def all_periods() -> list[Period]:
    return list(db.session.scalars(select(Period).order_by(Period.year.desc())))


def open_period(year: int, *, actor_id: int | None = None) -> Period:
    """Open the period of ``year`` (idempotent). A closed period stays closed: PeriodClosed."""
    from ..audit.services import record

    year = int(year)
    period = get_period(year)
    if period is not None:
        if not period.is_open:
            raise PeriodClosed(year)
        return period
    period = Period(year=year, status="open")
    db.session.add(period)
    db.session.flush()
    record("period.open", "period", year, actor_id=actor_id, after={"status": "open"})
    return period


def close_period(year: int, *, actor_id: int | None = None) -> Period:
    """Close the period: from now on it is read-only. PeriodClosed if it is not open."""
    from ..audit.services import record

    period = ensure_open(year)
    period.status = "closed"
    db.session.flush()
    record("period.close", "period", period.year, actor_id=actor_id, before={"status": "open"},
           after={"status": "closed"})
    return period
