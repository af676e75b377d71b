"""Routes of the comparisons (under /<lang>/): tables, the map, unfunded mandates, the analyst's home."""
import re
from pathlib import Path

from flask import Blueprint, abort, current_app, g, render_template, request, send_from_directory, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import distinct, select

from ..accounts.policy import require_role
from ..db import db
from ..evaluation.models import StateEvaluation
from ..i18n import pull_lang, push_lang
from ..ratings.services import current_period
from ..scorecards import methodology as mth
from ..scorecards.models import RatingAggregate
from ..territory import queries as territory_queries
from . import exports, labels, queries

bp = Blueprint("compare", __name__, url_prefix="/<lang>", template_folder="templates")
bp.url_value_preprocessor(pull_lang)
bp.url_defaults(push_lang)

SORTS = ("name", "-name", "index", "-index", "n", "-n", "position", "-position")
TREND_PERIODS = 4


def periods_with_data() -> list[int]:
    ratings = set(db.session.scalars(select(distinct(RatingAggregate.period))))
    states = set(db.session.scalars(select(distinct(StateEvaluation.period)).where(StateEvaluation.status == "final")))
    return sorted((ratings | states) | {current_period()}, reverse=True)


def requested_params() -> mth.Params:
    """The methodology in force, or an earlier version with ?methodology=N (404 when unknown), as
    on the scorecards: version 1's comparisons stay reproducible."""
    from ..scorecards.views import requested_methodology

    return requested_methodology()


def chosen(periods: list[int]) -> dict:
    """The page's choices from the query string; anything unknown falls back to the default."""
    raw = request.args.get("period", "")
    with_data = [p for p in periods if p != current_period()] or periods
    default = current_period() if current_period() in periods and _has_data(current_period()) else with_data[0]
    period = int(raw) if raw.isdigit() and int(raw) in periods else default
    index_key = request.args.get("index", "citizen")
    if not queries.valid_index_key(index_key):
        index_key = "citizen"
    level = request.args.get("level", "region")
    if level not in queries.LEVELS:
        level = "region"
    sort = request.args.get("sort", "name")
    if sort not in SORTS:
        sort = "name"
    return {"period": period, "index": index_key, "level": level, "sort": sort}


def _has_data(period: int) -> bool:
    return db.session.scalar(select(RatingAggregate.period).where(RatingAggregate.period == period).limit(1)) is not None


def _within():
    """A region or district to drill into: (code, unit, parent region or None)."""
    code = request.args.get("within", "")
    if not code:
        return None, None
    unit = territory_queries.region(code) or territory_queries.district(code)
    if unit is None:
        abort(404)
    return code, unit


def row_dicts(rows, lang) -> list[dict]:
    out = []
    for row in rows:
        item = row.as_dict()
        item["name"] = row.name(lang)
        item["interval_low"], item["interval_high"] = row.interval if row.interval else (None, None)
        item["position_label"] = labels.position_label(row)
        for scope in ("rank_region", "rank_nation"):
            rank = getattr(row, scope)
            item[scope] = f"{rank[0]}–{rank[1]} / {rank[2]}" if rank else None
        item["reason_label"] = str(labels.REASONS.get(row.reason, "")) if row.reason else ""
        out.append(item)
    return out


def table_columns() -> list[exports.Column]:
    C = exports.Column
    return [C("code", _("Code")), C("name_ky", _("Name in Kyrgyz")), C("name_ru", _("Name in Russian")),
            C("municipalities", _("Municipalities"), "int"), C("assessed", _("With a published value"), "int"),
            C("n", _("n"), "int"), C("index", _("Index (0–100)"), "index"),
            C("interval_low", _("Interval, low"), "index"), C("interval_high", _("Interval, high"), "index"),
            C("position", _("Position (machine)")), C("position_label", _("Position")),
            C("reason", _("Why no number (machine)")), C("reason_label", _("Why no number")),
            # added later, kept after the first columns so that readers by position keep working
            C("level", _("Level")), C("position_basis", _("Position against (machine)")),
            C("rank_region", _("Rank interval in its region")), C("rank_nation", _("Rank interval in the country"))]


