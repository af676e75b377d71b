"""Every tabular page of the comparisons offers its table as CSV and XLSX through one helper
(compare/exports.py: ``download``), linked from the page: the map's table, the unfunded mandates by
power, by region of one power and by agency, the registry's region and district pages, the
analyst's moves. The downloads open and equal the tables."""
import csv
import html as htmllib
import io
import re

import pytest
from openpyxl import load_workbook

from feedback.compare import queries, unfunded
from feedback.db import db
from feedback.scorecards import methodology as mth
from feedback.territory.models import Municipality
from tests.compare.conftest import YEAR
from tests.scorecards.helpers import AK_BULUN

ISSYK_KUL = "41702000000000"


def _csv(response) -> dict[str, dict]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    return {line[0]: dict(zip(lines[0], line, strict=True)) for line in lines[2:]}


def _xlsx(response) -> dict[str, dict]:
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.data))
    assert book["data"].freeze_panes == "B3" and dict(book["about"].iter_rows(min_row=2, values_only=True))["period"] == YEAR
    values = list(book["data"].iter_rows(values_only=True))
    return {line[0]: dict(zip(values[0], line, strict=True)) for line in values[2:]}


def _links(client, url: str) -> list[str]:
    """The page's download links (the export macro's paragraph)."""
    page = client.get(url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    found = [htmllib.unescape(h) for block in re.findall(r'<p class="cmp-exports">(.*?)</p>', text, re.S)
             for h in re.findall(r'href="([^"]+)"', block)]
    assert found, url
    return found


def _number(value):
    return "" if value is None else str(mth.rounded(value, 1))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_map_table_downloads(client, known, fmt):
    links = _links(client, f"/ru/map?period={YEAR}&level=district")
    link = next(u for u in links if f"format={fmt}" in u)
    got = (_csv if fmt == "csv" else _xlsx)(client.get(link))
    rows = queries.comparison_rows("district", YEAR, "citizen", mth.get())
    assert set(got) == {r.code for r in rows}
    for row in rows:
        if fmt == "csv":
            assert got[row.code]["index"] == _number(row.index) and int(got[row.code]["n"]) == row.n
        else:
            assert got[row.code]["index"] == (None if row.index is None else round(row.index, 1))


def test_unfunded_tables_download(client, known):
    params = mth.get()
    links = _links(client, f"/ru/unfunded?period={YEAR}&power=DP-MILITARY")
    by_region = next(u for u in links if "table=regions" in u and "format=csv" in u)
    got = _csv(client.get(by_region))
    expected = {r["code"]: r for r in unfunded.by_region(YEAR, params, "DP-MILITARY")}
    assert set(got) == set(expected) and len(expected) == 2
    for code, r in expected.items():
        assert got[code]["execution_index"] == _number(r["execution_index"]) and int(got[code]["n"]) == r["n"]
    by_agency = next(u for u in links if "table=agencies" in u and "format=xlsx" in u)
    got = _xlsx(client.get(by_agency))
    agencies = unfunded.by_agency(unfunded.by_power(YEAR, params))
    assert {a["code"] for a in agencies} == set(got)
    for a in agencies:
        assert got[a["code"]]["powers"] == a["powers"]


@pytest.mark.parametrize("level", ["district", "municipality"])
def test_region_and_district_pages_download_their_numbers(client, known, level):
    code = ISSYK_KUL if level == "district" else db.session.get(Municipality, AK_BULUN).district_code
    path = f"/ru/r/{code}/" if level == "district" else f"/ky/d/{code}/"
    links = _links(client, f"{path}?period={YEAR}")
    got = _csv(client.get(next(u for u in links if "format=csv" in u)))
    own_level = "region" if level == "district" else "district"
    own = next(r for r in queries.comparison_rows(own_level, YEAR, "citizen", mth.get()) if r.code == code)
    children = queries.comparison_rows(level, YEAR, "citizen", mth.get(), within=code)
    assert set(got) == {code} | {r.code for r in children}
    for row in [own, *children]:
        assert got[row.code]["index"] == _number(row.index) and got[row.code]["level"] == row.level
    assert client.get(f"{path}?format=pdf").status_code == 404


def test_analyst_moves_download(client, known, create_user, sign_in):
    sign_in(client, create_user("analyst"))
    response = client.get(f"/ru/analyst?period={YEAR}&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    header = response.get_data(as_text=True).lstrip("\ufeff").splitlines()[0].split(",")
    assert header[:3] == ["code", "level", "name"] and "change" in header
