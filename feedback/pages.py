"""Static pages of the site in both languages: the privacy notice."""
from flask import Blueprint, current_app, render_template

from . import cache
from .i18n import pull_lang, push_lang
from .ratings.phone import DEFAULTS as PHONE_DEFAULTS
from .ratings.respondents import COOKIE as RESPONDENT_COOKIE
from .ratings.respondents import COOKIE_MAX_AGE

bp = Blueprint("pages", __name__, url_prefix="/<lang>")
bp.url_value_preprocessor(pull_lang)
bp.url_defaults(push_lang)


@bp.get("/privacy")
@cache.page  # the same for everyone (its numbers are the process's configuration)
def privacy():
    ttl = int(current_app.config.get("PHONE_CODE_TTL_SECONDS", PHONE_DEFAULTS["PHONE_CODE_TTL_SECONDS"]))
    return render_template(
        "privacy.html", cookie_name=RESPONDENT_COOKIE, cookie_years=COOKIE_MAX_AGE // (365 * 24 * 3600),
        code_minutes=max(ttl // 60, 1), contact=current_app.config.get("PRIVACY_CONTACT_EMAIL"),
    )