def about_sheet(params: mth.Params, period: int, index_key: str, level: str, lang: str, extra=()) -> list[tuple]:
    return [("methodology_version", params.version), ("period", period), ("index", index_key),
            ("index_name", labels.index_label(index_key, lang)), ("level", level), ("language", lang),
            ("confidence", params["confidence"]), ("min_sample", params.min_sample),
            ("weighting", _("Residents' assessment by region, district, urban and rural: direct estimate from all "
                            "accepted ratings of the area, every rating weighing the same (as /api/v1/compare); "
                            "municipalities: their scorecards' estimates; subjects and criteria: municipalities' "
                            "indices weighted by their accepted ratings; state assessment, delegated powers and "
                            "the composite: unweighted mean of the municipalities assessed.")
             if params.method == 2 else
             _("Residents' assessment, subjects and criteria: municipalities' published indices "
               "weighted by their accepted ratings; state assessment, delegated powers and the "
               "composite: unweighted mean of the municipalities assessed.")),
            ("position", _("Above or below when the whole interval lies above or below the national value; "
                           "otherwise indistinguishable.")),
            *((("position_municipality", str(labels.PEER_NOTE)),) if params.method == 2 else ()),
            ("licence", _("Open data under the Creative Commons Attribution 4.0 licence (CC BY 4.0).")), *extra]


def kept_whole(render):
    """A comparison page (or the registry's region and district pages, which show its numbers), kept
    whole for anonymous visitors under the versions of every period (its trends read several) —
    scorecards/kept.py; the downloads are made each time."""
    from ..scorecards import kept

    if exports.requested():
        return render()
    return kept.keep_page(kept.all_part(), render)


@bp.get("/compare")
def index():
    return kept_whole(_index)


def _index():
    lang = g.lang
    params = requested_params()
    periods = periods_with_data()
    choice = chosen(periods)
    within, unit = _within()
    level = choice["level"]
    if within:  # drilling down: a region's districts (or municipalities), a district's municipalities
        is_region = territory_queries.region(within) is not None
        level = "municipality" if not is_region or level == "municipality" else "district"
    if level == "municipality" and not within:
        level = "region"
    rows = queries.comparison_rows(level, choice["period"], choice["index"], params, within=within)
    country = queries.national(choice["period"], choice["index"], params)
    if exports.requested():
        return exports.download(f"compare-{level}-{choice['index'].replace(':', '-')}-{choice['period']}",
                                table_columns(), row_dicts(rows, lang),
                                about_sheet(params, choice["period"], choice["index"], level, lang,
                                            (("within", within or ""),)))
    rows = queries.sort_rows(rows, choice["sort"], lang)
    trend_periods = sorted(p for p in periods if p <= choice["period"])[-TREND_PERIODS:]
    trend = queries.trends(level, trend_periods, choice["index"], params, within=within) if len(trend_periods) > 1 else {}
    changes = {}
    if len(trend_periods) > 1:
        for row in rows:
            changes[row.code] = queries.change(row, trend.get(row.code, {}).get(trend_periods[-2]))
    return render_template("compare/index.html", rows=rows, country=country, choice={**choice, "level": level},
                           periods=periods, params=params, within=within, unit=unit, trend=trend,
                           trend_periods=trend_periods, changes=changes, choices=labels.index_choices(lang),
                           index_label=labels.index_label(choice["index"], lang), L=labels)


@bp.get("/compare/urban-rural")
def urban_rural():
    return kept_whole(_urban_rural)


