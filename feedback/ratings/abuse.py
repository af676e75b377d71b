"""Anti-abuse rules for citizen ratings. Each rule has a name, a threshold from the configuration,
and a test. A rating a rule catches is stored as quarantined with the rule's name: never counted,
always shown as a count, and reviewable by a moderator.

Rules (first match wins):
- ``honeypot``: the hidden field that people never see was filled in (dumb bots fill every field);
- ``too_fast``: the form came back sooner than a person can read and answer it;
- ``own_staff``: the rating is by a signed-in staff member of the municipality rated;
- ``burst_address``: one client address sent many ratings for one municipality within a window;
- ``burst_device``: one respondent (device) sent many ratings for one municipality within a window;
- ``burst_new_respondents``: one client address brought many new respondents (cleared cookies,
  fresh browsers) within a window, and this respondent is one of them.

Rate limits per address (Flask-Limiter, shared by all workers through Redis) stop floods before
they reach these rules. The form stamp that measures the fill time is signed, expires, is bound to
the visitor's session and respondent cookie, and is good for one submission. Whatever slips
through cannot publish a score alone: the methodology's ``min_distinct_addresses``.
"""
import datetime as dt
import hashlib
import re
import secrets
import threading
import time
from dataclasses import dataclass

from flask import current_app, g, request, session
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import bindparam, distinct, func, select

from ..db import db, utcnow
from ..security import SignedSerializer, csrf_token
from .models import Rating, Respondent
from .respondents import without_ratings

DEFAULTS = {
    "ABUSE_MIN_FILL_SECONDS": 3,
    "ABUSE_BURST_WINDOW_SECONDS": 600,
    "ABUSE_BURST_PER_ADDRESS": 20,
    "ABUSE_BURST_PER_DEVICE": 25,
    "ABUSE_NEW_RESPONDENTS_PER_ADDRESS": 10,
    "ABUSE_STAMP_MAX_AGE_SECONDS": 24 * 3600,
    "RATING_RATE_LIMIT": "20 per minute;200 per hour",
}

_LINK = re.compile(r"(https?://|www\.|\b[\w-]+\.(?:com|kg|ru|net|org|info|me|io|xyz)\b)", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"(?:\+?\d[\s()-]*){9,}")


@dataclass(frozen=True)
class Signals:
    """What the request tells about how the rating was made."""

    municipality_code: str
    respondent_id: int
    address_hash: str
    honeypot: str = ""
    fill_seconds: float | None = None  # None: not a form (API, offline queue)
    staff_municipality_code: str | None = None


def request_signals(municipality_code: str, respondent_id: int, **form_signals) -> Signals:
    """Signals of the current request: address, signed-in staff, plus what a form adds."""
    from .respondents import address_hash

    return Signals(municipality_code=str(municipality_code), respondent_id=respondent_id, address_hash=address_hash(),
                   staff_municipality_code=g.get("staff_municipality_code"), **form_signals)


def setting(name: str):
    return current_app.config.get(name, DEFAULTS[name])


def form_rule(signals: Signals) -> str | None:
    """The rules read off the request alone (honeypot, too fast, own staff): the first broken, or None."""
    if signals.honeypot:
        return "honeypot"
    if signals.fill_seconds is not None and signals.fill_seconds < setting("ABUSE_MIN_FILL_SECONDS"):
        return "too_fast"
    if signals.staff_municipality_code and signals.staff_municipality_code == signals.municipality_code:
        return "own_staff"
    return None


_statements: dict = {}


def _statement(key: tuple, build):
    """A statement built once (its bound parameters filled in per call): SQLAlchemy then finds its
    compiled form without working out a cache key again on every rating."""
    if key not in _statements:
        _statements[key] = build()
    return _statements[key]


def _recent_count(model, by: str, signals: Signals, replacing=None) -> int:
    """How many of ``model``'s submissions (ratings, budget priorities) into the signals' municipality
    within the burst window have ``by`` (a column) equal to the signals' value of it, leaving out the
    one being replaced."""
    table = model.__table__
    statement = _statement(("recent", model, by), lambda: select(func.count()).select_from(table).where(
        table.c.municipality_code == bindparam("municipality"), table.c.updated_at >= bindparam("since"),
        table.c[by] == bindparam("value"), table.c.id != bindparam("replacing")))
    since = utcnow() - dt.timedelta(seconds=setting("ABUSE_BURST_WINDOW_SECONDS"))
    value = signals.address_hash if by == "address_hash" else signals.respondent_id
    return _count(statement, {"municipality": signals.municipality_code, "since": since, "value": value,
                              "replacing": replacing.id if replacing is not None else 0})  # ids are > 0


def _count(statement, parameters: dict) -> int:
    """A count on the session's connection (Core: no ORM layer for a plain statement)."""
    return db.session.connection().execute(statement, parameters).scalar_one()


def address_burst(model, signals: Signals, replacing=None) -> bool:
    """Too many submissions from the signals' address into its municipality in the window."""
    return bool(signals.address_hash) and \
        _recent_count(model, "address_hash", signals, replacing) >= setting("ABUSE_BURST_PER_ADDRESS")


def device_burst(model, signals: Signals, replacing=None) -> bool:
    """Too many submissions from the signals' respondent (device) into its municipality in the window."""
    return _recent_count(model, "respondent_id", signals, replacing) >= setting("ABUSE_BURST_PER_DEVICE")


