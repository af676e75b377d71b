"""Under methodology version 2 the comparisons show the scorecards' numbers: areas (region, district,
urban/rural) are card.compare_areas — direct estimates from all accepted ratings, each weighing the
same, computed again here from the raw ratings; a municipality's residents' assessment and composite
are those of its version-2 scorecard; version 1 stays reproducible with ?methodology=1."""
import csv
import io
import math
import statistics
from collections import defaultdict

import pytest
from sqlalchemy import select

from feedback.compare import queries
from feedback.db import db
from feedback.ratings.models import Rating
from feedback.scorecards import card
from feedback.scorecards import methodology as mth
from feedback.territory.models import Municipality
from tests.compare.conftest import FAR, YEAR
from tests.scorecards.helpers import AK_BULUN, KARAKOL

ISSYK_KUL = "41702000000000"


@pytest.fixture
def v2():
    # The address rule at the sample size: ratings here come with no address, each counted as its own.
    return mth.Params(98, mth.validate({"method": 2, "min_sample": 3, "min_distinct_addresses": 3}))


def idx(mean):
    return (mean - 1) / 4 * 100


def ratings_by(group_of) -> dict[str, list[int]]:
    """Every accepted rating of the year, by group of its municipality."""
    units = {m.code: m for m in db.session.scalars(select(Municipality).where(Municipality.valid_to.is_(None)))}
    out = defaultdict(list)
    for code, overall in db.session.execute(select(Rating.municipality_code, Rating.overall).where(
            Rating.period == YEAR, Rating.status == "accepted")):
        out[group_of(units[code])].append(overall)
    return out


LEVELS = {"region": lambda m: m.region_code, "district": lambda m: m.district_code or m.region_code,
          "urban_rural": lambda m: m.kind}


def test_area_rows_are_the_api_numbers_and_direct_estimates_from_all_ratings(known, v2):
    country = queries.national(YEAR, "citizen", v2)
    everything = [r for rs in ratings_by(lambda m: "all").values() for r in rs]
    assert country.n == len(everything) == 16 + 3
    assert math.isclose(country.index, idx(statistics.fmean(everything)), abs_tol=1e-9)
    for level, group_of in LEVELS.items():
        rows = {r.code: r for r in queries.comparison_rows(level, YEAR, "citizen", v2)}
        api = {queries.AREA_CODES.get(a["code"], a["code"]): a for a in card.compare_areas(level, YEAR, v2, {})}
        expected = ratings_by(group_of)
        for code, row in rows.items():
            scores = expected.get(code, [])
            assert row.n == len(scores) == api[code]["n"], (level, code)
            if not scores:
                assert row.index is None and row.position is None and row.reason == "not_enough_ratings"
                continue
            assert row.index == mth.rounded(idx(statistics.fmean(scores)), 1) == api[code]["index"], (level, code)
            assert list(row.interval) == api[code]["interval"]
            low, high = row.interval
            assert low <= row.index <= high
            # the position exactly as the page states it: the interval shown against the national value
            assert row.position == ("above" if low > country.index else "below" if high < country.index
                                    else "indistinguishable")
    rows = {r.code: r for r in queries.comparison_rows("region", YEAR, "citizen", v2)}
    assert rows[ISSYK_KUL].assessed == 2  # Karakol and Ak-Bulun; the third aiyl aimak is below the minimum


def test_urban_rural_gap_within_a_region_from_all_its_ratings(known, v2):
    gaps = {g.code: g for g in queries.urban_rural_gaps(YEAR, "citizen", v2)}
    issyk_kul = ratings_by(lambda m: (m.region_code, m.kind))
    g = gaps[ISSYK_KUL]
    assert math.isclose(g.urban.index, idx(statistics.fmean(issyk_kul[ISSYK_KUL, "city"])), abs_tol=1e-9)
    assert math.isclose(g.rural.index, idx(statistics.fmean(issyk_kul[ISSYK_KUL, "aiyl_aimak"])), abs_tol=1e-9)
    assert g.rural.n == 6 + 2  # Ak-Bulun and the aiyl aimak below the minimum: every rating counts
    assert math.isclose(g.gap, g.urban.index - g.rural.index)
    half = 1.644854 * math.sqrt(g.urban.se ** 2 + g.rural.se ** 2)
    assert math.isclose(g.interval[1], g.gap + half, abs_tol=1e-3)
    assert gaps["national"].urban.n == 8 and gaps["national"].rural.n == 6 + 2 + 3


