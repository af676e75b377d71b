"""Accounts, the write side: passwords, signing in with throttling, the second factor, users.

Passwords are hashed with argon2 and never stored, logged or audited in clear. Services add and
flush; the view or command commits (also after a failed sign-in, so that the failure counts).
"""
import datetime as dt
import functools
import hmac
import time
from pathlib import Path

import pyotp
import segno
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select, update

from ..audit.services import record
from ..catalog.models import Agency
from ..db import as_utc, db, utcnow
from ..territory.models import Municipality, Region
from . import throttle
from .models import ROLES, User, UserMunicipality, UserSession

COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "accounts" / "common_passwords.txt"
TOTP_ISSUER = "Local Voice"


class AccountError(Exception):
    """A domain error naming the form field it belongs to; ``message`` is a lazy translated string."""

    def __init__(self, field: str, message):
        super().__init__(english(message))
        self.field = field
        self.message = message


class LoginFailed(AccountError):
    """Wrong email or password, or the account cannot sign in; the message never says which."""


class LoginLocked(AccountError):
    """Too many failed attempts: wait a little (``throttle``); the account itself is never locked."""


def english(message) -> str:
    """The English text of a lazy message, for the command line (no request, so no page language)."""
    args = getattr(message, "_args", None)
    if not args:
        return str(message)
    kwargs = getattr(message, "_kwargs", None) or {}
    return args[0] % kwargs if kwargs else args[0]


# Passwords -----------------------------------------------------------------------------------

def hasher() -> PasswordHasher:
    """argon2id with the costs from the configuration (tests lower them to stay fast)."""
    config = current_app.config
    return PasswordHasher(time_cost=int(config.get("ARGON2_TIME_COST", 3)),
                          memory_cost=int(config.get("ARGON2_MEMORY_COST", 65536)),
                          parallelism=int(config.get("ARGON2_PARALLELISM", 4)))


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(user: User, password: str) -> bool:
    ph = hasher()
    try:
        ph.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if ph.check_needs_rehash(user.password_hash):
        user.password_hash = ph.hash(password)
    return True


@functools.lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    with open(COMMON_PASSWORDS_FILE, encoding="utf-8") as fh:
        return frozenset(line.strip().casefold() for line in fh if line.strip() and not line.startswith("#"))


def min_password_length() -> int:
    return int(current_app.config.get("ACCOUNTS_PASSWORD_MIN_LENGTH", 12))


def check_password_policy(password: str, *, email: str = "") -> None:
    """Raise AccountError("password") unless the password is long enough and not a common one."""
    n = min_password_length()
    if len(password or "") < n:
        raise AccountError("password", _l("Use at least %(n)s characters.", n=n))
    folded = password.strip().casefold()
    local = (email or "").split("@", 1)[0].casefold()
    if folded in common_passwords() or (local and folded in (local, (email or "").casefold())):
        raise AccountError("password", _l("This password is too common and easy to guess. Choose another one."))


# Signing in ----------------------------------------------------------------------------------

def find_user(email: str) -> User | None:
    email = normalise_email(email)
    if not email:
        return None
    return db.session.scalar(select(User).where(func.lower(User.email) == email))


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()



def is_locked(user: User) -> bool:
    return user.locked_until is not None and as_utc(user.locked_until) > utcnow()


def _failed_attempt(user: User | None, email: str) -> None:
    """Count a wrong password or code (or an unknown e-mail): the next attempts wait longer."""
    if user is not None:
        user.failed_logins = (user.failed_logins or 0) + 1
    throttle.record_failure(email)


def _throttle(email: str, field: str = "password") -> None:
    wait = throttle.wait_seconds(email)
    if wait:
        raise LoginLocked(field, ngettext("Too many failed attempts. Wait %(num)s second and try again.",
                                          "Too many failed attempts. Wait %(num)s seconds and try again.", wait))


def authenticate(email: str, password: str) -> User:
    """The user with this email and password, or LoginFailed / LoginLocked. The caller commits either way."""
    _throttle(email)
    user = find_user(email)
    if user is None:
        # Spend the time of a real check, so that response times do not reveal which emails exist.
        try:
            hasher().verify(_dummy_hash(), password or "")
        except VerificationError:
            pass
        _failed_attempt(None, email)
        raise LoginFailed("password", _l("Wrong email or password."))
    if not verify_password(user, password or "") or not user.active:
        _failed_attempt(user, email)
        raise LoginFailed("password", _l("Wrong email or password."))
    user.failed_logins = 0
    user.locked_until = None
    throttle.record_success(email)
    db.session.flush()
    return user


