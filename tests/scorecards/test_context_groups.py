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


def test_a_unit_rated_from_one_address_is_neither_published_nor_a_peer():
    """Methodology 2's address rule in the shared context, as on the card (tests/ratings/test_stuffing.py)."""
    from feedback.ratings.abuse import Signals
    from feedback.ratings.services import RatingInput, submit_rating
    from feedback.scorecards import card

    params = mth.Params(96, mth.validate({"method": 2, "min_sample": 3,
                                          "shrinkage": {"enabled": True, "min_peers": 4, "tau2_floor": 0.0001}}))
    assert params["min_distinct_addresses"] == 5
    municipalities = list(db.session.scalars(select(Municipality).where(
        Municipality.kind == "aiyl_aimak", Municipality.valid_to.is_(None)).order_by(Municipality.code).limit(6)))
    stuffed = municipalities[0]
    for _ in range(8):  # eight residents, one address
        who = respondent()
        submit_rating(RatingInput(stuffed.code, "LI-WATER", 1), who,
                      Signals(municipality_code=stuffed.code, respondent_id=who.id, address_hash="one-address"),
                      period=YEAR)
    for i, m in enumerate(municipalities[1:]):
        for k in range(5):
            rate(respondent(), m.code, "LI-WATER", 1 + (i + k) % 5, YEAR)
    db.session.flush()
    ctx = context.compute(YEAR, params)
    assert ctx["units"][stuffed.code]["est"] is None
    assert all(ctx["units"][m.code]["est"] is not None for m in municipalities[1:])
    assert ctx["groups"][ctx["units"][municipalities[1].code]["group"]]["k"] == 5
    assert card.build(stuffed, YEAR, params)["citizen"]["index"] is None


def test_the_address_rule_reads_the_kept_counts_not_the_ratings():
    """The context and the card check ``min_distinct_addresses`` from ``address_count``: not one
    statement of theirs reads the period's ratings (they were read in full at every recompute)."""
    import re

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from feedback.scorecards import card

    params = mth.Params(95, mth.validate({"method": 2, "min_sample": 3}))
    municipality = db.session.scalars(select(Municipality).where(Municipality.kind == "aiyl_aimak",
                                                                 Municipality.valid_to.is_(None))).first()
    for k in range(6):
        rate(respondent(), municipality.code, "LI-WATER", 1 + k % 5, YEAR + 1, address=f"{k:064x}")
    db.session.flush()
    statements: list[str] = []

    def note(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", note)
    try:
        ctx = context.compute(YEAR + 1, params)
        citizen = card.citizen_live(municipality.code, YEAR + 1, params, ctx)
    finally:
        event.remove(Engine, "before_cursor_execute", note)
    assert ctx["units"][municipality.code]["est"] is not None and citizen["index"] is not None  # 6 addresses ≥ 5
    assert any("address_count" in s for s in statements)
    reads_ratings = re.compile(r"\bFROM rating\b(?!_)|\brating\.\w", re.IGNORECASE)
    assert [s for s in statements if reads_ratings.search(s)] == []
