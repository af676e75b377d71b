"""Routes of the scorecards package (under /<lang>/): the scorecard, the print view and the
methodology page.

The scorecard is the municipality's public page (``/<lang>/m/<code>/``, the URL printed on the QR
posters); ``scorecard_context`` gives that page and the print view the same numbers.
"""
from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..accounts.policy import require_role
from ..audit.services import record
from ..catalog.models import Agency, Criterion, Subject
from ..db import db
from ..i18n import pull_lang, push_lang
from ..ratings.forms import AGE_LABELS, SEX_LABELS
from ..ratings.services import current_period
from ..territory import queries as territory_queries
from . import kept, queries
from . import methodology as mth
from .forms import MethodologyForm
from .scorecard import NO_EVALUATIONS, NO_TRACK, NOT_AVAILABLE, NOT_ENOUGH, build

bp = Blueprint("scorecards", __name__, url_prefix="/<lang>", template_folder="templates")
bp.url_value_preprocessor(pull_lang)
bp.url_defaults(push_lang)

REASONS = {
    NOT_ENOUGH: _l("Not enough ratings"),
    NO_EVALUATIONS: _l("No final state evaluations yet"),
    NOT_AVAILABLE: _l("Not assessed yet"),
    NO_TRACK: _l("No part of the index can be published yet"),
    "not_enough_comments": _l("Not enough comments due an answer"),
}
TRACK_NAMES = {
    "citizen": _l("Residents' assessment"),
    "state": _l("State assessment of delegated powers"),
    "budget_transparency": _l("Budget transparency"),
    "responsiveness": _l("Responsiveness"),
}
POSITIONS = {"above": _l("Above the mean of similar local governments"),
             "indistinguishable": _l("Not distinguishable from the mean of similar local governments"),
             "below": _l("Below the mean of similar local governments")}
DIRECTIONS = {"up": _l("better than the year before"), "down": _l("worse than the year before"),
              "no_clear_change": _l("no clear change: the intervals overlap")}
SAMPLE_LABELS = {"unknown": _l("not stated")}
EARLIEST_PERIOD = 2015


def requested_period() -> int:
    """?period=YYYY; the current year when absent or not a year we could have."""
    raw = request.args.get("period", "")
    this_year = current_period()
    if raw.isdigit() and EARLIEST_PERIOD <= int(raw) <= this_year:
        return int(raw)
    return this_year


# ?channel=: the ratings of one channel only (channel_aggregate); "paper" names the assisted channel.
CHANNEL_VALUES = {"web": "web", "offline_web": "offline_web", "sms": "sms", "paper": "assisted", "assisted": "assisted"}


def requested_channel() -> str | None:
    """The channel asked for (models.CHANNELS), or None for all channels (also for an unknown value)."""
    return CHANNEL_VALUES.get(request.args.get("channel", "").strip().lower())


def requested_methodology() -> mth.Params:
    raw = request.args.get("methodology", "")
    try:
        return mth.get(int(raw) if raw.isdigit() else None)
    except mth.MethodologyError:
        abort(404)


def scorecard_context(municipality) -> dict:
    period = requested_period()
    params = requested_methodology()
    verified = request.args.get("verified") == "1"
    channel = requested_channel()
    card = build(municipality, period, params, verified, channel) if channel else build(municipality, period, params, verified)
    subjects = {s.code: s for s in db.session.scalars(select(Subject))}
    periods = sorted(set(queries.periods_with_data(municipality.code)) | {current_period(), period}, reverse=True)
    return {
        "card": card, "params": params, "period": period, "verified": verified, "periods": periods, "channel": channel,
        "subjects": subjects,
        "criteria": {c.code: c for c in db.session.scalars(select(Criterion))},
        "agencies": {a.code: a for a in db.session.scalars(select(Agency))},
        "comments": queries.approved_comments(municipality.code, period, limit=10),
        "reasons": REASONS, "track_names": TRACK_NAMES, "directions": DIRECTIONS, "positions": POSITIONS,
        "sample_labels": {**SEX_LABELS, **AGE_LABELS, **SAMPLE_LABELS},
        "latest_methodology": mth.latest_version(),
        "query": {k: v for k, v in (("period", period if request.args.get("period") else None),
                                    ("methodology", request.args.get("methodology") or None),
                                    ("verified", "1" if verified else None), ("channel", channel)) if v},
    }


@bp.get("/m/<code>/")
def scorecard(code: str):
    """The municipality's public page is its scorecard (the URL printed on the QR posters), kept
    whole for anonymous visitors without comments of their own on it (kept.keep_page)."""
    from ..answers.views import my_comments_of
    from ..ratings.respondents import COOKIE

    if request.cookies.get(COOKIE) and my_comments_of(code):
        return _scorecard_page(code)
    period = requested_period()
    return kept.keep_page(kept.card_part(code, period), lambda: _scorecard_page(code))


def _scorecard_page(code: str):
    municipality = territory_queries.municipality(code) or abort(404)
    return render_template("scorecards/scorecard.html", m=municipality, lang=g.lang,
                           **scorecard_context(municipality))


@bp.get("/m/<code>/print")
def print_view(code: str):
    from ..answers.views import report  # the print view became the kenesh report

    return report(code)


@bp.get("/methodology")
def methodology_page():
    """The published methodology, kept whole (kept.methodology_part)."""
    return kept.keep_page(kept.methodology_part(), _methodology_page)


def _methodology_page():
    versions = mth.versions()
    raw = request.args.get("version", "")
    try:
        params = mth.get(int(raw) if raw.isdigit() else None)
    except mth.MethodologyError:
        abort(404)
    return render_template(f"scorecards/methodology_{g.lang}.html", params=params, versions=versions,
                           t90=mth.t_quantile(0.5 + params["confidence"] / 2, params.min_sample - 1),
                           z=params.z, band=mth.population_band, p=params,
                           context_seconds=_whole(kept.min_seconds()))


def _whole(seconds: float) -> float | int:
    return int(seconds) if float(seconds).is_integer() else seconds


@bp.get("/admin/methodology")
@require_role("admin")
def methodology_admin(form=None, status=200):
    """The administrator publishes a new methodology version: weights and constants."""
    current = mth.get()
    if form is None:
        form = MethodologyForm(formdata=None)
        form.fill(current.values)
    return render_template("scorecards/methodology_admin.html", lang=g.lang, section="methodology", form=form,
                           current=current, versions=mth.versions()), status


@bp.post("/admin/methodology")
@require_role("admin")
def methodology_publish():
    form = MethodologyForm()
    if form.validate():
        base = mth.get()
        try:
            published = mth.publish(form.changes(dict(base.values)), notes=form.notes.data or "", user_id=current_user.id)
        except mth.MethodologyError:
            db.session.rollback()
            form.notes.errors = [*form.notes.errors, _l("These values cannot be published together.")]
        else:
            record("methodology.publish", "methodology", published.version, actor_id=current_user.id,
                   before={"version": base.version, **base.values}, after={"version": published.version, **published.values})
            return redirect(url_for("scorecards.methodology_page", version=published.version), code=303)
    return methodology_admin(form, 400)
