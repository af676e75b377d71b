"""The comparison pages in both languages, sorting without JavaScript, drill-down links, exports that
open (csv, openpyxl) and equal the tables, the analyst's home."""
import csv
import io
import re

from openpyxl import load_workbook

from feedback.compare import queries
from feedback.scorecards import methodology as mth
from tests.compare.conftest import YEAR
from tests.helpers import forget_kept
from tests.scorecards.helpers import AK_BULUN, KARAKOL, rate, respondent

ISSYK_KUL = "41702000000000"
PAGES = ["/{lang}/compare", "/{lang}/compare?level=district&index=state", "/{lang}/compare?level=peer_group",
         "/{lang}/compare?level=urban_rural&index=subject:LI-WATER", "/{lang}/compare?within=" + ISSYK_KUL,
         "/{lang}/compare/urban-rural?index=criterion:CR-TIME", "/{lang}/map", "/{lang}/map?level=district&index=composite",
         "/{lang}/unfunded", "/{lang}/unfunded?power=DP-MILITARY", "/{lang}/open-data"]


def test_pages_render_in_both_languages(client, known):
    for lang in ("ky", "ru"):
        for page in PAGES:
            response = client.get(page.format(lang=lang) + ("&" if "?" in page else "?") + f"period={YEAR}")
            assert response.status_code == 200, page
            html = response.get_data(as_text=True)
            assert f'<html lang="{lang}">' in html
            for english in ("Whole country", "Compare", "Legend", "Unfunded mandates", "How these numbers are made"):
                assert english not in html, (page, english)


def test_sort_links_work_without_javascript(client, known):
    html = client.get(f"/ru/compare?period={YEAR}&level=municipality&within={ISSYK_KUL}").get_data(as_text=True)
    assert "sort=index" in html and "sort=-name" in html  # the current sort (name) reverses
    html = client.get(f"/ru/compare?period={YEAR}&within={ISSYK_KUL}&level=municipality&sort=n").get_data(as_text=True)
    assert html.index(f"/ru/m/{KARAKOL}/") < html.index(f"/ru/m/{AK_BULUN}/")  # 8 ratings before 6
    html = client.get(f"/ru/compare?period={YEAR}&within={ISSYK_KUL}&level=municipality&sort=-n").get_data(as_text=True)
    assert html.index(f"/ru/m/{AK_BULUN}/") < html.index(f"/ru/m/{KARAKOL}/")


def test_drill_down_region_districts_municipalities(client, known):
    html = client.get(f"/ky/compare?period={YEAR}").get_data(as_text=True)
    assert f"within={ISSYK_KUL}" in html
    html = client.get(f"/ky/compare?period={YEAR}&within={ISSYK_KUL}").get_data(as_text=True)
    district = re.search(r"level=municipality&amp;within=(\d{14})", html)
    assert district
    assert client.get(f"/ky/compare?period={YEAR}&within=00000000000000").status_code == 404


def test_region_and_district_pages_show_numbers(client, known):
    html = client.get(f"/ru/r/{ISSYK_KUL}/?period={YEAR}").get_data(as_text=True)
    assert "n = 16" in html  # 4 + 2 + 5 + 3 + 2 accepted ratings in the region
    html = client.get(f"/ru/d/41702205000000/?period={YEAR}").get_data(as_text=True)
    assert "n = 6" in html  # Ak-Bulun, in Ak-Suu district


def test_region_and_district_pages_show_a_new_rating_on_the_next_request(app, client, known, monkeypatch):
    """Kept whole (territory.views._kept), yet never behind the ratings (nor behind the shared context
    the district's rows rest on, here recomputed as soon as it is stale)."""
    monkeypatch.setitem(app.config, "SCORECARD_CONTEXT_MIN_SECONDS", 0)
    pages = {f"/ru/r/{ISSYK_KUL}/?period={YEAR}": 16, f"/ky/d/41702205000000/?period={YEAR}": 6}
    for path, n in pages.items():
        for _ in range(2):
            assert f"n = {n}" in client.get(path).get_data(as_text=True)
    rate(respondent(), AK_BULUN, "LI-WATER", 5, YEAR)
    for path, n in pages.items():
        assert f"n = {n + 1}" in client.get(path).get_data(as_text=True), path


def _rows(index_key, level="region"):
    return queries.comparison_rows(level, YEAR, index_key, mth.get())


def test_csv_export_equals_the_table(client, known):
    for index_key in ("citizen", "state", "power:DP-MILITARY"):
        _check_csv(client, index_key)


