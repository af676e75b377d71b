"""All aggregation SQL (portable SQLAlchemy, tested on SQLite and PostgreSQL).

Methodology: only accepted ratings count; quarantined ones are counted apart and shown as such.
Below the minimum sample (default 10 accepted ratings) a score is "not enough ratings", never a
number. The index maps a 1–5 mean m to (m − 1) / 4 × 100.
"""
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import case, func, select

from ..db import db
from ..ratings.models import Rating

DEFAULT_MIN_SAMPLE = 10


def min_sample() -> int:
    return int(current_app.config.get("SCORE_MIN_SAMPLE", DEFAULT_MIN_SAMPLE))


def index_from_mean(mean: float) -> float:
    return (mean - 1) / 4 * 100


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
    accepted = Rating.status == "accepted"
    row = db.session.execute(
        select(
            func.sum(case((accepted, 1), else_=0)),
            func.sum(case((accepted, Rating.overall), else_=0)),
            func.sum(case((accepted, 0), else_=1)),
        ).where(Rating.municipality_code == municipality_code, Rating.subject_code == subject_code,
                Rating.period == period)
    ).one()
    n, total, quarantined = (int(v or 0) for v in row)
    return SubjectSummary(n=n, mean=(total / n if n else None), quarantined=quarantined, min_sample=min_sample())
