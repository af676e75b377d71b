"""CSV and XLSX of any table: a stable machine header row, then the header in the page's language.

XLSX (openpyxl): both header rows frozen, numbers stored as numbers with a number format, and a
second sheet naming the methodology version, the period and what the numbers mean.

Every page of the comparisons that shows a table offers it the same way (and links to it with the
``exports`` macro of compare/_macros.html): the page's own URL with ``?format=csv`` or ``?format=xlsx``,
answered by ``download`` when ``requested()`` says so — the comparison, the urban–rural gaps, the
map's table, the unfunded mandates (by power, by region of one power, by agency), the registry's
region and district pages and the analyst's moves.
"""
import csv
import io
from dataclasses import dataclass

from flask import Response, request
from flask_babel import gettext as _

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class Column:
    key: str  # machine header: stable, English, snake_case
    label: str  # header in the page's language
    kind: str = "text"  # text, int, index (one decimal)


def _cell(value):
    if isinstance(value, float):
        return round(value, 1)
    return value


def to_csv(columns: list[Column], rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.key for c in columns])
    writer.writerow([c.label for c in columns])
    for row in rows:
        writer.writerow(["" if row.get(c.key) is None else _cell(row.get(c.key)) for c in columns])
    return "\ufeff" + out.getvalue()  # the BOM lets spreadsheet programs read UTF-8 (Kyrgyz letters)


def to_xlsx(columns: list[Column], rows: list[dict], about: list[tuple[str, object]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "data"
    sheet.append([c.key for c in columns])
    sheet.append([c.label for c in columns])
    bold = Font(bold=True)
    for cell in sheet[2]:
        cell.font = bold
    formats = {"int": "0", "index": "0.0"}
    for row in rows:
        sheet.append([_cell(row.get(c.key)) for c in columns])
    for i, column in enumerate(columns, start=1):
        if column.kind in formats:
            for (cell,) in sheet.iter_rows(min_row=3, min_col=i, max_col=i):
                cell.number_format = formats[column.kind]
        sheet.column_dimensions[sheet.cell(row=1, column=i).column_letter].width = max(10, min(40, len(column.label) + 2))
    sheet.freeze_panes = "B3"
    info = book.create_sheet("about")
    info.append(["key", _("What")])
    for key, value in about:
        info.append([key, value])
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 90
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def response(fmt: str, filename: str, columns: list[Column], rows: list[dict], about: list[tuple[str, object]]):
    if fmt == "xlsx":
        body, mimetype = to_xlsx(columns, rows, about), XLSX_TYPE
    else:
        body, mimetype = to_csv(columns, rows), CSV_TYPE
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}.{fmt}"'})


def requested() -> str | None:
    """The download a page was asked for (``?format=csv|xlsx``), or None: show the page."""
    fmt = request.args.get("format")
    return fmt if fmt in FORMATS else None


def download(filename: str, columns: list[Column], rows: list[dict], about: list[tuple[str, object]]):
    """A page's table in the format ``?format=`` asks for (CSV unless XLSX): the one helper of every
    tabular page's export."""
    return response(requested() or "csv", filename, columns, rows, about)


def api_compare_response(fmt: str, payload: dict):
    """/api/v1/compare as a table: the JSON items, the interval split into its two ends."""
    C = Column
    columns = [C("code", _("Code")), C("level", _("Level")), C("name_ky", _("Name in Kyrgyz")),
               C("name_ru", _("Name in Russian")), C("municipalities", _("Municipalities"), "int"),
               C("published", _("With a published value"), "int"), C("n", _("n"), "int"),
               C("n_quarantined", _("Quarantined ratings"), "int"),
               C("citizen_index", _("Residents' assessment"), "index"),
               C("citizen_interval_low", _("Interval, low"), "index"),
               C("citizen_interval_high", _("Interval, high"), "index"),
               C("state_index", _("State assessment of delegated powers"), "index"),
               C("state_evaluated", _("Municipalities evaluated"), "int"),
               C("composite_index", _("Composite index"), "index"), C("tier", _("Tier"), "int"),
               C("reason", _("Why no number (machine)"))]
    rows = []
    for item in payload["items"]:
        interval = item.get("citizen_interval") or (None, None)
        rows.append({**item, "citizen_interval_low": interval[0], "citizen_interval_high": interval[1]})
    about = [("methodology_version", payload["methodology_version"]), ("period", payload["period"]),
             ("level", payload["level"]), ("source", "/api/v1/compare"),
             ("licence", _("Open data under the Creative Commons Attribution 4.0 licence (CC BY 4.0)."))]
    return response(fmt, f"compare-{payload['level']}-{payload['period']}", columns, rows, about)
