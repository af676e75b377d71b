"""The public JSON API, /api/v1/ (described by /api/v1/openapi.json)."""
from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..catalog import queries as catalog_queries
from ..db import db
from ..errors import json_error
from ..i18n import LANGUAGES, guess_lang
from ..ratings.abuse import request_signals, setting
from ..ratings.respondents import current_respondent
from ..ratings.services import RatingError, RatingInput, submit_rating
from ..security import csrf, limiter, same_origin
from ..territory import queries as territory_queries
from ..territory.models import MUNICIPALITY_KINDS, Municipality
from ..territory.search import municipality_filter
from .openapi import openapi_document
from .serialize import catalog_json, municipality_json, village_json

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


@bp.before_request
def choose_language():
    lang = request.args.get("lang")
    g.lang = lang if lang in LANGUAGES else guess_lang()


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
    stmt = select(Municipality)
    if request.args.get("q"):
        stmt = stmt.where(municipality_filter(request.args["q"]))
    if request.args.get("region"):
        stmt = stmt.where(Municipality.region_code == request.args["region"])
    if request.args.get("district"):
        stmt = stmt.where(Municipality.district_code == request.args["district"])
    if kind:
        stmt = stmt.where(Municipality.kind == kind)
    if request.args.get("current", "true").lower() != "false":
        stmt = stmt.where(Municipality.valid_to.is_(None))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    items = db.session.scalars(stmt.order_by(Municipality.code).limit(limit).offset(offset)).all()
    return jsonify({"items": [municipality_json(m) for m in items], "total": total,
                    "limit": limit, "offset": offset, "registry_vintage": territory_queries.REGISTRY_VINTAGE})


@bp.get("/municipalities/<code>")
def municipality(code: str):
    m = territory_queries.municipality(code)
    if m is None:
        return json_error(404, "not_found", _("No municipality has the code %(code)s.", code=code))
    return jsonify({**municipality_json(m), "villages": [village_json(v) for v in m.villages]})


@bp.get("/catalog")
def catalog():
    return jsonify(catalog_json(catalog_queries.full_catalog()))


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


RATING_FIELDS = {"municipality", "subject", "overall", "criteria", "comment", "client_id", "sex", "age_band", "village"}


@bp.post("/ratings")
@limiter.limit(lambda: setting("RATING_RATE_LIMIT"))
def create_rating():
    """Store a rating. No CSRF token (an offline queue may send it hours later): instead the browser's
    Origin must be ours, and the respondent cookie is SameSite=Lax."""
    if not same_origin():
        return json_error(403, "cross_origin", _("Ratings can only be sent from this site."))
    if not request.is_json:
        return json_error(415, "unsupported_media_type", _("Send the request as JSON."))
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return json_error(400, "malformed_json", _("The request body is not a valid JSON object."))
    unknown = sorted(set(payload) - RATING_FIELDS)
    if unknown:
        return json_error(400, "unknown_field", _("Unknown field: %(name)s.", name=unknown[0]), field=unknown[0])
    for name in ("municipality", "subject", "overall"):
        if payload.get(name) in (None, ""):
            return json_error(400, "required", _("The field %(name)s is required.", name=name), field=name)
    respondent = current_respondent()
    data = RatingInput(
        municipality_code=payload["municipality"], subject_code=payload["subject"], overall=payload["overall"],
        criteria=payload.get("criteria") or {}, comment=payload.get("comment"), sex=payload.get("sex"),
        age_band=payload.get("age_band"), village_code=payload.get("village"), client_id=payload.get("client_id"),
        source="api",
    )
    signals = request_signals(payload["municipality"], respondent.id)
    try:
        outcome = submit_rating(data, respondent, signals)
    except RatingError as error:
        db.session.rollback()
        return json_error(error.status, error.code, str(error.message), field=error.field)
    body = {"id": outcome.rating.id, "status": outcome.rating.status, "replaced": outcome.replaced,
            "period": outcome.rating.period}  # before the commit expires the rating
    db.session.commit()
    return jsonify(body), 200 if outcome.repeated else 201


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
    from ..scorecards.scorecard import build

    m = territory_queries.municipality(code)
    if m is None:
        return json_error(404, "not_found", _("No municipality has the code %(code)s.", code=code))
    period, params = _scorecard_params()
    if params is None:
        return json_error(404, "unknown_methodology", _("There is no such methodology version."), field="methodology")
    return jsonify(build(m, period, params, verified=request.args.get("verified") in ("1", "true")))


@bp.get("/compare")
def compare():
    from ..scorecards.scorecard import compare as compare_units
    from ..territory.models import District, Region

    level = request.args.get("level", "region")
    if level not in ("region", "district"):
        return json_error(400, "invalid_parameter",
                          _("Parameter %(name)s must be one of: %(values)s.", name="level", values="region, district"),
                          field="level")
    period, params = _scorecard_params()
    if params is None:
        return json_error(404, "unknown_methodology", _("There is no such methodology version."), field="methodology")
    names = {r.code: (r.name_ky, r.name_ru) for r in db.session.scalars(select(Region))}
    if level == "district":
        names.update({d.code: (d.name_ky, d.name_ru) for d in db.session.scalars(select(District))})
    return jsonify({"level": level, "period": period, "methodology_version": params.version,
                    "items": compare_units(level, period, params, names)})
