"""Every number of a comparison row equals the aggregate of its municipalities, computed here from
the raw ratings and evaluations under the documented weighting (compare/queries.py):
sampled indices weight municipalities by their ratings, state-assessed ones weigh each municipality
the same."""
import math
import statistics
from collections import defaultdict

from sqlalchemy import select

from feedback.compare import queries
from feedback.db import db
from feedback.ratings.models import Rating
from feedback.territory.models import Municipality
from tests.compare.conftest import EVALUATIONS, FAR, YEAR
from tests.scorecards.helpers import AK_BULUN, KARAKOL

ISSYK_KUL, JALAL_ABAD = "41702000000000", "41703000000000"


def idx(mean):
    return (mean - 1) / 4 * 100


def expected_citizen(group_of, min_sample):
    """Per group: (n of all accepted ratings, index of the ratings in published cells — a cell is one
    municipality × subject with at least min_sample ratings)."""
    cells = defaultdict(list)
    for code, subject, overall in db.session.execute(select(Rating.municipality_code, Rating.subject_code,
                                                            Rating.overall).where(Rating.period == YEAR,
                                                                                  Rating.status == "accepted")):
        cells[(code, subject)].append(overall)
    units = {m.code: m for m in db.session.scalars(select(Municipality).where(
        Municipality.code.in_({c for c, _ in cells})))}
    n, published = defaultdict(int), defaultdict(list)
    for (code, _subject), scores in cells.items():
        key = group_of(units[code])
        n[key] += len(scores)
        if len(scores) >= min_sample:
            published[key] += scores
    return {key: (n[key], idx(statistics.fmean(published[key])) if published[key] else None) for key in n}


def test_region_rows_equal_their_municipalities(known, params):
    rows = {r.code: r for r in queries.comparison_rows("region", YEAR, "citizen", params)}
    expected = expected_citizen(lambda m: m.region_code, params.min_sample)
    assert set(expected) == {ISSYK_KUL, JALAL_ABAD}
    for code, (n, index) in expected.items():
        assert rows[code].n == n
        assert math.isclose(rows[code].index, index, abs_tol=1e-9), code
        low, high = rows[code].interval
        assert low <= rows[code].index <= high
    assert rows[ISSYK_KUL].assessed == 2  # the third aiyl aimak has ratings but below the minimum
    assert rows[ISSYK_KUL].municipalities == db.session.query(Municipality).filter(
        Municipality.region_code == ISSYK_KUL, Municipality.valid_to.is_(None)).count()
    # regions without any rating: no number, a reason, no position
    empty = next(r for r in rows.values() if r.n == 0)
    assert empty.index is None and empty.reason == "not_enough_ratings" and empty.position is None


def test_district_urban_rural_and_subject_rows(known, params):
    for level, group_of in (("district", lambda m: m.district_code or m.region_code),
                            ("urban_rural", lambda m: m.kind)):
        rows = {r.code: r for r in queries.comparison_rows(level, YEAR, "citizen", params)}
        for code, (n, index) in expected_citizen(group_of, params.min_sample).items():
            assert rows[code].n == n, (level, code)
            assert (rows[code].index is None) == (index is None)
            if index is not None:
                assert math.isclose(rows[code].index, index, abs_tol=1e-9), (level, code)
    water = {r.code: r for r in queries.comparison_rows("region", YEAR, "subject:LI-WATER", params)}
    assert math.isclose(water[ISSYK_KUL].index, idx(statistics.fmean([2, 3, 4, 4, 5, 4, 4, 3, 5])))
    assert water[ISSYK_KUL].n == 4 + 5 + 2


def test_state_rows_weigh_each_municipality_the_same(known, params):
    def execution(code):
        return statistics.fmean(idx(s) for s in EVALUATIONS[code]["DP-MILITARY"][0])

    for key in ("state", "power:DP-MILITARY"):
        rows = {r.code: r for r in queries.comparison_rows("region", YEAR, key, params)}
        values = [execution(AK_BULUN), execution(KARAKOL)]
        assert rows[ISSYK_KUL].n == 2
        assert math.isclose(rows[ISSYK_KUL].index, statistics.fmean(values))
        half = 6.313752 * statistics.stdev(values) / math.sqrt(2)  # t(0.95; 1 df), two-sided 90 %
        low, high = rows[ISSYK_KUL].interval
        assert math.isclose(low, max(0, statistics.fmean(values) - half), abs_tol=0.05)
        assert math.isclose(high, min(100, statistics.fmean(values) + half), abs_tol=0.05)
        assert rows[JALAL_ABAD].n == 1 and math.isclose(rows[JALAL_ABAD].index, execution(FAR))
        assert rows[JALAL_ABAD].interval is None and rows[JALAL_ABAD].position is None
    assert all(r.index is None and r.reason == "not_assessed"
               for r in queries.comparison_rows("region", YEAR, "budget_transparency", params))


def test_positions_follow_the_intervals(known, params):
    country = queries.national(YEAR, "citizen", params)
    for row in queries.comparison_rows("district", YEAR, "citizen", params):
        if row.interval is None:
            assert row.position is None
        elif row.interval[0] > country.index:
            assert row.position == "above"
        elif row.interval[1] < country.index:
            assert row.position == "below"
        else:
            assert row.position == "indistinguishable"


def test_urban_rural_gap(known, params):
    gaps = {g.code: g for g in queries.urban_rural_gaps(YEAR, "citizen", params)}
    g = gaps[ISSYK_KUL]
    assert math.isclose(g.gap, g.urban.index - g.rural.index)
    half = 1.644854 * math.sqrt(g.urban.se ** 2 + g.rural.se ** 2)
    assert math.isclose(g.interval[0], g.gap - half, abs_tol=1e-3)
    assert gaps["national"].urban.n == 8 and gaps["national"].rural.n == 4 + 2 + 2 + 3
    assert gaps[JALAL_ABAD].gap is None  # no city rated there


def test_drill_down_and_sorting(known, params):
    rows = queries.comparison_rows("municipality", YEAR, "citizen", params, within=ISSYK_KUL)
    assert {r.code for r in rows if r.n} == {AK_BULUN, KARAKOL, known["other"]}
    ordered = queries.sort_rows(rows, "index", "ru")
    assert ordered[0].code == KARAKOL and ordered[1].code == AK_BULUN
    assert all(r.index is None for r in ordered[2:])
    assert [r.code for r in queries.sort_rows(rows, "-index", "ru")][:2] == [AK_BULUN, KARAKOL]


def test_other_tracks_are_compared_when_a_registered_track_lists_its_indices(known, params, monkeypatch):
    from feedback.scorecards import tracks

    values = {AK_BULUN: 40.0, KARAKOL: 80.0}

    class Listed:
        key = "budget_transparency"

        def compute(self, municipality, period, params):
            return tracks.TrackResult(index=values.get(municipality.code))

        def indices(self, period, params=None):
            return values

    monkeypatch.setattr(tracks, "REGISTRY", list(tracks.REGISTRY))
    tracks.register(Listed())
    rows = {r.code: r for r in queries.comparison_rows("region", YEAR, "budget_transparency", params)}
    assert rows[ISSYK_KUL].index == 60.0 and rows[ISSYK_KUL].n == 2
    assert rows[JALAL_ABAD].index is None and rows[JALAL_ABAD].reason == "not_assessed"