def _urban_rural():
    lang = g.lang
    params = requested_params()
    periods = periods_with_data()
    choice = chosen(periods)
    gaps = queries.urban_rural_gaps(choice["period"], choice["index"], params)
    if exports.requested():
        C = exports.Column
        columns = [C("code", _("Code")), C("name", _("Territory")), C("urban_n", _("Urban: n"), "int"),
                   C("urban_index", _("Urban: index"), "index"), C("rural_n", _("Rural: n"), "int"),
                   C("rural_index", _("Rural: index"), "index"), C("gap", _("Gap (urban − rural)"), "index"),
                   C("gap_low", _("Gap interval, low"), "index"), C("gap_high", _("Gap interval, high"), "index")]
        rows = [{"code": x.code, "name": x.name(lang), "urban_n": x.urban.n, "urban_index": x.urban.index,
                 "rural_n": x.rural.n, "rural_index": x.rural.index, "gap": x.gap,
                 "gap_low": x.interval[0] if x.interval else None, "gap_high": x.interval[1] if x.interval else None}
                for x in gaps]
        return exports.download(f"urban-rural-{choice['index'].replace(':', '-')}-{choice['period']}", columns,
                                rows, about_sheet(params, choice["period"], choice["index"], "urban_rural", lang))
    return render_template("compare/urban_rural.html", gaps=gaps, choice=choice, periods=periods, params=params,
                           choices=labels.index_choices(lang), index_label=labels.index_label(choice["index"], lang),
                           L=labels)


@bp.get("/compare/scorecards")
def scorecards_export():
    """Every municipality's scorecard numbers of a period, as CSV or XLSX (and a table page)."""
    lang = g.lang
    params = requested_params()
    periods = periods_with_data()
    choice = chosen(periods)
    period = choice["period"]
    C = exports.Column
    columns = [C("code", _("Code")), C("name_ky", _("Name in Kyrgyz")), C("name_ru", _("Name in Russian")),
               C("kind", _("Kind")), C("region_code", _("Region code")), C("district_code", _("District code"))]
    for t in ("citizen", "state", "composite"):
        label = str(labels.TRACK_LABELS[t])
        columns += [C(f"{t}_n", f"{label}: n", "int"), C(f"{t}_index", f"{label}: {_('index')}", "index"),
                    C(f"{t}_low", f"{label}: {_('interval, low')}", "index"),
                    C(f"{t}_high", f"{label}: {_('interval, high')}", "index")]
    rows = queries.scorecard_rows(period, params)
    return exports.download(f"scorecards-{period}", columns, rows,
                            about_sheet(params, period, "citizen,state,composite", "municipality", lang))


@bp.get("/map")
def map_page():
    return kept_whole(_map_page)


def _map_page():
    from . import map as svgmap

    lang = g.lang
    params = requested_params()
    periods = periods_with_data()
    choice = chosen(periods)
    level = "district" if request.args.get("level") == "district" else "region"
    rows = queries.comparison_rows(level, choice["period"], choice["index"], params)
    if exports.requested():  # the map's table
        return exports.download(f"map-{level}-{choice['index'].replace(':', '-')}-{choice['period']}",
                                table_columns(), row_dicts(rows, lang),
                                about_sheet(params, choice["period"], choice["index"], level, lang))
    drawing = svgmap.draw(level, rows, lang, choice["index"], choice["period"])
    return render_template("compare/map.html", drawing=drawing, rows=queries.sort_rows(rows, choice["sort"], lang),
                           choice={**choice, "level": level}, periods=periods, params=params,
                           choices=labels.index_choices(lang), index_label=labels.index_label(choice["index"], lang),
                           country=queries.national(choice["period"], choice["index"], params), L=labels,
                           steps=drawing["legend"])


