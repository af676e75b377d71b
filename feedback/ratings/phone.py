"""Optional phone verification with a one-time SMS code.

Neither the number nor the code is stored: only keyed hashes (``respondents.keyed_hash``). A
verified phone marks the respondent's ratings as verified and deduplicates across devices: whoever
verifies a number that another device already verified becomes that respondent.

Services add and flush; the view commits and only then sends the SMS.
"""
import datetime as dt
import hmac
import re
import secrets
from typing import NamedTuple

from flask import current_app
from sqlalchemy import func, select, update

from ..db import as_utc, db, utcnow
from .models import PhoneVerification, Rating, Respondent
from .respondents import keyed_hash, old_keyed_hashes
from .services import current_period
from .signals import changed, state_of

COUNTRY_CODE = "996"
# Deliberately loose: Kyrgyz mobile ranges start with 5, 7 or 9 (and 2 for some newer ranges and
# fixed-mobile services), and operators keep adding prefixes; a number that passes but is not a
# phone simply never receives the code, so a tight list would only turn real residents away.
NATIONAL_NUMBER = re.compile(r"[2579][0-9]{8}")
# What people type between the digits: spaces, dashes, dots, brackets.
SEPARATORS = re.compile(r"[\s\-().\u00a0\u2010-\u2015]")
CODE_LENGTH = 6

DEFAULTS = {
    "PHONE_CODE_TTL_SECONDS": 600,
    "PHONE_CODES_PER_HOUR": 3,
    "PHONE_CODE_MAX_ATTEMPTS": 5,
}


class PhoneError(Exception):
    """A domain error; ``code`` names what went wrong, the view turns it into a message."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class IssuedCode(NamedTuple):
    verification: PhoneVerification
    code: str
    # The normalised number, for the SMS only: it is in memory for this request and stored nowhere.
    phone: str


def _config(name: str) -> int:
    return int(current_app.config.get(name, DEFAULTS[name]))



def normalise_phone(raw: str | None) -> str:
    """The E.164 form (+996 and nine digits) of a Kyrgyz mobile number typed any of the usual ways."""
    text = SEPARATORS.sub("", (raw or "")[:40])
    if text.startswith("+"):
        digits = text[1:]
        if not digits.startswith(COUNTRY_CODE):
            raise PhoneError("not_kyrgyz" if digits.isascii() and digits.isdigit() else "invalid")
        national = digits[len(COUNTRY_CODE):]
    elif text.startswith("00"):
        if not text.startswith("00" + COUNTRY_CODE):
            raise PhoneError("not_kyrgyz")
        national = text[2 + len(COUNTRY_CODE):]
    elif text.startswith(COUNTRY_CODE) and len(text) == len(COUNTRY_CODE) + 9:
        national = text[len(COUNTRY_CODE):]
    elif text.startswith("0"):
        national = text[1:]
    else:
        national = text
    # "+996 0555 …": the trunk 0 written after the country code.
    if len(national) == 10 and national.startswith("0"):
        national = national[1:]
    if not NATIONAL_NUMBER.fullmatch(national):
        raise PhoneError("invalid")
    return "+" + COUNTRY_CODE + national


def phone_hash(phone_e164: str) -> str:
    return keyed_hash(phone_e164, "phone")


def _code_hash(phone_hash_value: str, code: str) -> str:
    # Bound to the number, so that equal codes sent to different numbers do not hash alike.
    return keyed_hash(f"{phone_hash_value}:{code}", "phone_code")


def _codes_since(column, value, since: dt.datetime) -> int:
    return db.session.scalar(
        select(func.count()).select_from(PhoneVerification).where(column == value, PhoneVerification.created_at >= since)
    ) or 0


def request_code(respondent: Respondent, raw_phone: str) -> IssuedCode:
    """A new one-time code for this respondent and number. The caller commits, then sends the SMS."""
    phone = normalise_phone(raw_phone)
    if respondent.id is None:
        db.session.add(respondent)
        db.session.flush()
    hashed = phone_hash(phone)
    retired = old_keyed_hashes(phone, "phone")
    if retired:  # a number verified under a retired key: move it to the current key now
        db.session.execute(update(Respondent).where(Respondent.phone_hash.in_(retired)).values(phone_hash=hashed))
    now = utcnow()
    hour_ago = now - dt.timedelta(hours=1)
    limit = _config("PHONE_CODES_PER_HOUR")
    # Per respondent (a device asking again and again) and per number (someone flooding another
    # person's phone from many devices).
    if _codes_since(PhoneVerification.respondent_id, respondent.id, hour_ago) >= limit:
        raise PhoneError("too_many_codes")
    if _codes_since(PhoneVerification.phone_hash, hashed, hour_ago) >= limit:
        raise PhoneError("too_many_codes")
    code = f"{secrets.randbelow(10 ** CODE_LENGTH):0{CODE_LENGTH}d}"
    verification = PhoneVerification(
        respondent_id=respondent.id, phone_hash=hashed, code_hash=_code_hash(hashed, code), attempts=0,
        created_at=now, expires_at=now + dt.timedelta(seconds=_config("PHONE_CODE_TTL_SECONDS")),
    )
    db.session.add(verification)
    db.session.flush()
    return IssuedCode(verification, code, phone)


def pending_verification(respondent: Respondent | None) -> PhoneVerification | None:
    """The respondent's latest code not yet confirmed (it may have expired or be used up)."""
    if respondent is None or respondent.id is None:
        return None
    return db.session.scalar(
        select(PhoneVerification)
        .where(PhoneVerification.respondent_id == respondent.id, PhoneVerification.confirmed_at.is_(None))
        .order_by(PhoneVerification.id.desc()).limit(1)
    )


def confirm_code(respondent: Respondent, code: str) -> Respondent:
    """Check the code; the verified respondent, which is another one if that device verified first.

    When the returned respondent is not the given one, the caller switches the device to it
    (``respondents.switch_respondent``). A wrong code counts as an attempt: the caller must commit
    after a PhoneError too, or the attempt limit would not hold.
    """
    verification = pending_verification(respondent)
    if verification is None:
        raise PhoneError("no_code")
    now = utcnow()
    if now >= as_utc(verification.expires_at):
        raise PhoneError("expired")
    max_attempts = _config("PHONE_CODE_MAX_ATTEMPTS")
    if verification.attempts >= max_attempts:
        raise PhoneError("too_many_attempts")
    code = "".join((code or "").split())
    if not hmac.compare_digest(_code_hash(verification.phone_hash, code), verification.code_hash):
        verification.attempts += 1
        db.session.flush()
        raise PhoneError("too_many_attempts" if verification.attempts >= max_attempts else "wrong_code")

    verification.confirmed_at = now
    owner = db.session.scalar(
        select(Respondent).where(Respondent.phone_hash == verification.phone_hash, Respondent.id != respondent.id)
    )
    verified = owner or respondent
    verified.phone_hash = verification.phone_hash
    verified.phone_verified_at = now
    db.session.flush()
    # One by one, not a bulk UPDATE: each change is announced so that the aggregates follow.
    for rating in db.session.scalars(select(Rating).where(
            Rating.respondent_id == verified.id, Rating.period == current_period(), Rating.verified.is_(False))):
        before = state_of(rating)
        rating.verified = True
        db.session.flush()
        changed(before, rating)
    return verified
