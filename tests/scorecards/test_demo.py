"""`flask demo seed` and `flask demo clear`: marked, caught by the rules, aggregated, removable."""
from sqlalchemy import func, select

from feedback.db import db
from feedback.evaluation.models import StateEvaluation
from feedback.ratings.models import Rating, Respondent
from feedback.scorecards import aggregates, demo, queries
from tests.helpers import fresh_get, visible_text
from tests.scorecards.helpers import AK_BULUN, rate, respondent


def test_seed_and_clear(app, client):
    own = respondent()
    rate(own, AK_BULUN, "LI-WATER", 3, 2025)
    counts = demo.seed(scale=0.05)
    assert counts["ratings"] > 1000 and counts["quarantined"] > 0 and counts["evaluations"] > 0
    assert demo.demo_present()
    assert aggregates.differences(aggregates.stored_rating_aggregates(), aggregates.recompute_rating_aggregates()) == []
    rules = set(db.session.scalars(select(Rating.quarantine_rule).where(Rating.status == "quarantined")))
    assert rules == {"too_fast", "honeypot", "burst_address"}
    assert db.session.scalar(select(func.count()).select_from(StateEvaluation).where(StateEvaluation.status != "final")) == 0
    covered = db.session.scalar(select(func.count(func.distinct(Rating.municipality_code))))
    assert covered >= 480  # every municipality in force (484), ours included
    for lang, words in (("ky", "Демонстрациялык маалыматтар"), ("ru", "Демонстрационные данные")):
        assert words in visible_text(fresh_get(app, client, f"/{lang}/").get_data(as_text=True))

    # The grouping promise over the whole (small) demonstration history: within every peer group,
    # two municipalities whose intervals overlap are never in different classes.
    from feedback.scorecards import context, methodology

    for period in {key[2] for key in aggregates.stored_rating_aggregates()}:
        units = [u for u in context.compute(period, methodology.get())["units"].values() if u["est"] is not None]
        for a in units:
            for b in units:
                if a["group"] == b["group"] and a["low"] <= b["high"] and b["low"] <= a["high"]:
                    assert a["class"] == b["class"]

    removed = demo.clear()
    assert removed["ratings"] == counts["ratings"] and not demo.demo_present()
    assert db.session.scalar(select(func.count()).select_from(Respondent).where(Respondent.token.like("demo-%"))) == 0
    assert aggregates.stored_rating_aggregates() == {(AK_BULUN, "LI-WATER", 2025): {
        **dict.fromkeys(queries.RATING_COLUMNS, 0), "n": 1, "total": 3, "total_sq": 9, "n3": 1}}
    assert "Демонстрационные" not in fresh_get(app, client, "/ru/").get_data(as_text=True)
