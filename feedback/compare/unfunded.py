"""Unfunded mandates: per delegated power, the LSGs' execution score (state track) next to the
state's own part — funding and methodological support — and the execution gap between
municipalities the state funded and those it did not.

From FINAL state evaluations only. Per municipality and power: execution = mean of the indicators
that count toward the LSG (1–5 mapped to 0–100); funding and methodological support are the
answers yes / partial / no (100 / 50 / 0 under the methodology's answer points). A power's row is
the unweighted mean over the municipalities evaluated (each evaluation weighs the same). Gap:
execution of the municipalities funded ("yes") minus those not funded ("no"); "partial" is shown
apart. Its interval: Welch's normal interval at the methodology's confidence.
"""
import math
from collections import defaultdict
from statistics import NormalDist

from flask import g
from flask_babel import gettext as _
from sqlalchemy import select

from ..catalog.models import Agency, Subject
from ..db import db
from ..scorecards import methodology as mth
from ..scorecards import queries as sc_queries
from ..territory.models import Region
from . import exports

FUNDING, METHOD = "SI-FUNDING", "SI-METHOD"


def evaluations(period: int, params: mth.Params) -> list[dict]:
    """(municipality, power, agency, execution, funding answer, method answer) per final evaluation;
    read once per request (the page shows the country, a power by region and the agencies)."""
    cache = g.setdefault("_unfunded_evaluations", {})
    key = (period, params.version)
    if key not in cache:
        cache[key] = _evaluations(period, params)
    return cache[key]


def _evaluations(period: int, params: mth.Params) -> list[dict]:
    points = params["answer_points"]
    found: dict[tuple, dict] = {}
    for code, power, agency, indicator, counts, scale, score, answer in sc_queries.state_indicator_scores(period, stream=True):
        e = found.setdefault((code, power), {"municipality": code, "power": power, "agency": agency, "lsg": [],
                                              "funding": None, "method": None})
        if counts:
            if scale == "1-5" and score is not None:
                e["lsg"].append(mth.index_from_mean(score))
            elif answer in points:
                e["lsg"].append(float(points[answer]))
        elif indicator == FUNDING:
            e["funding"] = answer
        elif indicator == METHOD:
            e["method"] = answer
    for e in found.values():
        e["execution"] = sum(e["lsg"]) / len(e["lsg"]) if e["lsg"] else None
    return list(found.values())


def _mean_interval(values: list[float], confidence: float):
    k = len(values)
    if not k:
        return None, None, None
    mean = sum(values) / k
    if k < 2:
        return mean, None, None
    se = math.sqrt(sum((x - mean) ** 2 for x in values) / (k - 1)) / math.sqrt(k)
    q = mth.t_quantile(0.5 + confidence / 2, k - 1)
    return mean, se, (max(0.0, mean - q * se), min(100.0, mean + q * se))


def summarise(items: list[dict], params: mth.Params) -> dict:
    points = params["answer_points"]
    confidence = params["confidence"]
    execution = [e["execution"] for e in items if e["execution"] is not None]
    index, _se, interval = _mean_interval(execution, confidence)
    funding = [float(points[e["funding"]]) for e in items if e["funding"] in points]
    method = [float(points[e["method"]]) for e in items if e["method"] in points]
    funded = [e["execution"] for e in items if e["funding"] == "yes" and e["execution"] is not None]
    unfunded = [e["execution"] for e in items if e["funding"] == "no" and e["execution"] is not None]
    partial = [e["execution"] for e in items if e["funding"] == "partial" and e["execution"] is not None]
    f_mean, f_se, _ = _mean_interval(funded, confidence)
    u_mean, u_se, _ = _mean_interval(unfunded, confidence)
    gap = gap_interval = None
    if f_mean is not None and u_mean is not None:
        gap = f_mean - u_mean
        if f_se is not None and u_se is not None:
            half = NormalDist().inv_cdf(0.5 + confidence / 2) * math.sqrt(f_se ** 2 + u_se ** 2)
            gap_interval = (gap - half, gap + half)
    return {"n": len(items), "execution_index": index, "execution_interval": interval,
            "funding_index": sum(funding) / len(funding) if funding else None,
            "funded_share": len([e for e in items if e["funding"] == "yes"]) / len(items) if items else None,
            "method_index": sum(method) / len(method) if method else None,
            "n_funded": len(funded), "n_unfunded": len(unfunded), "n_partial": len(partial),
            "funded_execution": f_mean, "unfunded_execution": u_mean, "gap": gap, "gap_interval": gap_interval}


