"""Who is rating: a long-lived, signed, random cookie identifies a device; no account is needed.

Personal data is kept only as keyed hashes (HMAC-SHA256 with a key from the configuration).
"""
import hashlib
import hmac
import secrets

from flask import current_app, g, request
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import insert, select
from sqlalchemy.orm import make_transient_to_detached

from ..db import db, utcnow
from ..security import UntimedSignedSerializer
from .models import Respondent

COOKIE = "respondent"
COOKIE_MAX_AGE = 2 * 365 * 24 * 3600


def keyed_hash(value: str, purpose: str, key: str | None = None) -> str:
    key = key or current_app.config.get("PERSONAL_DATA_KEY") or current_app.config["SECRET_KEY"]
    return hmac.new(key.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def old_keyed_hashes(value: str, purpose: str) -> list[str]:
    """The value's hashes under the retired keys (``PERSONAL_DATA_OLD_KEYS``, comma-separated): after
    a key rotation a phone verified before it is still recognised, and re-keyed when seen again."""
    old = str(current_app.config.get("PERSONAL_DATA_OLD_KEYS") or "")
    return [keyed_hash(value, purpose, key.strip()) for key in old.split(",") if key.strip()]


def address_hash() -> str:
    return keyed_hash(request.remote_addr or "", "address")


def _serializer() -> URLSafeSerializer:
    return UntimedSignedSerializer(current_app.config["SECRET_KEY"], salt="respondent")


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
        respondent = _create()
        g.set_respondent_cookie = True
        g.respondent_token = respondent.token  # read after the commit without loading the row again
    g.respondent = respondent
    # Kept apart from the row: after a rollback (the database went away) the cookie hook must not
    # reload an expired object.
    g.respondent_token = respondent.token if respondent is not None else None
    return respondent


_INSERT = insert(Respondent.__table__).returning(Respondent.__table__.c.id)


def _create() -> Respondent:
    """A new respondent: one INSERT … RETURNING (no ORM flush), then the object attached to the session
    as if it had been loaded, and noted as having no ratings yet (``without_ratings``)."""
    values = {"token": secrets.token_urlsafe(24), "phone_hash": None, "phone_verified_at": None,
              "created_at": utcnow()}
    respondent = Respondent(id=db.session.connection().execute(_INSERT, values).scalar_one(), **values)
    make_transient_to_detached(respondent)
    db.session.add(respondent)
    g.respondent_without_ratings = respondent.id
    return respondent


def without_ratings(respondent_id: int) -> bool:
    """The respondent was created by this request and has no rating yet: none to replace or count."""
    return g.get("respondent_without_ratings") == respondent_id


def rated(respondent_id: int) -> None:
    """A rating by the respondent was written (``without_ratings`` no longer holds)."""
    if without_ratings(respondent_id):
        del g.respondent_without_ratings


def switch_respondent(respondent: Respondent) -> None:
    """Make this device the given respondent (after verifying a phone another device verified)."""
    g.respondent = respondent
    g.respondent_token = respondent.token
    g.set_respondent_cookie = True
    g.respondent_token = respondent.token


def set_cookie(response):
    if not g.get("set_respondent_cookie") or response.status_code >= 400:
        return response  # an error (the database may be gone): nothing to read, nothing to set
    token = g.get("respondent_token") or (g.respondent.token if g.get("respondent") is not None else None)
    if token:
        response.set_cookie(COOKIE, _serializer().dumps(token), max_age=COOKIE_MAX_AGE,
                            httponly=True, samesite="Lax", secure=request.is_secure)
    return response
