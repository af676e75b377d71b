"""The public JSON API, /api/v1/ (described by /api/v1/openapi.json)."""
from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import cache
from ..catalog import queries as catalog_queries
from ..db import begin_write, db, reads_first
from ..errors import json_error
from ..i18n import LANGUAGES, guess_lang
from ..ratings.abuse import request_signals, setting
from ..ratings.respondents import current_respondent
from ..ratings.services import RatingError, RatingInput, submit_rating, validate
from ..security import csrf, limiter, same_origin
from ..territory import queries as territory_queries
from ..territory.models import MUNICIPALITY_KINDS, Municipality, Village
from ..territory.search import rank, suggestions
from .openapi import openapi_document
from .serialize import catalog_json, municipality_json, village_json

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


@bp.before_request
def choose_language():
    lang = request.args.get("lang")
    g.lang = lang if lang in LANGUAGES else guess_lang()
    if lang is not None and lang not in LANGUAGES:
        return json_error(400, "invalid_parameter",
                          _("Parameter %(name)s must be one of: %(values)s.", name="lang", values=", ".join(LANGUAGES)),
                          field="lang")


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise BadParameter(name, low, high)
    return value


class BadParameter(Exception):
    def __init__(self, name, low, high):
        self.name, self.low, self.high = name, low, high


@bp.errorhandler(BadParameter)
def bad_parameter(exc: BadParameter):
    return json_error(400, "invalid_parameter",
                      _("Parameter %(name)s must be a whole number from %(low)s to %(high)s.",
                        name=exc.name, low=exc.low, high=exc.high), field=exc.name)


@bp.get("/municipalities")
def municipalities():
    limit = _int_arg("limit", current_app.config["API_PAGE_SIZE_MAX"], 1, current_app.config["API_PAGE_SIZE_MAX"])
    offset = _int_arg("offset", 0, 0, 10**6)
    kind = request.args.get("kind")
    if kind and kind not in MUNICIPALITY_KINDS:
        return json_error(400, "invalid_parameter",
                          _("Parameter %(name)s must be one of: %(values)s.", name="kind", values=", ".join(MUNICIPALITY_KINDS)),
                          field="kind")
    current = request.args.get("current", "true").lower() != "false"
    if request.args.get("q"):
        return _search_municipalities(request.args["q"], kind, current, limit, offset)
    stmt = select(Municipality)
    if request.args.get("region"):
        stmt = stmt.where(Municipality.region_code == request.args["region"])
    if request.args.get("district"):
        stmt = stmt.where(Municipality.district_code == request.args["district"])
    if kind:
        stmt = stmt.where(Municipality.kind == kind)
    if current:
        stmt = stmt.where(Municipality.valid_to.is_(None))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    items = db.session.scalars(stmt.order_by(Municipality.code).limit(limit).offset(offset)).all()
    return jsonify({"items": [municipality_json(m) for m in items], "total": total,
                    "limit": limit, "offset": offset, "registry_vintage": territory_queries.REGISTRY_VINTAGE})


def _search_municipalities(query: str, kind: str | None, current: bool, limit: int, offset: int):
    """The search of the HTML page, with its ranking: best match first; each item says whether a
    village's name matched ("match")."""
    hits = rank(query[:200], lang=g.lang, region=request.args.get("region"),
                district=request.args.get("district"), kind=kind, include_ended=not current)
    page = hits[offset:offset + limit]
    records = {m.code: m for m in db.session.scalars(
        select(Municipality).where(Municipality.code.in_([h.code for h in page])))}
    villages = {v.code: v for v in db.session.scalars(
        select(Village).where(Village.code.in_([h.village_code for h in page if h.village_code])))}
    items = []
    for hit in page:
        village = villages.get(hit.village_code) if hit.village_code else None
        match = {"by": "village" if village else "name"}
        if village:
            match["village"] = {"code": village.code, "name_ky": village.name_ky, "name_ru": village.name_ru}
        items.append({**municipality_json(records[hit.code]), "match": match})
    body = {"items": items, "total": len(hits), "limit": limit, "offset": offset,
            "registry_vintage": territory_queries.REGISTRY_VINTAGE}
    if not hits:
        body["did_you_mean"] = suggestions(query, lang=g.lang)
    return jsonify(body)


@bp.get("/municipalities/<code>")
def municipality(code: str):
    """One municipality with its villages, kept under the reference data's version."""
    return cache.kept_json(("municipality", code), cache.REFERENCE, lambda: _municipality(code))


def _municipality(code: str):
    m = territory_queries.municipality(code)
    if m is None:
        return json_error(404, "not_found", _("No municipality has the code %(code)s.", code=code))
    return jsonify({**municipality_json(m), "villages": [village_json(v) for v in m.villages]})


@bp.get("/catalog")
def catalog():
    """The catalog, kept under the reference data's version (every catalog write bumps it)."""
    return cache.kept_json(("catalog",), cache.REFERENCE, lambda: jsonify(catalog_json(catalog_queries.full_catalog())))


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


