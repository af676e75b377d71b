"""Reading the catalog."""
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..db import db
from .models import MUNICIPALITY_KIND_APPLIES, Agency, Criterion, StateIndicator, Subject, TransparencyItem


@dataclass
class Catalog:
    subjects: list[Subject]
    criteria: list[Criterion]
    indicators: list[StateIndicator]
    checklist: list[TransparencyItem]
    agencies: list[Agency]


def full_catalog() -> Catalog:
    return Catalog(
        subjects=list(db.session.scalars(select(Subject).order_by(Subject.position))),
        criteria=list(db.session.scalars(select(Criterion).options(selectinload(Criterion.levels)).order_by(Criterion.position))),
        indicators=list(db.session.scalars(select(StateIndicator).order_by(StateIndicator.position))),
        checklist=list(db.session.scalars(select(TransparencyItem).order_by(TransparencyItem.position))),
        agencies=list(db.session.scalars(select(Agency).order_by(Agency.code))),
    )


def criteria_for(subject: Subject) -> list[Criterion]:
    """The citizen criteria asked about this subject, with their levels."""
    return list(db.session.scalars(
        select(Criterion).where(Criterion.applies_to.in_(("both", subject.kind)))
        .options(selectinload(Criterion.levels)).order_by(Criterion.position)
    ))


def citizen_subjects(municipality_kind: str) -> list[Subject]:
    """What residents of this kind of municipality can rate: local issues and municipal services."""
    return list(db.session.scalars(
        select(Subject).where(Subject.kind != "delegated_power", Subject.retired.is_(False),
                              Subject.applies_to.in_(MUNICIPALITY_KIND_APPLIES[municipality_kind]))
        .order_by(Subject.position)
    ))