@functools.lru_cache(maxsize=4)
def _dummy_hash_for(time_cost: int, memory_cost: int, parallelism: int) -> str:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism).hash("-")


def _dummy_hash() -> str:
    ph = hasher()
    return _dummy_hash_for(ph.time_cost, ph.memory_cost, ph.parallelism)


# The second factor (TOTP) ---------------------------------------------------------------------

def start_totp_enrolment(user: User) -> str:
    """A new secret, kept on the user but not in force until a code from it is confirmed."""
    if user.totp_enabled:
        raise AccountError("code", _l("The authenticator app is already set up."))
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
        db.session.flush()
    return user.totp_secret


def provisioning_uri(user: User) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=TOTP_ISSUER)


def qr_svg(uri: str) -> str:
    """The enrolment QR code as inline SVG markup (no image request, no script)."""
    return segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff", border=2)


def code_is_valid(user: User, code: str) -> bool:
    if not user.totp_secret:
        return False
    code = "".join((code or "").split())
    if not (code.isdigit() and len(code) == 6):
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now = time.time()
    # One step of clock drift either way; a step at or before the last accepted one is a replay.
    for drift in (0, -1, 1):
        step = totp.timecode(dt.datetime.fromtimestamp(now + drift * totp.interval, tz=dt.UTC))
        if hmac.compare_digest(totp.generate_otp(step), code):
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False
            user.totp_last_step = step
            return True
    return False


def confirm_totp_enrolment(user: User, code: str) -> None:
    if not code_is_valid(user, code):
        raise AccountError("code", _l("The code is wrong. Check the time on your phone and try again."))
    user.totp_enabled = True
    record("user.totp_enabled", "user", user.id, actor_id=user.id, before={"totp_enabled": False},
           after={"totp_enabled": True})
    db.session.flush()


def check_second_factor(user: User, code: str) -> None:
    """The sign-in's second step: wrong codes make the next attempts wait, as wrong passwords do."""
    _throttle(user.email, "code")
    if not code_is_valid(user, code):
        _failed_attempt(user, user.email)
        raise AccountError("code", _l("The code is wrong. Check the time on your phone and try again."))
    user.failed_logins = 0
    db.session.flush()


def disable_totp(user: User, code: str) -> None:
    if user.needs_second_factor:
        raise AccountError("code", _l("Your role requires a second factor; it cannot be turned off."))
    if not code_is_valid(user, code):
        raise AccountError("code", _l("The code is wrong. Check the time on your phone and try again."))
    user.totp_enabled = False
    user.totp_secret = None
    record("user.totp_disabled", "user", user.id, actor_id=user.id, before={"totp_enabled": True},
           after={"totp_enabled": False})
    db.session.flush()


def reset_totp(user: User, *, actor_id: int | None) -> None:
    """An administrator's action (a lost phone): the user enrols again at the next sign-in."""
    before = {"totp_enabled": user.totp_enabled}
    user.totp_enabled = False
    user.totp_secret = None
    end_sessions(user)
    record("user.totp_reset", "user", user.id, actor_id=actor_id, before=before, after={"totp_enabled": False})
    db.session.flush()


# Password change and sessions ------------------------------------------------------------------

def end_sessions(user: User, *, except_session: UserSession | None = None) -> int:
    stmt = update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if except_session is not None:
        stmt = stmt.where(UserSession.id != except_session.id)
    result = db.session.execute(stmt.values(ended_at=utcnow()).execution_options(synchronize_session="fetch"))
    return result.rowcount or 0


def change_password(user: User, current: str, new: str, *, keep: UserSession | None) -> int:
    """Change the password after checking the current one; every other session ends. Returns how many."""
    if not verify_password(user, current or ""):
        raise AccountError("current_password", _l("The current password is wrong."))
    check_password_policy(new, email=user.email)
    if hmac.compare_digest(current.encode(), new.encode()):
        raise AccountError("password", _l("The new password must differ from the current one."))
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    ended = end_sessions(user, except_session=keep)
    record("user.password_changed", "user", user.id, actor_id=user.id, after={"sessions_ended": ended})
    db.session.flush()
    return ended


# Users and their scope -------------------------------------------------------------------------

def user_snapshot(user: User) -> dict:
    """What the audit log keeps about a user: never the password hash or the TOTP secret."""
    return {
        "email": user.email, "name": user.name, "role": user.role, "active": user.active,
        "municipality_code": user.municipality_code, "agency_code": user.agency_code,
        "region_code": user.region_code,
        "municipalities": sorted(link.municipality_code for link in user.municipalities),
    }


