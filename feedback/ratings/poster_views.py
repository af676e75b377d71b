"""Printable QR posters that LSG staff hang at the aiyl okmotu or city hall.

A poster carries the call to action in both languages (Kyrgyz first, then Russian) whatever the
page's language; its QR code opens the rating page in the poster's own language.
"""
import segno
from flask import Blueprint, abort, current_app, g, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup

from ..catalog.models import MUNICIPALITY_KIND_APPLIES, Subject
from ..channels.posters import poster_sms
from ..db import db
from ..i18n import LANGUAGES, pull_lang, push_lang
from ..territory import queries as territory_queries
from ..territory.models import Municipality

poster_bp = Blueprint("posters", __name__, url_prefix="/<lang>", template_folder="templates")
poster_bp.url_value_preprocessor(pull_lang)
poster_bp.url_defaults(push_lang)

# Pixels per module in the SVG's own coordinates; the printed size is set by poster.css.
QR_SCALE = 10


def rating_path(lang: str, municipality_code: str, subject_code: str | None = None) -> str:
    """The public rating URLs of PRODUCT.md; they are printed, so they must never change."""
    path = f"/{lang}/m/{municipality_code}/rate"
    return f"{path}/{subject_code}" if subject_code else path


def public_url(path: str) -> str:
    # Posters are often printed from an office PC that reaches the site under an internal name;
    # PUBLIC_URL pins the address residents can open.
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    return base.rstrip("/") + path


def qr_svg(url: str) -> Markup:
    qr = segno.make(url, error="m", micro=False)
    # segno escapes the title; the rest of the SVG is its own markup (paths, no inline styles).
    return Markup(qr.svg_inline(scale=QR_SCALE, border=4, omitsize=True, svgclass="qr", lineclass=None,
                                title=_("QR code: %(url)s", url=url)))


def call_to_action(municipality: Municipality, subject: Subject | None, lang: str) -> dict:
    with force_locale(lang):
        if municipality.kind == "city":
            heading = _("Rate the work of your city hall!")
        else:
            heading = _("Rate the work of your aiyl okmotu!")
        return {
            "lang": lang,
            "name": municipality.name(lang),
            "subject": subject.name(lang) if subject else None,
            "heading": heading,
            "text": _("Scan the QR code with your phone — it takes only a minute."),
            "note": _("No registration needed."),
        }


def _rated_subject(municipality: Municipality, code: str) -> Subject:
    """A subject residents rate here; delegated powers are scored by the state only."""
    subject = db.session.get(Subject, code)
    if (subject is None or not subject.rated_by_citizens or subject.retired
            or subject.applies_to not in MUNICIPALITY_KIND_APPLIES[municipality.kind]):
        abort(404)
    return subject


@poster_bp.get("/m/<code>/poster")
@poster_bp.get("/m/<code>/poster/<subject>")
def poster(code: str, subject: str | None = None):
    municipality = territory_queries.municipality(code) or abort(404)
    rated = _rated_subject(municipality, subject) if subject is not None else None
    url = public_url(rating_path(g.lang, municipality.code, rated.code if rated else None))
    sms = poster_sms(municipality, rated)
    return render_template(
        "ratings/poster.html", m=municipality, subject=rated, url=url,
        short_url=url.split("://", 1)[-1], qr=qr_svg(url), lang=g.lang,
        ctas=[call_to_action(municipality, rated, lang) for lang in LANGUAGES], sms=sms,
    )
