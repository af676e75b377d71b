"""Reading the registry (the read side)."""
import re

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import selectinload

from ..db import db
from .models import District, Municipality, Region, Village

REGISTRY_VINTAGE = "2021"
SOATE = re.compile(r"\d{14}")


def regions() -> list[Region]:
    return list(db.session.scalars(select(Region).order_by(Region.kind.desc(), Region.name_ru)))


def is_soate(code: str) -> bool:
    """Codes in URLs are checked before they reach the database (a NUL byte is an error in PostgreSQL)."""
    return bool(SOATE.fullmatch(code or ""))


def region(code: str) -> Region | None:
    return db.session.get(Region, code) if is_soate(code) else None


def district(code: str) -> District | None:
    return db.session.get(District, code) if is_soate(code) else None


def municipality(code: str) -> Municipality | None:
    if not is_soate(code):
        return None
    return db.session.scalar(
        select(Municipality).where(Municipality.code == code)
        .options(selectinload(Municipality.villages), selectinload(Municipality.region),
                 selectinload(Municipality.district))
    )


def municipalities_of_region_without_district(region_code: str) -> list[Municipality]:
    """Cities of republican significance (Bishkek, Osh) stand directly under their region."""
    return list(db.session.scalars(
        select(Municipality).where(Municipality.region_code == region_code, Municipality.district_code.is_(None))
    ))


def municipalities_of_district(district_code: str) -> list[Municipality]:
    return list(db.session.scalars(
        select(Municipality).where(Municipality.district_code == district_code)
        .order_by(Municipality.kind.desc(), Municipality.name_ru)
    ))


def municipality_counts_by_region() -> dict[str, int]:
    rows = db.session.execute(
        select(Municipality.region_code, func.count()).where(Municipality.valid_to.is_(None))
        .group_by(Municipality.region_code)
    )
    return dict(rows.all())


def village_count(municipality_code: str) -> int:
    return db.session.scalar(select(func.count()).select_from(Village).where(Village.municipality_code == municipality_code))


def names_by_confidence(confidence: str | None, query: str = "", *, page: int = 1, per_page: int = 50):
    """Municipalities and villages whose Kyrgyz name has ``confidence`` (None: any), optionally those
    whose name matches ``query``; one page of rows (code, name_ky, name_ru, confidence, method, unit)
    by Russian name, and the total."""
    from .search import fold

    def rows(model, unit: str):
        stmt = select(model.code, model.name_ky, model.name_ru, model.name_ky_confidence.label("confidence"),
                      model.name_ky_method.label("method"), literal(unit).label("unit"))
        if confidence:
            stmt = stmt.where(model.name_ky_confidence == confidence)
        key = fold(query) if query else ""
        if key:
            stmt = stmt.where(model.search_key.contains(key, autoescape=True))
        return stmt

    both = union_all(rows(Municipality, "municipality"), rows(Village, "village")).subquery()
    total = db.session.scalar(select(func.count()).select_from(both))
    items = db.session.execute(select(both).order_by(both.c.name_ru, both.c.code)
                               .limit(per_page).offset((page - 1) * per_page)).all()
    return items, total