RATING_FIELDS = {"municipality", "subject", "overall", "criteria", "comment", "client_id", "sex", "age_band", "village",
                 "channel"}
# What a browser may say about itself: the page's offline queue sends "offline_web".
API_CHANNELS = ("web", "offline_web")
TEXT_FIELDS = ("municipality", "subject", "comment", "client_id", "sex", "age_band", "village", "channel")
MAX_JSON_DEPTH = 4


def _depth(value) -> int:
    """How deeply a parsed JSON value nests (without recursion: it may come from anyone)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_JSON_DEPTH:
            break
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, level + 1) for child in children)
    return deepest


def _is_score(value, *, nullable: bool) -> bool:
    """What the OpenAPI schema says a score is: an integer 1–5 (not "5", not 5.0, not true)."""
    if value is None:
        return nullable
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5


def _valid_text(value: str) -> bool:
    try:
        value.encode("utf-8")  # a lone surrogate (\ud800) is not text
    except UnicodeEncodeError:
        return False
    return True


def _wrong_type(payload: dict) -> tuple[str, str, str] | None:
    """(field, error code, message) of the first value the schema does not allow, or None."""
    score_message = _("The score must be a whole number from 1 to 5.")
    if not _is_score(payload["overall"], nullable=False):
        return "overall", "out_of_range", score_message
    criteria = payload.get("criteria")
    if criteria is not None:
        if not isinstance(criteria, dict):
            return "criteria", "invalid", _("Criteria must map criterion codes to scores.")
        for code, value in criteria.items():
            if not _valid_text(code):
                return "criteria", "invalid", _("Criteria must map criterion codes to scores.")
            if not _is_score(value, nullable=True):
                return f"criteria.{code}", "out_of_range", score_message
    for name in TEXT_FIELDS:
        value = payload.get(name)
        if value is not None and not (isinstance(value, str) and _valid_text(value)):
            return name, "invalid", _("The field %(name)s must be text.", name=name)
    return None


@bp.post("/ratings")
@limiter.limit(lambda: setting("RATING_RATE_LIMIT"))
@reads_first
def create_rating():
    """Store a rating. No CSRF token (an offline queue may send it hours later): instead the browser's
    Origin must be ours, and the respondent cookie is SameSite=Lax."""
    if not same_origin():
        return json_error(403, "cross_origin", _("Ratings can only be sent from this site."))
    if not request.is_json:
        return json_error(415, "unsupported_media_type", _("Send the request as JSON."))
    try:
        payload = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser goes
        payload = None
    if not isinstance(payload, dict) or _depth(payload) > MAX_JSON_DEPTH:
        return json_error(400, "malformed_json", _("The request body is not a valid JSON object."))
    unknown = sorted(set(payload) - RATING_FIELDS)
    if unknown:
        return json_error(400, "unknown_field", _("Unknown field: %(name)s.", name=unknown[0]), field=unknown[0])
    for name in ("municipality", "subject", "overall"):
        if payload.get(name) in (None, ""):
            return json_error(400, "required", _("The field %(name)s is required.", name=name), field=name)
    wrong = _wrong_type(payload)
    if wrong is not None:
        field, code, message = wrong
        return json_error(400, code, message, field=field)
    channel = payload.get("channel") or "web"
    if channel not in API_CHANNELS:
        return json_error(400, "invalid_choice", _("Choose one of the options offered."), field="channel")
    data = RatingInput(
        municipality_code=payload["municipality"], subject_code=payload["subject"], overall=payload["overall"],
        criteria=payload.get("criteria") or {}, comment=payload.get("comment"), sex=payload.get("sex"),
        age_band=payload.get("age_band"), village_code=payload.get("village"), client_id=payload.get("client_id"),
        source="api", channel=channel,
    )
    try:
        checked = validate(data)  # reads only: before the write lock (db.begin_write)
        begin_write()
        respondent = current_respondent()
        signals = request_signals(payload["municipality"], respondent.id)
        outcome = submit_rating(data, respondent, signals, checked=checked)
    except RatingError as error:
        db.session.rollback()
        return json_error(error.status, error.code, str(error.message), field=error.field)
    body = {"id": outcome.rating_id, "status": outcome.status, "replaced": outcome.replaced,
            "period": outcome.period}
    return jsonify(body), 200 if outcome.repeated else 201


@bp.post("/budget-priorities")
@limiter.limit(lambda: setting("RATING_RATE_LIMIT"))
def create_budget_priorities():
    """A resident's budget priorities: {"municipality", "issues": [up to three local-issue codes, the
    first first]}. The same origin check, respondent cookie and anti-abuse rules as ratings; a second
    submission in the period replaces the first (so a resend is harmless)."""
    from ..ratings.services import current_period
    from ..transparency.services import TransparencyError, submit_priorities

    if not same_origin():
        return json_error(403, "cross_origin", _("Ratings can only be sent from this site."))
    payload = request.get_json(silent=True) if request.is_json else None
    if not isinstance(payload, dict) or not isinstance(payload.get("issues", []), list):
        return json_error(400, "malformed_json", _("The request body is not a valid JSON object."))
    unknown = sorted(set(payload) - {"municipality", "issues"})
    if unknown:
        return json_error(400, "unknown_field", _("Unknown field: %(name)s.", name=unknown[0]), field=unknown[0])
    municipality = territory_queries.municipality(str(payload.get("municipality") or ""))
    if municipality is None:
        return json_error(404, "unknown_municipality", _("There is no such local government."), field="municipality")
    respondent = current_respondent()
    try:
        priority, replaced = submit_priorities(municipality, payload.get("issues") or [], respondent,
                                               request_signals(municipality.code, respondent.id), current_period(),
                                               source="api")
    except TransparencyError as error:
        db.session.rollback()
        return json_error(422, error.code, str(error.message), field="issues")
    return jsonify({"id": priority.id, "status": priority.status, "replaced": replaced, "period": priority.period,
                    "issues": priority.codes}), 200 if replaced else 201


# --- scorecards ------------------------------------------------------------------------------------

def _scorecard_params():
    """period (default: the current year), methodology version (default: the newest)."""
    from ..ratings.services import current_period
    from ..scorecards import methodology

    period = _int_arg("period", current_period(), 2000, current_period())
    version = _int_arg("methodology", methodology.latest_version(), 1, 10**6)
    try:
        return period, methodology.get(version)
    except methodology.MethodologyError:
        return period, None


@bp.get("/municipalities/<code>/scorecard")
def municipality_scorecard(code: str):
    """The card, kept whole under the versions of everything it rests on (scorecards/kept.py): the
    municipality's own rating counters of the period and the previous one among them, so a rating
    shows on the very next request of any process, and a rating elsewhere leaves it kept."""
    from ..ratings.services import current_period
    from ..scorecards import kept

    period = _int_arg("period", current_period(), 2000, current_period())
    return cache.kept_json(("card", request.full_path), kept.card_part(code, period), lambda: _municipality_scorecard(code))


def _municipality_scorecard(code: str):
    from ..scorecards.scorecard import build

    # The card needs the municipality's own columns only (not its villages, region or district).
    m = db.session.get(Municipality, code) if territory_queries.is_soate(code) else None
    if m is None:
        return json_error(404, "not_found", _("No municipality has the code %(code)s.", code=code))
    period, params = _scorecard_params()
    if params is None:
        return json_error(404, "unknown_methodology", _("There is no such methodology version."), field="methodology")
    verified = request.args.get("verified") in ("1", "true")
    if request.args.get("channel"):
        from ..scorecards.views import CHANNEL_VALUES

        channel = CHANNEL_VALUES.get(request.args["channel"].strip().lower())
        if channel is None:
            return json_error(400, "invalid_parameter",
                              _("Parameter %(name)s must be one of: %(values)s.", name="channel",
                                values="web, offline_web, sms, paper"), field="channel")
        card = build(m, period, params, verified=verified, channel=channel)
    else:
        card = build(m, period, params, verified=verified)
    from ..channels.queries import channels_json; card["channels"] = channels_json(m.code, period)  # noqa: E702, I001
    return jsonify(card)


@bp.get("/municipalities/<code>/answers")
def municipality_answers(code: str):
    from ..answers.serialize import answers_json

    m = territory_queries.municipality(code)
    if m is None:
        return json_error(404, "not_found", _("No municipality has the code %(code)s.", code=code))
    return jsonify({"municipality": m.code, "items": answers_json(m.code)})


@bp.get("/compare")
def compare():
    """Kept whole, as the card (scorecards/kept.py); the CSV and XLSX downloads are made each time."""
    from ..ratings.services import current_period
    from ..scorecards import kept

    period = _int_arg("period", current_period(), 2000, current_period())
    if request.args.get("format", "json") != "json":
        return _compare()
    return cache.kept_json(("compare", request.full_path), kept.period_part(period), _compare)


def _compare():
    from ..scorecards.scorecard import compare as compare_units
    from ..territory.models import District, Region

    level = request.args.get("level", "region")
    if level not in ("region", "district", "urban_rural"):
        return json_error(400, "invalid_parameter",
                          _("Parameter %(name)s must be one of: %(values)s.", name="level",
                            values="region, district, urban_rural"),
                          field="level")
    period, params = _scorecard_params()
    if params is None:
        return json_error(404, "unknown_methodology", _("There is no such methodology version."), field="methodology")
    names = {r.code: (r.name_ky, r.name_ru) for r in db.session.scalars(select(Region))}
    if level == "district":
        names.update({d.code: (d.name_ky, d.name_ru) for d in db.session.scalars(select(District))})
    payload = {"level": level, "period": period, "methodology_version": params.version,
               "items": compare_units(level, period, params, names)}
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "csv", "xlsx"):
        return json_error(400, "invalid_parameter",
                          _("Parameter %(name)s must be one of: %(values)s.", name="format", values="json, csv, xlsx"),
                          field="format")
    if fmt != "json":
        from ..compare.exports import api_compare_response

        return api_compare_response(fmt, payload)
    return jsonify(payload)