def validate_scope(role: str, *, municipalities: list[str], agency: str | None, region: str | None) -> None:
    """Each role has its own scope (accounts/models.py); anything else is refused, naming the field."""
    if role not in ROLES:
        raise AccountError("role", _l("Unknown role."))
    municipalities = [m for m in municipalities if m]
    for code in municipalities:
        if db.session.get(Municipality, code) is None:
            raise AccountError("municipality", _l("There is no municipality with this code."))
    if agency and db.session.get(Agency, agency) is None:
        raise AccountError("agency", _l("There is no agency with this code."))
    if region and db.session.get(Region, region) is None:
        raise AccountError("region", _l("There is no region with this code."))
    if role in ("admin", "analyst") and (municipalities or agency or region):
        raise AccountError("role", _l("This role works nationwide and has no scope."))
    if role == "lsg_staff":
        if len(municipalities) != 1:
            raise AccountError("municipality", _l("LSG staff need exactly one municipality."))
        if agency or region:
            raise AccountError("role", _l("LSG staff are scoped to their municipality only."))
    if role == "state_evaluator":
        if not agency:
            raise AccountError("agency", _l("A state evaluator needs an agency."))
        if municipalities:
            raise AccountError("municipality", _l("A state evaluator is scoped to an agency and optionally a region."))
    if role == "moderator" and (municipalities or agency):
        raise AccountError("role", _l("A moderator works nationwide or for one region."))
    if role == "monitor":
        if agency:
            raise AccountError("agency", _l("A monitor has no agency."))
        if bool(region) == bool(municipalities):
            raise AccountError("municipality", _l("A monitor needs either a region or one or more municipalities."))


def _apply_scope(user: User, role: str, municipalities: list[str], agency: str | None, region: str | None) -> None:
    municipalities = [m for m in municipalities if m]
    user.role = role
    user.agency_code = agency or None
    user.region_code = region or None
    user.municipality_code = municipalities[0] if role == "lsg_staff" else None
    wanted = set(municipalities) if role == "monitor" else set()
    user.municipalities = [link for link in user.municipalities if link.municipality_code in wanted]
    have = {link.municipality_code for link in user.municipalities}
    for code in sorted(wanted - have):
        user.municipalities.append(UserMunicipality(municipality_code=code))


def create_user(email: str, role: str, password: str, *, name: str = "", municipalities: list[str] = (),
                agency: str | None = None, region: str | None = None, actor_id: int | None) -> User:
    email = normalise_email(email)
    if "@" not in email or len(email) > 254 or email.startswith("@") or email.endswith("@"):
        raise AccountError("email", _l("Invalid email address."))
    if find_user(email) is not None:
        raise AccountError("email", _l("A user with this email already exists."))
    municipalities = list(municipalities)
    validate_scope(role, municipalities=municipalities, agency=agency, region=region)
    check_password_policy(password, email=email)
    user = User(email=email, name=(name or "").strip(), role=role, password_hash=hash_password(password))
    _apply_scope(user, role, municipalities, agency, region)
    db.session.add(user)
    db.session.flush()
    record("user.create", "user", user.id, actor_id=actor_id, after=user_snapshot(user))
    return user


def update_user(user: User, *, role: str, name: str, municipalities: list[str], agency: str | None,
                region: str | None, actor_id: int | None) -> bool:
    """Change a user's role and scope. A changed role or scope ends the user's sessions."""
    municipalities = list(municipalities)
    validate_scope(role, municipalities=municipalities, agency=agency, region=region)
    before = user_snapshot(user)
    user.name = (name or "").strip()
    _apply_scope(user, role, municipalities, agency, region)
    db.session.flush()
    after = user_snapshot(user)
    if after == before:
        return False
    if {k: v for k, v in after.items() if k != "name"} != {k: v for k, v in before.items() if k != "name"}:
        # The new role may need a second factor, and the old scope must not linger in open sessions.
        end_sessions(user)
    record("user.update", "user", user.id, actor_id=actor_id, before=before, after=after)
    return True


def set_active(user: User, active: bool, *, actor_id: int | None) -> None:
    if user.active == active:
        return
    before = {"active": user.active}
    user.active = active
    if not active:
        end_sessions(user)
    else:
        user.failed_logins = 0
        user.locked_until = None
    record("user.enable" if active else "user.disable", "user", user.id, actor_id=actor_id, before=before,
           after={"active": active})
    db.session.flush()


def end_all_sessions_of(user: User, *, actor_id: int | None) -> int:
    ended = end_sessions(user)
    record("user.end_sessions", "user", user.id, actor_id=actor_id, after={"sessions_ended": ended})
    return ended


def open_session_count(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None))) or 0