def _check_csv(client, index_key):
    response = client.get(f"/ru/compare?period={YEAR}&index={index_key}&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert lines[0][:3] == ["code", "name_ky", "name_ru"]
    assert lines[1][0] == "Код"  # the page language's header
    by_code = {line[0]: dict(zip(lines[0], line, strict=True)) for line in lines[2:]}
    rows = _rows(index_key)
    assert set(by_code) == {r.code for r in rows}
    for row in rows:
        got = by_code[row.code]
        assert int(got["n"]) == row.n and got["name_ky"] == row.name_ky
        assert got["index"] == ("" if row.index is None else str(round(row.index, 1)))
        assert got["position"] == (row.position or "")


def test_xlsx_export_opens_and_equals_the_table(client, known):
    response = client.get(f"/ky/compare?period={YEAR}&index=state&level=district&format=xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    sheet = book["data"]
    assert sheet.freeze_panes == "B3"
    values = list(sheet.iter_rows(values_only=True))
    header = values[0]
    rows = {r.code: r for r in _rows("state", "district")}
    assert len(values) - 2 == len(rows)
    for line in values[2:]:
        item = dict(zip(header, line, strict=True))
        row = rows[item["code"]]
        assert item["n"] == row.n
        assert item["index"] == (None if row.index is None else round(row.index, 1))
    index_cell = sheet.cell(row=3, column=header.index("index") + 1)
    assert index_cell.number_format == "0.0"
    about = dict(book["about"].iter_rows(min_row=2, values_only=True))
    assert about["period"] == YEAR and about["methodology_version"] == mth.get().version


def test_scorecards_and_unfunded_exports(client, known):
    response = client.get(f"/ru/compare/scorecards?period={YEAR}&format=csv")
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    by_code = {line[0]: dict(zip(lines[0], line, strict=True)) for line in lines[2:]}
    assert by_code[AK_BULUN]["citizen_n"] == "6" and by_code[AK_BULUN]["state_n"] == "1"
    response = client.get(f"/ru/unfunded?period={YEAR}&format=xlsx")
    sheet = load_workbook(io.BytesIO(response.data))["data"]
    items = [dict(zip([c.value for c in sheet[1]], row, strict=True)) for row in sheet.iter_rows(min_row=3, values_only=True)]
    military = next(i for i in items if i["code"] == "DP-MILITARY")
    assert military["n"] == 3 and military["n_funded"] == 1 and military["n_unfunded"] == 2


def test_analyst_lands_on_the_analyst_home(client, known, create_user, sign_in):
    analyst = create_user("analyst")
    sign_in(client, analyst)
    response = client.get(f"/ru/analyst?period={YEAR}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "/ru/compare?level=district" in html and "/ru/unfunded" in html
    from feedback.accounts.views import home_url

    with client.application.test_request_context("/ru/"):
        assert home_url(analyst).endswith("/analyst")


def test_unfunded_table_sorts_without_javascript(client, known):
    html = client.get(f"/ru/unfunded?period={YEAR}").get_data(as_text=True)
    assert "sort=gap" in html and "sort=funding" in html
    assert client.get(f"/ru/unfunded?period={YEAR}&sort=-gap").status_code == 200
    assert client.get(f"/ru/unfunded?period={YEAR}&sort=bogus").status_code == 200


def test_sort_dicts():
    from feedback.compare.views import UNFUNDED_SORTS, sort_dicts

    rows = [{"name_ru": "Б", "gap": 1.0}, {"name_ru": "А", "gap": None}, {"name_ru": "В", "gap": 5.0}]
    names = lambda key: [r["name_ru"] for r in sort_dicts(rows, key, "ru", UNFUNDED_SORTS)]  # noqa: E731
    assert names("gap") == ["В", "Б", "А"] and names("-gap") == ["Б", "В", "А"]
    assert names("name") == ["А", "Б", "В"] and names("-name") == ["В", "Б", "А"]


KEPT_WHOLE = [f"/ru/compare?period={YEAR}", f"/ky/map?period={YEAR}", f"/ru/compare/urban-rural?period={YEAR}",
              f"/ky/unfunded?period={YEAR}", f"/ru/r/{ISSYK_KUL}/?period={YEAR}", f"/ky/d/41702205000000/?period={YEAR}"]


def _made_afresh(client, path) -> str:
    """The page as a process with nothing kept makes it."""
    forget_kept()
    return client.get(path).get_data(as_text=True)


def test_pages_kept_whole_are_what_a_fresh_process_makes_after_ratings_and_evaluations(app, client, known,
                                                                                      monkeypatch):
    """The comparison pages, the map, the analysts' pages and the region and district pages are kept
    whole (compare.views.kept_whole) under every period's counter and context,
    the versions and the date: after a rating and a changed final evaluation each is what a process
    with nothing kept would make, and not what it was."""
    from sqlalchemy import select

    from feedback.db import db
    from feedback.evaluation.models import IndicatorScore, StateEvaluation

    monkeypatch.setitem(app.config, "SCORECARD_CONTEXT_MIN_SECONDS", 0)
    before = {}
    for path in KEPT_WHOLE:
        before[path] = client.get(path).get_data(as_text=True)
        assert client.get(path).get_data(as_text=True) == before[path]  # kept
    rate(respondent(), AK_BULUN, "LI-WATER", 5, YEAR)
    evaluation = db.session.scalar(select(StateEvaluation).where(StateEvaluation.municipality_code == AK_BULUN,
                                                                 StateEvaluation.period == YEAR))
    funding = next(s for s in evaluation.scores if s.indicator_code == "SI-FUNDING")
    funding.answer = "yes"
    db.session.flush()
    assert isinstance(funding, IndicatorScore)
    for path in KEPT_WHOLE:
        served = client.get(path).get_data(as_text=True)
        assert served != before[path], path
        assert served == _made_afresh(client, path), path