@bp.get("/analyst")
@require_role("analyst", "admin")
def analyst_home():
    lang = g.lang
    params = requested_params()
    periods = periods_with_data()
    choice = chosen(periods)
    period = choice["period"]
    previous = period - 1
    moves = []
    for level in ("region", "district"):
        now = {r.code: r for r in queries.comparison_rows(level, period, "citizen", params)}
        before = {r.code: r for r in queries.comparison_rows(level, previous, "citizen", params)}
        for code, row in now.items():
            moved = queries.change(row, before.get(code))
            if moved:
                moves.append((row, moved))
    moves.sort(key=lambda item: -abs(item[1]["change"]))
    if exports.requested():
        return exports.download(f"changes-{previous}-{period}", move_columns(previous, period), move_rows(moves, lang),
                                about_sheet(params, period, "citizen", "region,district", lang,
                                            (("previous_period", previous),)))
    regions = queries.comparison_rows("region", period, "citizen", params)
    attention = [r for r in regions if r.position == "below"]
    from . import unfunded

    powers = unfunded.by_power(period, params)
    weak_powers = [p for p in powers if p["funding_index"] is not None and p["funding_index"] < 50]
    return render_template("compare/analyst.html", moves=moves[:10], attention=attention, powers=weak_powers,
                           choice=choice, period=period, previous=previous, params=params, L=labels,
                           index_label=labels.index_label("citizen", lang))


def move_columns(previous: int, period: int) -> list[exports.Column]:
    C = exports.Column
    return [C("code", _("Code")), C("level", _("Level")), C("name", _("Territory")),
            C("previous_n", f"{previous}: n", "int"), C("previous_index", f"{previous}: {_('index')}", "index"),
            C("previous_low", f"{previous}: {_('interval, low')}", "index"),
            C("previous_high", f"{previous}: {_('interval, high')}", "index"),
            C("n", f"{period}: n", "int"), C("index", f"{period}: {_('index')}", "index"),
            C("interval_low", f"{period}: {_('interval, low')}", "index"),
            C("interval_high", f"{period}: {_('interval, high')}", "index"),
            C("change", _("Change"), "index"), C("clear", _("Clear change (machine)"))]


def move_rows(moves: list, lang: str) -> list[dict]:
    out = []
    for row, moved in moves:
        before = moved["previous"]
        out.append({"code": row.code, "level": row.level, "name": row.name(lang), "previous_n": before.n,
                    "previous_index": before.index,
                    "previous_low": before.interval[0] if before.interval else None,
                    "previous_high": before.interval[1] if before.interval else None,
                    "n": row.n, "index": row.index, "interval_low": row.interval[0] if row.interval else None,
                    "interval_high": row.interval[1] if row.interval else None, "change": moved["change"],
                    "clear": None if moved["clear"] is None else str(moved["clear"]).lower()})
    return out


@bp.get("/unfunded")
def unfunded_page():
    return kept_whole(_unfunded_page)


def _unfunded_page():
    from . import unfunded

    lang = g.lang
    params = requested_params()
    periods = periods_with_data()
    choice = chosen(periods)
    period = choice["period"]
    powers = unfunded.by_power(period, params)
    power = request.args.get("power")
    detail = None
    if power and any(p["code"] == power for p in powers):
        detail = {"regions": unfunded.by_region(period, params, power), "power": next(p for p in powers if p["code"] == power)}
    if exports.requested():
        table = request.args.get("table")
        if table == "regions" and detail:  # one power, by region
            return exports.download(f"unfunded-mandates-{power}-by-region-{period}", unfunded.columns(),
                                    unfunded.export_rows(detail["regions"], lang),
                                    about_sheet(params, period, f"power:{power}", "region", lang))
        if table == "agencies":
            return exports.download(f"unfunded-mandates-by-agency-{period}", unfunded.agency_columns(),
                                    unfunded.agency_rows(unfunded.by_agency(powers), lang),
                                    about_sheet(params, period, "state", "agency", lang))
        return exports.download(f"unfunded-mandates-{period}", unfunded.columns(), unfunded.export_rows(powers, lang),
                                about_sheet(params, period, "state", "delegated_power", lang))
    powers = sort_dicts(powers, request.args.get("sort", "name"), lang, UNFUNDED_SORTS)
    choice = {**choice, "sort": request.args.get("sort", "name")}
    return render_template("compare/unfunded.html", powers=powers, detail=detail, choice=choice, periods=periods,
                           params=params, period=period, L=labels, agencies=unfunded.by_agency(powers))


UNFUNDED_SORTS = {"execution": "execution_index", "funding": "funding_index", "method": "method_index", "gap": "gap"}


