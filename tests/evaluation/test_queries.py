"""The read side: the evaluator's worklist and the state-track numbers of the scorecard."""
from sqlalchemy import event

from feedback.db import db
from feedback.evaluation import queries, services
from feedback.evaluation.services import ScoresInput

from .conftest import OPEN, full_scores


def _finished(world, municipality, subject, values, *, final=True):
    ev = services.open_draft(world.mod if subject.agency_code == "MOD" else world.moj, municipality, subject, OPEN)
    user = world.mod if subject.agency_code == "MOD" else world.moj
    services.save_scores(user, ev, ScoresInput(values=values))
    services.submit(user, ev)
    if final:
        services.finalise(user, ev)
    return ev


def test_worklist_covers_every_current_municipality_for_the_agency(world, session):
    result = queries.worklist(world.mod, OPEN, per_page=1000)
    from sqlalchemy import func, select

    from feedback.territory.models import Municipality

    municipalities = session.scalar(select(func.count()).select_from(Municipality).where(Municipality.valid_to.is_(None)))
    assert result.total == municipalities  # MOD oversees one power
    assert result.counts["not_started"] == municipalities
    assert {item.subject_code for item in result.items} == {"DP-MILITARY"}
    assert result.indicators == len(world.indicators)


def test_worklist_status_progress_and_filters(world, session):
    services.save_scores(world.mod, services.open_draft(world.mod, world.x, world.military, OPEN),
                         ScoresInput(values={world.indicators[0].code: "2", world.indicators[-1].code: "no"}))
    result = queries.worklist(world.mod, OPEN, status="draft")
    assert result.total == 1 and result.items[0].municipality_code == world.x.code
    assert result.items[0].scored == 2 and result.items[0].status == "draft"
    assert result.counts["draft"] == 1

    by_district = queries.worklist(world.mod, OPEN, district=world.x.district_code, per_page=5)
    assert all(item.place("ru") for item in by_district.items)
    assert world.x.code in {i.municipality_code for i in queries.worklist(world.mod, OPEN, district=world.x.district_code,
                                                                          per_page=500).items}
    regional = queries.worklist(world.mod_region_y, OPEN, per_page=500)
    assert world.x.code not in {i.municipality_code for i in regional.items}
    # A regional evaluator cannot widen the scope with another region's filter.
    assert queries.worklist(world.mod_region_y, OPEN, region=world.x.region_code).total == 0


def test_worklist_pages_with_a_fixed_number_of_queries(world, app):
    statements = []

    def count(*args):
        statements.append(args[2])

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        result = queries.worklist(world.mod, OPEN, page=2, per_page=50)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(result.items) == 50 and result.page == 2
    assert len(statements) <= 3


def test_state_track_uses_final_evaluations_only(world):
    values = full_scores(world.indicators, 4)
    funding = [i for i in world.indicators if not i.counts_toward_lsg_score]
    values[funding[0].code] = "yes"
    if len(funding) > 1:
        values[funding[1].code] = "no"
    _finished(world, world.x, world.military, values)
    _finished(world, world.x, world.notary, full_scores(world.indicators, 2), final=False)

    track = queries.state_track(world.x.code, OPEN)
    assert [row["subject"] for row in track] == ["DP-MILITARY"]
    row = track[0]
    assert row["lsg_score"] == 75.0  # level 4 → (4 − 1) × 25
    assert row["lsg_n"] == sum(1 for i in world.indicators if i.counts_toward_lsg_score)
    assert row["state_support_score"] == (50.0 if len(funding) > 1 else 100.0)
    assert queries.state_track(world.y.code, OPEN) == []


def test_indicator_value_mapping():
    assert [queries.indicator_value(level, None) for level in range(1, 6)] == [0, 25, 50, 75, 100]
    assert [queries.indicator_value(None, a) for a in ("yes", "partial", "no")] == [100, 50, 0]
    assert queries.indicator_value(None, None) is None
