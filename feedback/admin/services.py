"""Administration, the write side: catalog texts, registry names, and the counts of the admin home.

Every change is written to the audit log with the old and new values of the fields that changed.
Services add and flush; the view commits.
"""
from sqlalchemy import func, select

from ..accounts.models import ROLES, User
from ..audit.services import record
from ..db import db
from ..ratings.models import Rating
from ..territory.models import Municipality, Village
from ..territory.search import search_key


def counts() -> dict:
    by_role = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    return {
        "users": {role: by_role.get(role, 0) for role in ROLES},
        "users_total": sum(by_role.values()),
        "pending_comments": db.session.scalar(
            select(func.count()).select_from(Rating).where(Rating.comment_status == "pending")) or 0,
        "quarantined": db.session.scalar(
            select(func.count()).select_from(Rating).where(Rating.status == "quarantined",
                                                          Rating.quarantine_decision.is_(None))) or 0,
    }


def _clean(value) -> str:
    return " ".join((value or "").split()) if isinstance(value, str) else value


def _apply(obj, values: dict, *, action: str, entity: str, entity_id, actor_id: int | None) -> dict:
    """Set the fields that differ; audit them. Returns {field: (old, new)} of what changed."""
    changed = {}
    for field, value in values.items():
        old = getattr(obj, field)
        if old != value:
            changed[field] = (old, value)
            setattr(obj, field, value)
    if changed:
        db.session.flush()
        record(action, entity, entity_id, actor_id=actor_id, before={k: v[0] for k, v in changed.items()},
               after={k: v[1] for k, v in changed.items()})
    return changed


def edit_texts(obj, entity: str, entity_id, data: dict, *, actor_id: int | None) -> dict:
    """Names (one line) and descriptions or questions (free text) of a catalog entry, in both languages."""
    values = {field: (_clean(value) if field.startswith("name") else (value or "").strip())
              for field, value in data.items()}
    return _apply(obj, values, action=f"{entity}.edit", entity=entity, entity_id=entity_id, actor_id=actor_id)


def set_subject_retired(subject, retired: bool, *, actor_id: int | None) -> bool:
    """A retired subject is no longer offered for rating; its history stays."""
    return bool(_apply(subject, {"retired": retired}, action="subject.retire" if retired else "subject.unretire",
                       entity="subject", entity_id=subject.code, actor_id=actor_id))


def rename_unit(unit, data: dict, *, actor_id: int | None) -> dict:
    """Correct the names of a municipality or village.

    A person who changes the Kyrgyz name has checked it: it is no longer the rule-derived form, and
    its method says "correction" (kg_names_ky.csv's methods, README). The search key follows the names.
    """
    values = {field: _clean(value) for field, value in data.items()}
    if values.get("name_ky") is not None and values["name_ky"] != unit.name_ky:
        values["name_ky_derived"] = False
        values["name_ky_method"] = "correction"
        values["name_ky_confidence"] = "high"
    names = {field: values.get(field, getattr(unit, field)) for field in ("name_ru", "name_ky")}
    if isinstance(unit, Municipality):
        short = {field: values.get(field, getattr(unit, field)) for field in ("short_name_ru", "short_name_ky")}
        values["search_key"] = search_key(names["name_ru"], names["name_ky"], short["short_name_ru"],
                                          short["short_name_ky"])
        entity = "municipality"
    else:
        values["search_key"] = search_key(names["name_ru"], names["name_ky"])
        entity = "village"
    return _apply(unit, values, action=f"{entity}.rename", entity=entity, entity_id=unit.code, actor_id=actor_id)


def find_unit(code: str):
    """A municipality or village by its SOATE code."""
    return db.session.get(Municipality, code) or db.session.get(Village, code)