def test_municipalities_show_their_scorecards_numbers(known, v2):
    units = {m.code: m for m in db.session.scalars(select(Municipality).where(
        Municipality.code.in_([AK_BULUN, KARAKOL, FAR, known["other"]])))}
    rows = {r.code: r for r in queries.comparison_rows("municipality", YEAR, "citizen", v2, within=ISSYK_KUL)}
    rows.update({r.code: r for r in queries.comparison_rows("municipality", YEAR, "citizen", v2,
                                                            within=units[FAR].region_code)})
    composite = {r.code: r for r in queries.comparison_rows("municipality", YEAR, "composite", v2, within=ISSYK_KUL)}
    for code in (AK_BULUN, KARAKOL, FAR):
        scorecard = card.build(units[code], YEAR, v2)
        assert rows[code].n == scorecard["citizen"]["n"]
        assert mth.rounded(rows[code].index, 1) == scorecard["citizen"]["index"], code
        assert [mth.rounded(v, 1) for v in rows[code].interval] == scorecard["citizen"]["interval"], code
        if code in composite:
            assert mth.rounded(composite[code].index, 1) == scorecard["composite"]["index"], code
    other = rows[known["other"]]
    assert other.n == 2 and other.index is None and other.reason == "not_enough_ratings"
    # a peer group combines its municipalities' published estimates weighted by their ratings
    peer = {r.code: r for r in queries.comparison_rows("peer_group", YEAR, "citizen", v2)}
    values = queries.municipality_values(YEAR, "citizen", v2)
    for row in peer.values():
        published = [values[c] for c in row.codes if c in values and values[c].index is not None]
        if published:
            expected = sum(v.index * v.n for v in published) / sum(v.n for v in published)
            assert math.isclose(row.index, expected, abs_tol=1e-9)


def test_pages_follow_the_methodology_in_force_and_version_1_on_request(client, known):
    def table(query):
        response = client.get(f"/ru/compare?period={YEAR}&format=csv{query}")
        assert response.status_code == 200
        lines = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
        return {line[0]: dict(zip(lines[0], line, strict=True)) for line in lines[2:]}

    assert mth.get().method == 2
    for query, params in (("", mth.get()), ("&methodology=1", mth.get(1))):
        got = table(query)
        for row in queries.comparison_rows("region", YEAR, "citizen", params):
            assert got[row.code]["index"] == ("" if row.index is None else str(mth.rounded(row.index, 1)))
            assert int(got[row.code]["n"]) == row.n and got[row.code]["position"] == (row.position or "")
    assert client.get(f"/ru/compare?period={YEAR}&methodology=999").status_code == 404
    assert "Σ n_i² v_i / N²" in client.get(f"/ky/compare?period={YEAR}").get_data(as_text=True)
    html = client.get(f"/ky/compare?period={YEAR}&methodology=1").get_data(as_text=True)
    assert "Σ n_i² v_i / N²" not in html and 'name="methodology" value="1"' in html


def test_composite_with_a_registered_track_is_the_scorecards(known, v2, monkeypatch):
    """A registered track gives its index at full precision, in compute() as in its period list (the
    scorecard rounds only what it publishes): the comparison's composite is the scorecard's."""
    from feedback.scorecards import tracks

    values = {AK_BULUN: 40.15, KARAKOL: 81.35}  # 40.15 rounded first would move Ak-Bulun's composite to 49.7

    class Listed:
        key = "budget_transparency"

        def compute(self, municipality, period, params):
            index = values.get(municipality.code)
            return tracks.TrackResult(index=index)

        def indices(self, period, params=None):
            return values

    monkeypatch.setattr(tracks, "REGISTRY", list(tracks.REGISTRY))
    tracks.register(Listed())
    composite = {r.code: r for r in queries.comparison_rows("municipality", YEAR, "composite", v2, within=ISSYK_KUL)}
    for code in (AK_BULUN, KARAKOL):
        scorecard = card.build(db.session.get(Municipality, code), YEAR, v2)
        assert "budget_transparency" in {c["track"] for c in scorecard["composite"]["components"]}
        assert mth.rounded(composite[code].index, 1) == scorecard["composite"]["index"], code