def quarantine_rule(signals: Signals, *, replacing: Rating | None = None) -> str | None:
    """The name of the first rule this submission breaks, or None."""
    rule = form_rule(signals)
    if rule:
        return rule
    if address_burst(Rating, signals, replacing):
        return "burst_address"
    # A respondent created by this request has no rating to count yet.
    if not without_ratings(signals.respondent_id) and device_burst(Rating, signals, replacing):
        return "burst_device"
    if new_respondents_burst(Rating, signals):
        return "burst_new_respondents"
    return None


def new_respondents_burst(model, signals: Signals) -> bool:
    """This respondent is new (created within the burst window) and the signals' address already
    brought at least ``ABUSE_NEW_RESPONDENTS_PER_ADDRESS`` other new respondents who sent ``model``'s
    submissions (ratings, budget priorities) within the window."""
    if not signals.address_hash:
        return False
    since = utcnow() - dt.timedelta(seconds=setting("ABUSE_BURST_WINDOW_SECONDS"))
    if not _new_respondent(signals.respondent_id, since):
        return False
    table, respondents = model.__table__, Respondent.__table__
    statement = _statement(("new respondents", model), lambda: select(func.count(distinct(table.c.respondent_id)))
                           .join(respondents, respondents.c.id == table.c.respondent_id)
                           .where(table.c.address_hash == bindparam("address"), table.c.updated_at >= bindparam("since"),
                                  respondents.c.created_at >= bindparam("since"),
                                  table.c.respondent_id != bindparam("respondent")))
    return _count(statement, {"address": signals.address_hash, "since": since, "respondent": signals.respondent_id}) \
        >= setting("ABUSE_NEW_RESPONDENTS_PER_ADDRESS")


def _new_respondent(respondent_id: int, since: dt.datetime) -> bool:
    respondent = db.session.get(Respondent, respondent_id)  # usually in the session already: no query
    created = respondent.created_at if respondent is not None else None
    return created is None or (created if created.tzinfo else created.replace(tzinfo=dt.UTC)) >= since


# The form stamp ---------------------------------------------------------------------------------

_STORAGE_LOCK = threading.Lock()

_stamp_signers: dict = {}


def _stamps() -> URLSafeTimedSerializer:
    """The stamp's signer, kept per secret key (a stamp is short and random: not offered to zlib)."""
    key = current_app.config["SECRET_KEY"]
    signer = _stamp_signers.get(key)
    if signer is None:
        signer = _stamp_signers[key] = SignedSerializer(key, salt="form-stamp")
    return signer


def _binding() -> str:
    """Whose stamp it is: this browser's session (its CSRF secret) and respondent cookie."""
    from .respondents import COOKIE

    csrf_token()  # makes sure the session holds its CSRF secret before the stamp names it
    raw = f"{session.get('csrf_token', '')}|{request.cookies.get(COOKIE, '')}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def issue_stamp(shown_at: float | None = None) -> str:
    """A stamp for the form being shown (or shown again, keeping when it was first shown)."""
    return _stamps().dumps({"t": shown_at or time.time(), "n": secrets.token_urlsafe(12), "b": _binding()})


def _read_stamp(raw: str | None) -> dict | None:
    try:
        stamp = _stamps().loads(raw or "", max_age=setting("ABUSE_STAMP_MAX_AGE_SECONDS"))
        return stamp if isinstance(stamp, dict) and isinstance(stamp.get("t"), float | int) else None
    except BadSignature:  # also SignatureExpired
        return None


def stamp_shown_at(raw: str | None) -> float | None:
    stamp = _read_stamp(raw)
    return float(stamp["t"]) if stamp else None


def use_stamp(raw: str | None) -> float:
    """Seconds since the form was shown, spending the stamp; 0 (then "too fast") when the stamp is
    missing, forged, expired, another visitor's or already spent."""
    from ..security import limiter

    stamp = _read_stamp(raw)
    if stamp is None or stamp.get("b") != _binding():
        return 0.0
    max_age = int(setting("ABUSE_STAMP_MAX_AGE_SECONDS"))
    # Spent stamps are remembered where the rate limits are (Redis: shared by every worker). The
    # in-memory storage (one process) starts its expiry timer without a lock: threads take turns.
    with _STORAGE_LOCK:
        spent = limiter.storage.incr(f"feedback-stamp:{stamp.get('n')}", max_age) > 1
    if spent:
        return 0.0
    return max(0.0, time.time() - float(stamp["t"]))


def comment_flags(comment: str | None) -> str:
    """Why a moderator should look closely at a comment: links, e-mail addresses, phone numbers
    (of the text as typed; ``masked`` when ``mask_personal_data`` hid some of it)."""
    if not comment:
        return ""
    flags = []
    if _LINK.search(comment):
        flags.append("link")
    if _EMAIL.search(comment):
        flags.append("email")
    if _PHONE.search(comment):
        flags.append("phone")
    if "email" in flags or "phone" in flags:
        flags.append("masked")
    return ",".join(flags)


MASK = "***"


def mask_personal_data(comment: str | None) -> str | None:
    """The comment with e-mail addresses and phone numbers replaced by ***, before it is stored:
    a resident who types their number (or a neighbour's) does not publish or keep it."""
    if not comment:
        return comment
    return _PHONE.sub(lambda m: MASK + (" " if m.group(0).endswith(" ") else ""), _EMAIL.sub(MASK, comment))
