"""Residents' budget priorities as CSV and XLSX (compare/exports.py: a stable machine header row,
then the header in the page's language; CSV in UTF-8 with a BOM), for one municipality or for every
municipality of a region or of the country in a period; and the same table in the open-data dump
(transparency/opendata.py).

One row per municipality and local issue, ranked as on the page. The numbers are the JSON's
(``priorities_json``: shares rounded to three decimals), given in percent; a municipality below the
minimum sample has a single row with its counts and the reason, never a share: exactly what the page
shows.
"""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..catalog.models import Subject
from ..compare import exports
from ..compare.exports import FORMATS, Column
from ..db import db
from ..territory.models import Municipality
from .queries import priorities_json, priorities_many

__all__ = ["FORMATS", "KEYS", "columns", "rows", "about", "response"]


COLUMNS = [  # machine key, header in the page's language, kind
    ("municipality_code", _l("SOATE code"), "text"), ("municipality_name_ky", _l("Name in Kyrgyz"), "text"),
    ("municipality_name_ru", _l("Name in Russian"), "text"), ("region_code", _l("Region code"), "text"),
    ("period", _l("Year"), "int"), ("n", _l("Residents who named priorities"), "int"),
    ("n_quarantined", _l("Quarantined answers (not counted)"), "int"), ("rank", _l("Rank"), "int"),
    ("issue_code", _l("Local issue code"), "text"), ("issue_name_ky", _l("Local issue in Kyrgyz"), "text"),
    ("issue_name_ru", _l("Local issue in Russian"), "text"), ("n_named", _l("Named among three"), "int"),
    ("share_pct", _l("Named among three, %"), "index"),
    ("share_low_pct", _l("Named among three, interval low, %"), "index"),
    ("share_high_pct", _l("Named among three, interval high, %"), "index"),
    ("n_first", _l("Put first"), "int"), ("first_share_pct", _l("Put first, %"), "index"),
    ("first_low_pct", _l("Put first, interval low, %"), "index"),
    ("first_high_pct", _l("Put first, interval high, %"), "index"),
    ("reason", _l("Why no number (machine)"), "text"),
]
KEYS = [key for key, _label, _kind in COLUMNS]


def columns() -> list[Column]:
    return [Column(key, str(label), kind) for key, label, kind in COLUMNS]


def _pct(value):
    return None if value is None else round(value * 100, 1)


def rows(municipalities: list[Municipality], period: int, min_sample: int, z: float,
         with_empty: bool = True) -> list[dict]:
    """The table of ``municipalities`` (in their order); without ``with_empty`` a municipality
    nobody named priorities for is left out (the region and country tables)."""
    summaries = priorities_many([m.code for m in municipalities], period, min_sample, z)
    subjects = {s.code: s for s in db.session.scalars(select(Subject).where(Subject.kind == "local_issue"))}
    out = []
    for m in municipalities:
        summary = priorities_json(summaries[m.code])
        if not with_empty and not summary["n"] and not summary["n_quarantined"]:
            continue
        base = {"municipality_code": m.code, "municipality_name_ky": m.name_ky, "municipality_name_ru": m.name_ru,
                "region_code": m.region_code, "period": period, "n": summary["n"],
                "n_quarantined": summary["n_quarantined"], "reason": summary["reason"]}
        if not summary["published"]:
            out.append(base)
            continue
        for rank, item in enumerate(summary["items"], start=1):
            subject = subjects.get(item["code"])
            out.append({**base, "rank": rank, "issue_code": item["code"],
                        "issue_name_ky": subject.name_ky if subject else None,
                        "issue_name_ru": subject.name_ru if subject else None,
                        "n_named": item["n_named"], "share_pct": _pct(item["share"]),
                        "share_low_pct": _pct(item["interval"][0]), "share_high_pct": _pct(item["interval"][1]),
                        "n_first": item["n_first"], "first_share_pct": _pct(item["first_share"]),
                        "first_low_pct": _pct(item["first_interval"][0]),
                        "first_high_pct": _pct(item["first_interval"][1])})
    return out


def about(params, period: int, source: str) -> list[tuple[str, object]]:
    return [("methodology_version", params.version), ("period", period), ("min_sample", params.min_sample),
            ("confidence", params["confidence"]), ("source", source),
            ("what", _("Residents' budget priorities: the share of residents who named each local issue among "
                       "the (up to) three that next year's budget should fund first, and the share who put it "
                       "first, in percent, with Wilson intervals. Below the minimum sample only the counts are "
                       "given.")),
            ("licence", _("Open data under the Creative Commons Attribution 4.0 licence (CC BY 4.0)."))]


def response(fmt: str, filename: str, table: list[dict], params, period: int, source: str):
    return exports.response(fmt, filename, columns(), table, about(params, period, source))
