"""/api/v1/compare?format=csv|xlsx returns the JSON's rows as a table (it used to return JSON)."""
import csv
import io

from openpyxl import load_workbook

from tests.compare.conftest import YEAR


def test_api_compare_csv_and_xlsx_equal_the_json(client, known):
    items = client.get(f"/api/v1/compare?period={YEAR}&level=district").get_json()["items"]
    response = client.get(f"/api/v1/compare?period={YEAR}&level=district&format=csv&lang=ru")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert lines[0][0] == "code" and lines[1][0] == "Код"
    table = {line[0]: dict(zip(lines[0], line, strict=True)) for line in lines[2:]}
    assert set(table) == {i["code"] for i in items}
    for item in items:
        row = table[item["code"]]
        assert int(row["n"]) == item["n"]
        assert row["citizen_index"] == ("" if item["citizen_index"] is None else str(item["citizen_index"]))
        assert row["state_index"] == ("" if item["state_index"] is None else str(item["state_index"]))
    response = client.get(f"/api/v1/compare?period={YEAR}&format=xlsx&lang=ky")
    book = load_workbook(io.BytesIO(response.data))
    assert book["data"].max_row - 2 == len(client.get(f"/api/v1/compare?period={YEAR}").get_json()["items"])
    assert dict(book["about"].iter_rows(min_row=2, values_only=True))["period"] == YEAR
    assert client.get("/api/v1/compare?format=pdf").status_code == 400