def by_power(period: int, params: mth.Params) -> list[dict]:
    groups = defaultdict(list)
    for e in evaluations(period, params):
        groups[e["power"]].append(e)
    subjects = {s.code: s for s in db.session.scalars(select(Subject).where(Subject.kind == "delegated_power"))}
    agencies = {a.code: a for a in db.session.scalars(select(Agency))}
    rows = []
    for code in sorted(groups):
        s = subjects.get(code)
        agency = agencies.get(s.agency_code) if s and s.agency_code else None
        rows.append({"code": code, "name_ky": s.name_ky if s else code, "name_ru": s.name_ru if s else code,
                     "agency": agency.code if agency else None,
                     "agency_ky": agency.short_ky if agency else "", "agency_ru": agency.short_ru if agency else "",
                     **summarise(groups[code], params)})
    return rows


def by_region(period: int, params: mth.Params, power: str) -> list[dict]:
    from .queries import territory

    units = territory(period).units
    groups = defaultdict(list)
    for e in evaluations(period, params):
        if e["power"] == power and e["municipality"] in units:
            groups[units[e["municipality"]].region_code].append(e)
    names = {r.code: r for r in db.session.scalars(select(Region))}
    return [{"code": code, "name_ky": names[code].name_ky, "name_ru": names[code].name_ru,
             **summarise(groups[code], params)} for code in sorted(groups) if code in names]


def by_agency(powers: list[dict]) -> list[dict]:
    groups = defaultdict(list)
    for p in powers:
        groups[p["agency"]].append(p)
    out = []
    for code, items in sorted(groups.items(), key=lambda kv: kv[0] or ""):
        def mean(key, items=items):
            values = [p[key] for p in items if p[key] is not None]
            return sum(values) / len(values) if values else None
        out.append({"code": code, "agency_ky": items[0]["agency_ky"], "agency_ru": items[0]["agency_ru"],
                    "powers": len(items), "execution_index": mean("execution_index"),
                    "funding_index": mean("funding_index"), "method_index": mean("method_index")})
    return out


def columns() -> list[exports.Column]:
    C = exports.Column
    return [C("code", _("Code")), C("name", _("Delegated power")), C("agency", _("Agency")),
            C("n", _("Municipalities evaluated"), "int"), C("execution_index", _("Execution (0–100)"), "index"),
            C("execution_low", _("Interval, low"), "index"), C("execution_high", _("Interval, high"), "index"),
            C("funding_index", _("Funding (0–100)"), "index"), C("method_index", _("Methodological support (0–100)"), "index"),
            C("n_funded", _("Funded"), "int"), C("n_unfunded", _("Not funded"), "int"),
            C("gap", _("Gap: funded − not funded"), "index"), C("gap_low", _("Gap interval, low"), "index"),
            C("gap_high", _("Gap interval, high"), "index")]


def agency_columns() -> list[exports.Column]:
    C = exports.Column
    return [C("code", _("Code")), C("agency_name", _("Agency")), C("powers", _("Powers"), "int"),
            C("execution_index", _("Execution (0–100)"), "index"), C("funding_index", _("Funding (0–100)"), "index"),
            C("method_index", _("Methodological support (0–100)"), "index")]


def agency_rows(agencies: list[dict], lang: str) -> list[dict]:
    return [{**a, "agency_name": a["agency_ky" if lang == "ky" else "agency_ru"]} for a in agencies]


def export_rows(powers: list[dict], lang: str) -> list[dict]:
    """Rows of powers (or of one power's regions, which have no agency) for the export."""
    out = []
    for p in powers:
        iv, gv = p["execution_interval"], p["gap_interval"]
        out.append({**p, "name": p["name_ky" if lang == "ky" else "name_ru"],
                    "agency": p.get("agency_ky" if lang == "ky" else "agency_ru"),
                    "execution_low": iv[0] if iv else None, "execution_high": iv[1] if iv else None,
                    "gap_low": gv[0] if gv else None, "gap_high": gv[1] if gv else None})
    return out
