"""Routes of the moderation package (under /<lang>/): the queue and the decisions taken from it.

Every decision is a POST that redirects back to the queue (POST-redirect-GET) with the same tab,
filters and page; a rejection without a reason shows the queue again with the error at that item.
"""
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from ..accounts.policy import require_role
from ..db import db
from ..i18n import pull_lang, push_lang
from ..security import Form
from ..territory import queries as territory_queries
from ..territory.models import District
from . import queries, services

bp = Blueprint("moderation", __name__, url_prefix="/<lang>", template_folder="templates")
bp.url_value_preprocessor(pull_lang)
bp.url_defaults(push_lang)

TABS = ("comments", "quarantine")

# i18n: why an anti-abuse rule set a rating aside, for a moderator deciding whether to release it.
RULES = {
    "honeypot": _l("A hidden field that people never see was filled in: this is what automated programs do."),
    "too_fast": _l("The form was sent back faster than a person can read and answer it."),
    "own_staff": _l("It was sent by a signed-in staff member of the local government being rated."),
    "burst_address": _l("Many ratings for this local government came from one internet address within a few minutes."),
    "burst_device": _l("Many ratings for this local government came from one phone or computer within a few minutes."),
    "burst_new_respondents": _l("Many new phones or browsers rated from one internet address within a few minutes."),
}
FLAGS = {
    "link": _l("contains a link"),
    "phone": _l("contains a phone number"),
    "email": _l("contains an e-mail address"),
    "masked": _l("phone numbers or e-mail addresses were hidden before storing (shown as ***)"),
    "moderator": _l("flagged by a moderator for a second look"),
}


class RejectForm(Form):
    reason = TextAreaField(_l("Reason for rejection"), validators=[
        DataRequired(message=_l("Give the reason for rejecting the comment.")),
        Length(max=services.REASON_MAX, message=_l("The reason is too long: at most %(max)s characters.",
                                                   max=services.REASON_MAX)),
    ])


class DecisionForm(Form):
    """Only the CSRF token: approve, flag, release and confirm carry nothing else."""


def _user():
    return current_user._get_current_object()


def _filters(args) -> tuple[queries.Filters, dict, list[str]]:
    """The filters asked for, as far as they are valid and within the user's scope; the query
    arguments to keep; and the messages about what was ignored."""
    problems: list[str] = []
    user = _user()
    if user.role == "moderator" and user.region_code:
        region = user.region_code
    else:
        region = args.get("region", "").strip() or None
        if region is not None and territory_queries.region(region) is None:
            problems.append(_("There is no such region; all regions are shown."))
            region = None
    municipality = args.get("municipality", "").strip() or None
    if municipality is not None and not territory_queries.is_soate(municipality):
        problems.append(_("A municipality code has 14 digits; the filter by municipality was not applied."))
        municipality = None
    district = args.get("district", "").strip() or None
    if district is not None:
        found = territory_queries.district(district) if territory_queries.is_soate(district) else None
        if found is None or (region and found.region_code != region):
            district = None
    name = args.get("q", "").strip()[:100] or None
    keep = {"region": region if not (user.role == "moderator" and user.region_code) else None,
            "municipality": municipality, "district": district, "q": name}
    return queries.Filters(region_code=region, municipality_code=municipality, district_code=district, name=name), \
        {k: v for k, v in keep.items() if v}, problems


def _tab(args) -> str:
    tab = args.get("tab", "comments")
    return tab if tab in TABS else "comments"


def _page_number(args) -> int:
    try:
        return max(1, int(args.get("page", "1")))
    except ValueError:
        return 1


def _queue_args(args) -> dict:
    """Tab, filters and page of the queue a decision came from, to go back to."""
    _, keep, _problems = _filters(args)
    values = {"tab": _tab(args), **keep}
    page = _page_number(args)
    if page > 1:
        values["page"] = page
    return values


