"""CSV and XLSX of any table: a stable machine header row, then the header in the page's language.

XLSX (openpyxl): both header rows frozen, numbers stored as numbers with a number format, and a
second sheet naming the methodology version, the period and what the numbers mean.
"""
import csv
import io
from dataclasses import dataclass

from flask import Response
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
