"""Anti-abuse rules for citizen ratings. Each rule has a name, a threshold from the configuration,
and a test. A rating a rule catches is stored as quarantined with the rule's name: never counted,
always shown as a count, and reviewable by a moderator.

Rules (first match wins):
- ``honeypot``: the hidden field that people never see was filled in (dumb bots fill every field);
- ``too_fast``: the form came back sooner than a person can read and answer it;
- ``own_staff``: the rating is by a signed-in staff member of the municipality rated;
- ``burst_address``: one client address sent many ratings for one municipality within a window;
- ``burst_device``: one respondent (device) sent many ratings for one municipality within a window.

Rate limits per address (Flask-Limiter) stop floods before they reach these rules.
"""
import datetime as dt
import re
from dataclasses import dataclass

from flask import current_app, g
from sqlalchemy import func, select

from ..db import db, utcnow
from .models import Rating

DEFAULTS = {
    "ABUSE_MIN_FILL_SECONDS": 3,
    "ABUSE_BURST_WINDOW_SECONDS": 600,
    "ABUSE_BURST_PER_ADDRESS": 20,
    "ABUSE_BURST_PER_DEVICE": 25,
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


def quarantine_rule(signals: Signals, *, replacing: Rating | None = None) -> str | None:
    """The name of the first rule this submission breaks, or None."""
    if signals.honeypot:
        return "honeypot"
    if signals.fill_seconds is not None and signals.fill_seconds < setting("ABUSE_MIN_FILL_SECONDS"):
        return "too_fast"
    if signals.staff_municipality_code and signals.staff_municipality_code == signals.municipality_code:
        return "own_staff"
    since = utcnow() - dt.timedelta(seconds=setting("ABUSE_BURST_WINDOW_SECONDS"))
    recent = select(func.count()).select_from(Rating).where(
        Rating.municipality_code == signals.municipality_code, Rating.updated_at >= since)
    if replacing is not None:
        recent = recent.where(Rating.id != replacing.id)
    if signals.address_hash and db.session.scalar(
            recent.where(Rating.address_hash == signals.address_hash)) >= setting("ABUSE_BURST_PER_ADDRESS"):
        return "burst_address"
    if db.session.scalar(recent.where(Rating.respondent_id == signals.respondent_id)) >= setting("ABUSE_BURST_PER_DEVICE"):
        return "burst_device"
    return None


def comment_flags(comment: str | None) -> str:
    """Why a moderator should look closely at a comment: links, e-mail addresses, phone numbers."""
    if not comment:
        return ""
    flags = []
    if _LINK.search(comment):
        flags.append("link")
    if _EMAIL.search(comment):
        flags.append("email")
    if _PHONE.search(comment):
        flags.append("phone")
    return ",".join(flags)
