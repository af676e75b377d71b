"""The map's package data covers the registry; areas are coloured by bins or hatched; the unfunded
mandates' numbers equal a computation from the evaluations here."""
import math
import statistics

from flask import g
from sqlalchemy import select

from feedback.compare import map as svgmap
from feedback.compare import queries, unfunded
from feedback.db import db
from feedback.territory.models import District, Region
from tests.compare.conftest import EVALUATIONS, FAR, YEAR
from tests.scorecards.helpers import AK_BULUN, KARAKOL


def idx(score):
    return (score - 1) / 4 * 100


def test_map_data_covers_every_region_and_district():
    shapes = svgmap.shapes()
    assert set(shapes["regions"]) == set(db.session.scalars(select(Region.code)))
    districts = set(db.session.scalars(select(District.code)))
    # Bishkek and Osh are regions in the registry; the boundary file also draws them at district level
    assert districts <= set(shapes["districts"]) <= districts | set(shapes["regions"])
    assert all(d.startswith("M") and d.endswith("Z") for d in shapes["regions"].values())


def test_areas_are_coloured_by_bins_or_hatched(app, known, params):
    rows = queries.comparison_rows("region", YEAR, "citizen", params)
    with app.test_request_context("/ru/map"):
        g.lang = "ru"
        drawing = svgmap.draw("region", rows, "ru", "citizen", YEAR)
    by_code = {a["code"]: a for a in drawing["areas"]}
    edges = svgmap.bounds(r.index for r in rows)
    for row in rows:
        area = by_code[row.code]
        if row.index is None:
            assert area["hatched"] and area["fill"] == "url(#hatch)"
        else:
            assert area["fill"] == svgmap.PALETTE[svgmap.step(row.index, edges)]
            assert "within=" + row.code in area["href"] and row.name_ru in area["title"]
    assert len(drawing["legend"]) == len(svgmap.PALETTE)
    assert svgmap.bounds([41.0, 58.0]) == (45, 50, 55, 60, 65)
    assert svgmap.bounds([10.0, 90.0]) == (20, 30, 40, 50, 60)


def test_unfunded_mandates_numbers(known, params):
    def execution(code):
        return statistics.fmean(idx(s) for s in EVALUATIONS[code]["DP-MILITARY"][0])

    row = next(p for p in unfunded.by_power(YEAR, params) if p["code"] == "DP-MILITARY")
    assert row["n"] == 3
    assert math.isclose(row["execution_index"], statistics.fmean(execution(c) for c in (AK_BULUN, KARAKOL, FAR)))
    assert math.isclose(row["funding_index"], 100 / 3)  # yes, no, no
    assert math.isclose(row["method_index"], (50 + 100 + 0) / 3)  # partial, yes, no
    assert row["n_funded"] == 1 and row["n_unfunded"] == 2
    assert math.isclose(row["gap"], execution(KARAKOL) - statistics.fmean([execution(AK_BULUN), execution(FAR)]))
    assert row["gap_interval"] is None  # one funded municipality: no spread to measure
    regions = {r["code"]: r for r in unfunded.by_region(YEAR, params, "DP-MILITARY")}
    assert regions["41702000000000"]["n"] == 2 and math.isclose(regions["41702000000000"]["gap"],
                                                                execution(KARAKOL) - execution(AK_BULUN))