def _render_queue(status: int = 200, errors: dict | None = None, reasons: dict | None = None):
    user = _user()
    filters, keep, problems = _filters(request.args)
    tab = _tab(request.args)
    page_number = _page_number(request.args)
    if tab == "comments":
        page = queries.pending_comments(filters, page_number)
    else:
        page = queries.quarantined_ratings(filters, page_number)
    regional = user.role == "moderator" and user.region_code is not None
    regions = territory_queries.regions()
    districts = list(db.session.scalars(select(District).where(District.region_code == filters.region_code)
                                        .order_by(District.name_ru))) if filters.region_code else []
    return render_template(
        "moderation/queue.html", lang=g.lang, tab=tab, page=page, counts=queries.counts(filters),
        filters=filters, keep=keep, problems=problems, regions=regions, regional=regional,
        region_names={r.code: r.name(g.lang) for r in regions},
        here={"tab": tab, **keep, **({"page": page_number} if page_number > 1 else {})},
        rules=RULES, flag_words=FLAGS, errors=errors or {}, reasons=reasons or {}, districts=districts,
        canned=services.CANNED_REASONS,
        reason_max=services.REASON_MAX, local_date=queries.local_date,
    ), status


@bp.get("/moderation/")
@require_role("moderator", "admin")
def queue():
    return _render_queue()


COMMENT_DONE = {
    "approve": _l("The comment was approved and is now public."),
    "reject": _l("The comment was rejected."),
    "flag": _l("The comment was flagged for a second look."),
}
QUARANTINE_DONE = {
    "release": _l("The rating was released: it now counts in the scores."),
    "confirm": _l("The quarantine was confirmed: the rating stays out of the scores."),
}


def _decided(message):
    flash(str(message), "success")
    return redirect(url_for("moderation.queue", **_queue_args(request.args)), code=303)


def _refused(error: services.ModerationError):
    db.session.rollback()
    if isinstance(error, services.NotFound):
        abort(404)
    flash(str(error.message), "error")
    return redirect(url_for("moderation.queue", **_queue_args(request.args)), code=303)


@bp.post("/moderation/comments/<int:rating_id>/<action>")
@require_role("moderator", "admin")
def comment_decision(rating_id: int, action: str):
    if action not in COMMENT_DONE:
        abort(404)
    user = _user()
    try:
        services.rating_in_scope(user, rating_id)  # nothing about items outside the scope is told
        if action == "reject":
            form = RejectForm()
            form.reason.data = services.reason_text(request.form.get("canned"), form.reason.data)
            if not form.validate():
                return _render_queue(400, errors={rating_id: [str(e) for e in form.reason.errors] or [
                    _("The form has expired; please try again.")]}, reasons={rating_id: form.reason.data or ""})
            services.reject_comment(user, rating_id, form.reason.data)
        else:
            if not DecisionForm().validate():
                abort(400)
            if action == "approve":
                services.approve_comment(user, rating_id)
            else:
                services.flag_comment(user, rating_id)
    except services.ModerationError as error:
        if error.field == "reason":
            db.session.rollback()
            return _render_queue(400, errors={rating_id: [str(error.message)]},
                                 reasons={rating_id: request.form.get("reason", "")})
        return _refused(error)
    return _decided(COMMENT_DONE[action])


@bp.post("/moderation/comments/bulk")
@require_role("moderator", "admin")
def bulk_decision():
    """Approve or reject the comments ticked in the queue, all or nothing."""
    if not DecisionForm().validate():
        abort(400)
    action = request.form.get("action", "")
    ids = [int(i) for i in request.form.getlist("rating") if i.isdigit()]
    reason = services.reason_text(request.form.get("canned"), request.form.get("reason"))
    try:
        n = services.decide_many(_user(), ids, action, reason)
    except services.ModerationError as error:
        return _refused(error)
    message = (ngettext("%(num)s comment approved.", "%(num)s comments approved.", n) if action == "approve"
               else ngettext("%(num)s comment rejected.", "%(num)s comments rejected.", n))
    return _decided(message)


@bp.post("/moderation/ratings/<int:rating_id>/<action>")
@require_role("moderator", "admin")
def quarantine_decision(rating_id: int, action: str):
    if action not in QUARANTINE_DONE:
        abort(404)
    user = _user()
    try:
        services.rating_in_scope(user, rating_id)
        if not DecisionForm().validate():
            abort(400)
        if action == "release":
            services.release_rating(user, rating_id)
        else:
            services.confirm_quarantine(user, rating_id)
    except services.ModerationError as error:
        return _refused(error)
    return _decided(QUARANTINE_DONE[action])
