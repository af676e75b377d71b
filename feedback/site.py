"""Routes outside any domain: the language redirect, health, the privacy page."""
from flask import Blueprint, redirect, url_for
from sqlalchemy import text

from .db import db
from .errors import RETRY_AFTER_SECONDS
from .i18n import guess_lang

bp = Blueprint("site", __name__)


@bp.get("/")
def root():
    return redirect(url_for("territory.home", lang=guess_lang()), code=302)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        db.session.rollback()
        return {"status": "unavailable"}, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return {"status": "ok"}, 200

