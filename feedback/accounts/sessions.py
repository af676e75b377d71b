"""Server-side sessions for signed-in users (Flask-Login with a request loader).

The signed Flask session cookie carries only a random token; the session row decides whether it is
still valid, so signing out, disabling a user or ending all sessions takes effect at once.
"""
import datetime as dt
import functools
import hashlib
import secrets

from flask import Flask, current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, current_user
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError

from ..db import after_commit, as_utc, db, utcnow
from ..security import SignedSerializer
from .models import User, UserSession

login_manager = LoginManager()
SESSION_KEY = "sid"
# Signed-in sessions end after this long without activity, and in any case this long after sign-in.
IDLE_TIMEOUT = dt.timedelta(hours=8)
ABSOLUTE_LIFETIME = dt.timedelta(hours=12)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()



def start_session(user: User, *, second_factor_done: bool) -> UserSession:
    """Create a server-side session for the user and put its token in the signed cookie."""
    token = secrets.token_urlsafe(32)
    row = UserSession(token_hash=_hash(token), user_id=user.id, second_factor_done=second_factor_done,
                      user_agent=(request.user_agent.string or "")[:200])
    db.session.add(row)
    db.session.flush()
    session.clear()
    session[SESSION_KEY] = token
    session.permanent = True
    return row


def current_session() -> UserSession | None:
    """The valid server-side session of this request (second factor possibly still pending)."""
    if "user_session" in g:
        return g.user_session
    token = session.get(SESSION_KEY)
    row = None
    if token:
        row = db.session.scalar(select(UserSession).where(UserSession.token_hash == _hash(token)))
        now = utcnow()
        if row is not None and (row.ended_at is not None or not row.user.active
                                or now - as_utc(row.last_seen_at) > IDLE_TIMEOUT
                                or now - as_utc(row.created_at) > _absolute_lifetime()):
            row = None
        elif row is not None and now - as_utc(row.last_seen_at) > dt.timedelta(minutes=5):
            # Not committed here: a short write of its own once the request's work is committed.
            after_commit(functools.partial(_touch, row.id, now))
    g.user_session = row
    return row


def _absolute_lifetime() -> dt.timedelta:
    return dt.timedelta(seconds=int(current_app.config.get("SESSION_ABSOLUTE_LIFETIME_SECONDS",
                                                           ABSOLUTE_LIFETIME.total_seconds())))


def _touch(session_id: int, now: dt.datetime) -> None:
    """Best effort: a busy or absent database must not fail a page that was served."""
    g.db_writes = True
    try:
        db.session.execute(update(UserSession).where(UserSession.id == session_id).values(last_seen_at=now))
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()


def no_store(response):
    """Pages for signed-in people are never kept by the browser or a shared cache."""
    if g.get("user_session") is not None or session.get(SESSION_KEY):
        response.headers["Cache-Control"] = "no-store"
    return response


def end_session() -> None:
    row = current_session()
    if row is not None:
        row.ended_at = utcnow()
    session.pop(SESSION_KEY, None)
    g.user_session = None


def end_all_sessions(user: User) -> int:
    """End every session of a user (an administrator's action, or after a password change)."""
    result = db.session.execute(
        update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    return result.rowcount or 0


@login_manager.request_loader
def _load_user(request_):
    try:
        row = current_session()
    except SQLAlchemyError:
        # The database is down: pages (the 503 page itself) render as for an anonymous visitor.
        db.session.rollback()
        g.user_session = None
        return None
    if row is None:
        return None
    if row.user.totp_enabled and not row.second_factor_done:
        return None
    return row.user


def signed_in_cookie() -> bool:
    """This request carries a session token: only then can anyone be signed in. Without one, the
    user loader (a database read) is never needed, so anonymous requests skip it."""
    return SESSION_KEY in session


def _staff_scope():
    """LSG staff signed in: their ratings of their own municipality are quarantined (abuse rules)."""
    if signed_in_cookie() and current_user.is_authenticated and current_user.role == "lsg_staff":
        g.staff_municipality_code = current_user.municipality_code


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie session, without building a signing serializer for a request that
    carries no session cookie (most requests of residents): an empty session needs no signature
    check. One serializer per secret key is kept instead of one per request, a SignedSerializer
    (security.py: a new visitor's session, holding only its CSRF secret, is not offered to zlib)."""

    def open_session(self, app, request_):
        if app.config["SESSION_COOKIE_NAME"] not in request_.cookies and app.secret_key:
            return self.session_class()
        return super().open_session(app, request_)

    def get_signing_serializer(self, app):
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        kept = app.extensions.get("feedback_session_serializer")
        if kept is None or kept[0] != key:
            kept = (key, SignedSerializer([*key[1], key[0]], salt=self.salt, serializer=self.serializer,
                                          signer_kwargs={"key_derivation": self.key_derivation,
                                                         "digest_method": self.digest_method})
                    if app.secret_key else None)
            app.extensions["feedback_session_serializer"] = kept
        return kept[1]


def init_app(app: Flask) -> None:
    app.session_interface = CookieSessions()
    login_manager.init_app(app)
    login_manager.session_protection = None  # the server-side session row is the protection
    app.config.setdefault("PERMANENT_SESSION_LIFETIME", IDLE_TIMEOUT)
    app.before_request(_staff_scope)
    app.after_request(no_store)
