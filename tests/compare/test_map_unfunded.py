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
    edges = svgmap.BREAKS
    for row in rows:
        area = by_code[row.code]
        if row.index is None:
            assert area["hatched"] and area["fill"] == "url(#hatch)"
        else:
            assert area["fill"] == svgmap.PALETTE[svgmap.step(row.index, edges)]
            assert "within=" + row.code in area["href"] and row.name_ru in area["title"]
    assert len(drawing["legend"]) == len(svgmap.PALETTE)


def test_the_colour_scale_is_fixed_across_years(app, client, known, params):
    """One value has one colour on every year's map, whatever the other areas' values: rows of two
    "years" that share one region's value but differ everywhere else colour that region alike, and
    both legends state the same breaks; the pages of two years show the same legend."""
    rows = queries.comparison_rows("region", YEAR, "citizen", params)
    shown = [r for r in rows if r.index is not None]
    assert shown
    kept = shown[0]
    low_year = [queries.Row(r.code, r.level, r.name_ky, r.name_ru, index=kept.index if r.code == kept.code else 12.0)
                for r in rows]
    high_year = [queries.Row(r.code, r.level, r.name_ky, r.name_ru, index=kept.index if r.code == kept.code else 97.0)
                 for r in rows]
    with app.test_request_context("/ru/map"):
        g.lang = "ru"
        drawings = [svgmap.draw("region", year, "ru", "citizen", YEAR) for year in (low_year, high_year)]
    fills = [{a["code"]: a["fill"] for a in d["areas"]} for d in drawings]
    assert fills[0][kept.code] == fills[1][kept.code]
    assert drawings[0]["legend"] == drawings[1]["legend"]
    assert [label for _colour, label in drawings[0]["legend"]] == ["< 40", "40–45", "45–50", "50–55", "55–60", "≥ 60"]
    legends = []
    for year in (YEAR, YEAR - 1):
        html = client.get(f"/ru/map?period={year}").get_data(as_text=True)
        legends.append(html[html.index('class="cmp-legend"'):html.index("</ul>", html.index('class="cmp-legend"'))])
    assert legends[0] == legends[1] and "55–60" in legends[0]


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
