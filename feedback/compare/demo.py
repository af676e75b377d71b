"""What the comparison pages and the open-data dump need beyond the scorecards' demo history:
villages on a share of the demo ratings, so that the dump's k-anonymity has villages to keep or
coarsen. ``scorecards.demo.seed`` asks ``village`` for each rating."""
from sqlalchemy import func, select

from ..db import db
from ..territory.models import Village


def first_and_last_villages() -> dict[str, tuple[str, str]]:
    """Each municipality's first and last village (by code), for those that have villages."""
    stmt = select(Village.municipality_code, func.min(Village.code), func.max(Village.code)).group_by(
        Village.municipality_code)
    return {code: (first, last) for code, first, last in db.session.execute(stmt)}


def village(rating_id: int, first_and_last: tuple[str, str] | None) -> str | None:
    """A third of the demo ratings get their municipality's first village, a third its last one."""
    if first_and_last is None or rating_id % 3 == 2:
        return None
    return first_and_last[rating_id % 3]
