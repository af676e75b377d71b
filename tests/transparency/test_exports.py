"""Exports of residents' budget priorities: CSV (UTF-8 with BOM) and XLSX, per municipality and per
region or country; the numbers are the page's and the API's, hidden below the minimum sample; both
languages' headers; Kyrgyz letters survive; the pages link to them; the open-data dump has them."""
import csv
import io

import pytest
from openpyxl import load_workbook

from feedback.ratings.abuse import Signals
from feedback.ratings.models import Respondent
from feedback.ratings.services import current_period
from feedback.territory.models import Municipality
from feedback.transparency import services
from tests.helpers import fresh_get, visible_text

AK_BULUN, KARAKOL, FAR = "41702205805000", "41702410000010", "41703204804000"  # FAR: Jalal-Abad region
ISSYK_KUL = "41702000000000"


def seed(session, code, choices):
    m = session.get(Municipality, code)
    for i, codes in enumerate(choices):
        respondent = Respondent(token=f"export-{code}-{i}")
        session.add(respondent)
        session.flush()
        services.submit_priorities(m, codes, respondent, Signals(code, respondent.id, f"export-{code}-{i}"),
                                   current_period())
    session.flush()


@pytest.fixture
def answered(session):
    # Ak-Bulun: 11 residents (published); Karakol: 4 (hidden); far away: 10 (another region).
    seed(session, AK_BULUN, [["LI-WATER", "LI-ROADS"]] * 6 + [["LI-ROADS"]] * 4 + [["LI-LIGHT", "LI-WATER"]])
    seed(session, KARAKOL, [["LI-WATER"]] * 4)
    seed(session, FAR, [["LI-ROADS"]] * 10)


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())  # UTF-8 with a BOM, like the other CSV exports
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def read_xlsx(response) -> list[list]:
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.get_data()))
    return [list(r) for r in book["data"].iter_rows(values_only=True)], dict(
        (r[0], r[1]) for r in book["about"].iter_rows(values_only=True))


def as_dicts(table) -> list[dict]:
    return [dict(zip(table[0], row, strict=True)) for row in table[2:]]


def test_one_municipality_csv_and_xlsx_are_the_pages_and_the_apis_numbers(app, client, answered):
    card = client.get(f"/api/v1/municipalities/{AK_BULUN}/scorecard").get_json()["budget_priorities"]
    assert card["published"] and card["n"] == 11
    ru = read_csv(client.get(f"/ru/m/{AK_BULUN}/budget/priorities.csv"))
    ky = read_csv(client.get(f"/ky/m/{AK_BULUN}/budget/priorities.csv"))
    assert ru[0] == ky[0] and ru[0][:2] == ["municipality_code", "municipality_name_ky"]
    assert "Назвали среди трёх, %" in ru[1] and "Поставили первым, верхняя граница интервала, %" in ru[1]
    assert "Үчтүн ичинде аташты, %" in ky[1] and "Жергиликтүү маселе кыргызча" in ky[1]
    assert ru[1] != ky[1] and ru[2:] == ky[2:]  # the header in each language, the same data
    rows = as_dicts(ru)
    assert [r["issue_code"] for r in rows] == [i["code"] for i in card["items"]]
    for row, item in zip(rows, card["items"], strict=True):
        assert int(row["n"]) == card["n"] and int(row["n_named"]) == item["n_named"]
        assert float(row["share_pct"]) == pytest.approx(item["share"] * 100, abs=1e-9)
        assert float(row["share_low_pct"]) == pytest.approx(item["interval"][0] * 100, abs=1e-9)
        assert float(row["share_high_pct"]) == pytest.approx(item["interval"][1] * 100, abs=1e-9)
        assert int(row["n_first"]) == item["n_first"]
        assert float(row["first_share_pct"]) == pytest.approx(item["first_share"] * 100, abs=1e-9)
    water = next(r for r in rows if r["issue_code"] == "LI-WATER")
    assert water["issue_name_ky"] == "Ичүүчү суу" and (water["n_named"], water["n_first"]) == ("7", "6")
    assert water["municipality_name_ky"] == "Ак-Булуң айыл аймагы" or "ң" in water["municipality_name_ky"]
    # The page shows the same numbers (whole percent) as the file.
    page = visible_text(fresh_get(app, app.test_client(), f"/ru/m/{AK_BULUN}/").get_data(as_text=True))
    assert f"{round(float(water['share_pct']))} % ({water['n_named']})" in page.replace("\xa0", " ")
    table, about = read_xlsx(client.get(f"/ky/m/{AK_BULUN}/budget/priorities.xlsx"))
    assert table[0] == ky[0] and list(table[1]) == ky[1]
    for got, want in zip(as_dicts(table), rows, strict=True):
        assert got["issue_name_ky"] == want["issue_name_ky"] and got["n_named"] == int(want["n_named"])
        assert got["share_pct"] == float(want["share_pct"]) and got["first_high_pct"] == float(want["first_high_pct"])
    assert about["period"] == current_period() and about["min_sample"] == card["min_sample"]