def sort_dicts(rows: list[dict], key: str, lang: str, keys: dict[str, str]) -> list[dict]:
    """?sort=name|-name|<key>|-<key>: numbers highest first (reversed with "-"), missing values last."""
    descending = key.startswith("-")
    field = keys.get(key.lstrip("-"))
    if field is None:
        return sorted(rows, key=lambda r: r[f"name_{lang}"].casefold(), reverse=descending and key == "-name")
    present = [r for r in rows if r[field] is not None]
    return sorted(present, key=lambda r: r[field], reverse=not descending) + [r for r in rows if r[field] is None]


def dump_folder() -> Path:
    """Where the open-data dumps are written (``flask opendata dump``) and served from:
    ``OPENDATA_DIR`` (FEEDBACK_OPENDATA_DIR), else the instance folder's opendata/. With several app
    servers it must be one folder they all mount, or each server lists only the files on its own disk."""
    configured = current_app.config.get("OPENDATA_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "opendata"


@bp.get("/open-data")
def open_data():
    folder = dump_folder()
    dumps = sorted(folder.glob("*.zip"), reverse=True) if folder.is_dir() else []
    return render_template("compare/open_data.html", periods=[p for p in periods_with_data() if _has_data(p)],
                           dumps=[{"name": d.name, "size": d.stat().st_size} for d in dumps])


@bp.get("/open-data/<name>")
def open_data_file(name: str):
    if not re.fullmatch(r"feedback-opendata-\d{4}\.zip", name):
        abort(404)
    return send_from_directory(dump_folder(), name, as_attachment=True)


def sort_url(key: str) -> str:
    args = request.args.to_dict()
    current = args.get("sort", "name")
    args["sort"] = ("-" + key) if current == key else key
    return url_for(request.endpoint, **args)


@bp.app_context_processor
def _helpers():
    return {"compare_sort_url": sort_url, "compare_rounded": lambda x: mth.rounded(x, 1),
            "compare_endpoints": COMPARE_NAV & set(current_app.view_functions), "compare_labels": labels,
            "compare_brief": brief}


def brief(row) -> str:
    """One line for a list item: "55,2 [54,4–56,0] · n = 120", or why there is no number."""
    if row is None:
        return ""
    if row.index is None:
        return f"{labels.REASONS.get(row.reason, '—')} · n = {row.n}"
    text = format_decimal(mth.rounded(row.index, 1), "0.0")
    if row.interval:
        low, high = (format_decimal(mth.rounded(v, 1), "0.0") for v in row.interval)
        text += f" [{low}–{high}]"
    return f"{_('Index')} {text} · n = {row.n}"


COMPARE_NAV = {"compare.index", "compare.urban_rural", "compare.map_page", "compare.unfunded_page", "compare.open_data"}


def unit_numbers_download(numbers: dict):
    """The registry's region or district page as a table (?format=csv|xlsx): the unit's own row,
    then each unit one level down."""
    lang = g.lang
    rows = ([numbers["own"]] if numbers["own"] else []) + sorted(numbers["children"].values(), key=lambda r: r.code)
    level = "district" if numbers["level"] == "region" else "municipality"
    return exports.download(f"{numbers['level']}-{numbers['code']}-citizen-{numbers['period']}", table_columns(),
                            row_dicts(rows, lang), about_sheet(mth.get(), numbers["period"], "citizen", level, lang,
                                                               (("within", numbers["code"]),)))


def unit_numbers(unit_level: str, code: str) -> dict:
    """For the registry's region and district pages: the unit's own residents' assessment and that of
    each unit one level down (districts of a region, municipalities of a district), latest period."""
    params = mth.get()
    periods = periods_with_data()
    period = chosen(periods)["period"]
    parent = queries.comparison_rows(unit_level, period, "citizen", params)
    children = queries.comparison_rows("district" if unit_level == "region" else "municipality", period, "citizen",
                                       params, within=code)
    return {"period": period, "own": next((r for r in parent if r.code == code), None),
            "children": {r.code: r for r in children}, "level": unit_level, "code": code}
