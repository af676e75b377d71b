"""What the comparison pages and the open-data dump need beyond the scorecards' demo history:
villages on a share of the demo ratings (the scorecards' demo leaves them empty), so that the
dump's k-anonymity has villages to keep or coarsen. Flushes; the caller commits."""
from sqlalchemy import func, select, update

from ..db import db
from ..ratings.models import Rating
from ..territory.models import Village

PREFIX = "demo-"


def seed() -> int:
    """A third of the demo ratings get their municipality's first village, a third its last one."""
    changed = 0
    for remainder, pick in ((0, func.min), (1, func.max)):
        village = (select(pick(Village.code)).where(Village.municipality_code == Rating.municipality_code)
                   .scalar_subquery())
        changed += db.session.execute(
            update(Rating).where(Rating.client_id.like(PREFIX + "%"), Rating.id % 3 == remainder)
            .values(village_code=village).execution_options(synchronize_session=False)).rowcount
    return changed
