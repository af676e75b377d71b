"""Under methodology version 2 (the default) the comparison never contradicts a municipality's
scorecard: its subjects and criteria are the scorecard's numbers, its peer group is the scorecard's
peer group, and its position is the scorecard's funnel class with the same rank intervals. Checked
for every municipality of a small demonstration history. Version 1 stays as published."""
import re

import pytest
from sqlalchemy import func, select

from feedback.compare import queries
from feedback.db import db
from feedback.scorecards import card, demo
from feedback.scorecards import methodology as mth
from feedback.scorecards.models import RatingAggregate
from feedback.territory.models import Municipality


@pytest.fixture
def small_demo(app):
    demo.seed(scale=0.05)
    return max(db.session.scalars(select(RatingAggregate.period).distinct()))


def _rounded(interval):
    return [mth.rounded(v, 1) for v in interval] if interval else None


def test_every_municipality_as_on_its_scorecard(small_demo):
    assert mth.get().method == 2
    # version 2 with a smaller minimum sample, so that many units of the small demo are published
    period, params = small_demo, mth.Params(97, mth.validate({"method": 2, "min_sample": 5, "min_distinct_addresses": 3}))
    units = {m.code: m for m in db.session.scalars(select(Municipality).where(Municipality.valid_to.is_(None)))}
    rows = {r.code: r for region in {m.region_code for m in units.values()}
            for r in queries.comparison_rows("municipality", period, "citizen", params, within=region)}
    subject = db.session.scalar(select(RatingAggregate.subject_code).where(RatingAggregate.period == period)
                                .group_by(RatingAggregate.subject_code).order_by(func.sum(RatingAggregate.n).desc()).limit(1))
    subjects = queries.municipality_values(period, f"subject:{subject}", params)
    peer_rows = queries.comparison_rows("peer_group", period, "citizen", params)
    peer_of = {code: row.code for row in peer_rows for code in row.codes}
    classes = published_subjects = criteria_checked = 0
    for code, row in sorted(rows.items()):
        scorecard = card.build(units[code], period, params)
        c, position = scorecard["citizen"], scorecard["position"]
        assert mth.rounded(row.index, 1) == c["index"], code
        # 3: the position is the scorecard's class against the peer mean, with its rank intervals
        assert row.position == (position["class"] if position else None), code
        if row.position:
            classes += 1
            assert row.basis == "peers"
            assert row.rank_region == position["rank_region"] and row.rank_nation == position["rank_nation"], code
        # 2: its peer group on the comparison is the scorecard's
        if position:
            assert peer_of[code] == (position["peer_group"] or queries.NO_PEERS), code
        # 1: a subject's number and interval are the scorecard's
        on_card = next((s for s in c["subjects"] if s["code"] == subject), None)
        value = subjects.get(code)
        if on_card is None or not on_card["published"]:
            assert value is None or value.index is None, code
        else:
            published_subjects += 1
            assert mth.rounded(value.index, 1) == on_card["index"] and _rounded(value.interval) == on_card["interval"]
        for criterion in c["criteria"][:2]:
            found = queries.municipality_values(period, f"criterion:{criterion['code']}", params).get(code)
            if criterion["published"]:
                criteria_checked += 1
                assert mth.rounded(found.index, 1) == criterion["index"], code
                assert _rounded(found.interval) == criterion["interval"], code
            else:
                assert found is None or found.index is None
    assert classes > 50 and published_subjects > 10 and criteria_checked > 10
    # the peer groups are the shared context's: region × kind where there are enough peers
    assert any(":" in row.code for row in peer_rows)


def test_version_1_on_request_keeps_its_numbers_groups_and_positions(small_demo):
    period, v1 = small_demo, mth.get(1)
    ctx = queries.context(period, v1)
    peer_rows = queries.comparison_rows("peer_group", period, "citizen", v1)
    assert {row.code for row in peer_rows} == {f"{u.kind}:{ctx.band(u)}" for u in ctx.units.values()}
    country = queries.national(period, "citizen", v1)
    rows = queries.comparison_rows("municipality", period, "citizen", v1, within="41702000000000")
    for row in rows:
        assert row.basis == "country" and row.rank_region is None
        assert row.position == queries.position(row.interval, country.index)
    subject = next(s.code for m in ctx.rows for s in ctx.citizen(m).subjects if s.published)
    values = queries.municipality_values(period, f"subject:{subject}", v1)
    for m in ctx.rows:
        for s in ctx.citizen(m).subjects:
            if s.code == subject and s.published:
                assert values[m].index == s.index and values[m].interval is None


def test_area_rows_are_the_apis_numbers_on_the_demo(small_demo):
    """Region, district and urban/rural rows are computed in the comparison by /api/v1/compare's formula
    (without its other columns, which cost most of the page's time): they must stay its numbers."""
    period, params = small_demo, mth.get()
    for level in queries.AREA_LEVELS:
        api = {queries.AREA_CODES.get(a["code"], a["code"]): a for a in card.compare_areas(level, period, params, {})}
        rows = queries.comparison_rows(level, period, "citizen", params)
        assert {r.code for r in rows} == set(api)
        published = 0
        for row in rows:
            a = api[row.code]
            assert (row.n, row.index, row.assessed) == (a["n"], a["index"], a["published"]), (level, row.code)
            assert (list(row.interval) if row.interval else None) == a["interval"], (level, row.code)
            published += row.index is not None
        assert published >= 2


def test_the_page_states_the_scorecards_position(small_demo, client):
    """The drill-down to municipalities says what the scorecard says, in both languages; version 1 on
    request keeps its position against the country."""
    period, params = small_demo, mth.get()
    ctx = queries.shared_context(period, params)
    code = next(c for c, u in sorted(ctx["units"].items()) if u["class"] is not None and u["rank"].get("region"))
    unit = db.session.get(Municipality, code)
    within = unit.district_code or unit.region_code
    row = next(r for r in queries.comparison_rows("municipality", period, "citizen", params, within=within) if r.code == code)
    low, high, total = row.rank_region
    for lang, words, rank in (("ru", "среднего по схожим органам МСУ", f"Место {low}–{high} из {total} в своей области"),
                              ("ky", "Окшош ЖӨБ органдарынын орточосу", f"өз облусунда {total} органдын ичинен {low}–{high}-орун")):
        html = client.get(f"/{lang}/compare?period={period}&within={within}").get_data(as_text=True)
        assert words.casefold() in html.casefold() and rank in html, lang
    html = client.get(f"/ru/compare?period={period}&within={within}&methodology=1").get_data(as_text=True)
    positions = re.findall(r'<span class="pos pos-\w+">([^<]*)</span>', html)
    assert all(p.endswith("страны") for p in positions) and "интервал места" not in html
    assert "среднего по схожим органам МСУ" not in html
