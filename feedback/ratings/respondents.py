"""Who is rating: a long-lived, signed, random cookie identifies a device; no account is needed.

Personal data is kept only as keyed hashes (HMAC-SHA256 with a key from the configuration).
"""
import hashlib
import hmac
import secrets

from flask import current_app, g, request
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from ..db import db
from .models import Respondent

COOKIE = "respondent"
COOKIE_MAX_AGE = 2 * 365 * 24 * 3600


def keyed_hash(value: str, purpose: str) -> str:
    key = (current_app.config.get("PERSONAL_DATA_KEY") or current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def address_hash() -> str:
    return keyed_hash(request.remote_addr or "", "address")


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="respondent")


def current_respondent(create: bool = True) -> Respondent | None:
    """The respondent of this request's cookie; a new one (cookie set after the request) if none."""
    if "respondent" in g:
        return g.respondent
    respondent = None
    raw = request.cookies.get(COOKIE)
    if raw:
        try:
            token = _serializer().loads(raw)
        except BadSignature:
            token = None
        if token:
            respondent = db.session.scalar(select(Respondent).where(Respondent.token == token))
    if respondent is None and create:
        respondent = Respondent(token=secrets.token_urlsafe(24))
        db.session.add(respondent)
        db.session.flush()
        g.set_respondent_cookie = True
        g.respondent_token = respondent.token  # read after the commit without loading the row again
    g.respondent = respondent
    return respondent


def switch_respondent(respondent: Respondent) -> None:
    """Make this device the given respondent (after verifying a phone another device verified)."""
    g.respondent = respondent
    g.set_respondent_cookie = True
    g.respondent_token = respondent.token


def set_cookie(response):
    if g.get("set_respondent_cookie") and g.get("respondent") is not None:
        response.set_cookie(COOKIE, _serializer().dumps(g.get("respondent_token") or g.respondent.token), max_age=COOKIE_MAX_AGE,
                            httponly=True, samesite="Lax", secure=request.is_secure)
    return response
