"""Growing delays after failed sign-ins, by account, by address and by the two together.

A failure (wrong password, unknown e-mail, wrong second-factor code) counts for three keys; past a
few free failures each key makes the next attempt wait 1, 2, 4, 8 … seconds, up to its cap. The
pair (this account from this address) waits longest; the account alone waits at most a minute, so
that someone elsewhere cannot keep its owner out; the address alone catches one address trying
many accounts. Keys are keyed hashes of the normalised e-mail (existing or not, so that the answer
never tells which e-mails exist) and of the client address. Failures older than a day are forgotten.
"""
import datetime as dt
import hashlib
import hmac

from flask import current_app, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..db import as_utc, db, utcnow
from .models import SignInThrottle

# kind -> (free failures, longest wait in seconds)
RULES = {"pair": (3, 15 * 60), "account": (10, 60), "address": (20, 15 * 60)}
FORGET_AFTER = dt.timedelta(days=1)


def _hash(value: str) -> str:
    key = current_app.config["PERSONAL_DATA_KEY"].encode()
    return hmac.new(key, f"sign-in:{value}".encode(), hashlib.sha256).hexdigest()


def _keys(email: str) -> dict[str, str]:
    account, address = _hash((email or "").strip().lower()), _hash(request.remote_addr or "")
    return {"pair": "p:" + _hash(account + address)[:64], "account": "a:" + account, "address": "i:" + address}


def delay(failures: int, kind: str) -> int:
    free, cap = RULES[kind]
    return 0 if failures < free else min(cap, 2 ** (failures - free))


def wait_seconds(email: str) -> int:
    """How long this attempt must still wait (0: go ahead)."""
    now = utcnow()
    rows = db.session.scalars(select(SignInThrottle).where(SignInThrottle.key.in_(_keys(email).values())))
    waits = [(as_utc(row.not_before) - now).total_seconds() for row in rows if row.not_before is not None]
    return max([0, *[int(w) + 1 for w in waits if w > 0]])


def record_failure(email: str) -> None:
    now = utcnow()
    for kind, key in _keys(email).items():
        row = db.session.get(SignInThrottle, key)
        if row is None:
            try:
                with db.session.begin_nested():
                    row = SignInThrottle(key=key, failures=0, last_failure_at=now)
                    db.session.add(row)
            except IntegrityError:  # another worker counted the first failure at the same moment
                row = db.session.get(SignInThrottle, key)
        if now - as_utc(row.last_failure_at) > FORGET_AFTER:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        row.not_before = now + dt.timedelta(seconds=delay(row.failures, kind))
    db.session.flush()


def record_success(email: str) -> None:
    keys = _keys(email)
    db.session.execute(delete(SignInThrottle).where(SignInThrottle.key.in_([keys["pair"], keys["account"]])))
