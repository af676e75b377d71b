"""The shared context's peer-group statistics come from the group's published members, even when
the group's first unit (by code) is not published (too few ratings)."""
from sqlalchemy import select

from feedback.db import db
from feedback.scorecards import context
from feedback.scorecards import methodology as mth
from feedback.territory.models import Municipality

from .helpers import rate, respondent

YEAR = 2011  # a year no other test rates in


def test_group_statistics_ignore_an_unpublished_first_member():
    params = mth.Params(97, mth.validate({"method": 2, "min_sample": 3, "min_distinct_addresses": 1,
                                          "shrinkage": {"enabled": True, "min_peers": 4, "tau2_floor": 0.0001}}))
    codes = list(db.session.scalars(select(Municipality.code).where(
        Municipality.kind == "aiyl_aimak", Municipality.valid_to.is_(None)).order_by(Municipality.code).limit(7)))
    rate(respondent(), codes[0], "LI-WATER", 3, YEAR)  # the group's first unit: one rating, not published
    for i, code in enumerate(codes[1:]):
        for k in range(4):
            rate(respondent(), code, "LI-WATER", 1 + (i + k) % 5, YEAR)
    db.session.flush()
    ctx = context.compute(YEAR, params)
    groups = {ctx["units"][code]["group"] for code in codes}
    assert len(groups) == 1
    stats = ctx["groups"][groups.pop()]
    assert stats["mu"] is not None and stats["precision"] and stats["k"] == 6
    assert ctx["units"][codes[0]]["est"] is None and all(ctx["units"][c]["est"] is not None for c in codes[1:])