def test_below_the_minimum_sample_only_counts_as_on_the_page(client, answered):
    rows = as_dicts(read_csv(client.get(f"/ru/m/{KARAKOL}/budget/priorities.csv")))
    assert len(rows) == 1
    (row,) = rows
    assert (row["n"], row["reason"], row["issue_code"], row["share_pct"], row["n_named"]) == (
        "4", "not_enough_ratings", "", "", "")
    card = client.get(f"/api/v1/municipalities/{KARAKOL}/scorecard").get_json()["budget_priorities"]
    assert card["published"] is False and card["n"] == 4


def test_region_and_country_tables(client, answered):
    region = as_dicts(read_csv(client.get(f"/ru/data/budget-priorities.csv?region={ISSYK_KUL}")))
    assert {r["municipality_code"] for r in region} == {AK_BULUN, KARAKOL}  # only those with answers
    single = as_dicts(read_csv(client.get(f"/ru/m/{AK_BULUN}/budget/priorities.csv")))
    assert [r for r in region if r["municipality_code"] == AK_BULUN] == single
    assert [r["reason"] for r in region if r["municipality_code"] == KARAKOL] == ["not_enough_ratings"]
    country, _about = read_xlsx(client.get("/ky/data/budget-priorities.xlsx"))
    assert {r["municipality_code"] for r in as_dicts(country)} == {AK_BULUN, KARAKOL, FAR}
    far = [r for r in as_dicts(country) if r["municipality_code"] == FAR]
    assert [(r["issue_code"], r["share_pct"], r["n"]) for r in far] == [("LI-ROADS", 100.0, 10)]
    assert client.get("/ru/data/budget-priorities.json").status_code == 404
    assert client.get("/ru/data/budget-priorities.csv?region=41799999999999").status_code == 404
    assert client.get(f"/ru/data/budget-priorities.csv?period={current_period() + 1}").status_code == 404


def test_pages_link_to_the_exports_and_the_open_data_dump_has_the_table(app, client, answered, session):
    page = client.get(f"/ky/m/{AK_BULUN}/").get_data(as_text=True)
    assert f"/ky/m/{AK_BULUN}/budget/priorities.csv?period={current_period()}" in page
    assert f"/ky/data/budget-priorities.xlsx?region={ISSYK_KUL}" in page
    from feedback.compare import opendata

    tables = {name: rows for name, _columns, rows in opendata.extension_tables(current_period())}
    dumped = [r for r in tables["budget_priorities.csv"] if r["municipality_code"] == AK_BULUN]
    assert [r["share_pct"] for r in dumped] == [float(r["share_pct"]) for r in as_dicts(
        read_csv(client.get(f"/ru/m/{AK_BULUN}/budget/priorities.csv")))]
    assert "budget_priorities.csv" in opendata.dictionary("ky", ["budget_priorities.csv"], {
        "ratings": 0, "released": 0, "coarsened": {}, "suppressed": 0}, current_period(), 1)
    assert "Уилсона" in opendata.dictionary("ru", ["budget_priorities.csv"], {
        "ratings": 0, "released": 0, "coarsened": {}, "suppressed": 0}, current_period(), 1)


def test_the_staff_home_and_the_print_view_link_the_exports(app, answered, create_user, sign_in):
    staff = app.test_client()
    sign_in(staff, create_user("lsg_staff", municipality_code=AK_BULUN))
    home = fresh_get(app, staff, "/ru/staff/").get_data(as_text=True)
    assert f"/ru/m/{AK_BULUN}/budget/priorities.xlsx?period={current_period()}" in home
    printed = fresh_get(app, app.test_client(), f"/ru/m/{AK_BULUN}/print").get_data(as_text=True)
    assert f"/ru/m/{AK_BULUN}/budget/priorities.csv?period={current_period()}" in printed
