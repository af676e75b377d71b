"""Properties of the scoring (hypothesis), on synthetic aggregates fed to the real Context:
- the published index never falls when any single score rises (subject and citizen track);
- a municipality below the minimum sample never shows a number, an interval or a tier.
"""
from types import SimpleNamespace

from flask import g
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedback.scorecards import methodology as mth
from feedback.scorecards import queries, scorecard

PARAMS = mth.Params(1, mth.validate({}))
SUBJECTS = ("LI-WATER", "LI-ROADS")
ratings = st.lists(st.integers(1, 5), max_size=25)
unit_ratings = st.fixed_dictionaries({s: ratings for s in SUBJECTS})
group = st.lists(unit_ratings, min_size=1, max_size=9)


def _agg(code, subject, xs):
    counts = [xs.count(k) for k in range(1, 6)]
    return SimpleNamespace(municipality_code=code, subject_code=subject, n=len(xs), total=sum(xs),
                           total_sq=sum(x * x for x in xs), n1=counts[0], n2=counts[1], n3=counts[2], n4=counts[3],
                           n5=counts[4], n_verified=0, total_verified=0, total_sq_verified=0, n_quarantined=0)


def _context(monkeypatch, units_ratings) -> scorecard.Context:
    units = {f"U{i:02d}": queries.Unit(f"U{i:02d}", "aiyl_aimak", None, "R1", "D1") for i in range(len(units_ratings))}
    rows = [_agg(code, s, xs) for code, by_subject in zip(units, units_ratings, strict=True)
            for s, xs in by_subject.items() if xs]
    monkeypatch.setattr(queries, "current_units", lambda: units)
    monkeypatch.setattr(queries, "period_aggregates", lambda period: rows)
    return scorecard.Context(2025, PARAMS)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=group, which=st.sampled_from(SUBJECTS), position=st.integers(0, 24))
def test_index_is_monotone_in_every_score(monkeypatch, data, which, position):
    xs = data[0][which]
    if not xs or xs[position % len(xs)] == 5:
        return
    before = _context(monkeypatch, data)
    raised = [dict(u) for u in data]
    raised[0][which] = list(xs)
    raised[0][which][position % len(xs)] += 1
    after = _context(monkeypatch, raised)
    old = {s.code: s for s in before.subject_scores("U00")}[which]
    new = {s.code: s for s in after.subject_scores("U00")}[which]
    assert new.est.estimate >= old.est.estimate - 1e-9
    assert (new.index is None) == (old.index is None)
    if old.index is not None:
        assert new.index >= old.index - 1e-9
    old_track, new_track = before.citizen("U00"), after.citizen("U00")
    if old_track.index is not None:
        assert new_track.index >= old_track.index - 1e-9


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=group, small=st.fixed_dictionaries({s: st.lists(st.integers(1, 5), max_size=9) for s in SUBJECTS}))
def test_below_the_minimum_sample_no_number_and_no_rank(app, monkeypatch, data, small):
    g.pop("_scorecard_contexts", None)
    units = [small, *data]
    _context(monkeypatch, units)  # patches the queries the scorecard uses
    municipality = SimpleNamespace(code="U00", name_ky="", name_ru="", kind="aiyl_aimak", region_code="R1",
                                   district_code="D1", population=None)
    monkeypatch.setattr(queries, "criterion_profile", lambda code, period: [])
    monkeypatch.setattr(queries, "state_indicator_scores", lambda period, code=None, stream=False: [])
    card = scorecard.build(municipality, 2025, PARAMS)
    citizen = card["citizen"]
    assert citizen["index"] is None and citizen["interval"] is None and citizen["reason"] == "not_enough_ratings"
    assert all(s["index"] is None and s["interval"] is None and not s["published"] for s in citizen["subjects"])
    assert card["composite"]["index"] is None
    assert card["position"]["region"]["tier"] is None and card["position"]["peer_group"]["tier"] is None
    ctx = scorecard.context(2025, PARAMS)
    assert "U00" not in {key for key, *_ in ctx.published_citizen(ctx.units)}
    rows = scorecard.compare("region", 2025, PARAMS, {})
    published = sum(1 for u in data if any(len(xs) >= 10 for xs in u.values()))
    assert rows[0]["published"] == published
    if not published:
        assert rows[0]["citizen_index"] is None and rows[0]["tier"] is None


def test_tiers_split_only_where_intervals_separate():
    items = [("a", 80, 75, 85), ("b", 78, 72, 84), ("c", 60, 55, 65), ("d", 58, 50, 74)]
    assert mth.tiers(items) == {"a": 1, "b": 1, "c": 2, "d": 2}
    assert mth.tiers([("x", 50, 40, 60), ("y", 45, 35, 55)]) == {"x": 1, "y": 1}


def test_rounding_is_half_away_from_zero():
    assert mth.rounded(62.45, 1) == 62.5 and mth.rounded(62.25, 1) == 62.3 and mth.rounded(0.125, 2) == 0.13
