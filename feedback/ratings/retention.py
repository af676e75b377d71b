"""Retention of raw respondent data (README, "Privacy and retention"); ``flask privacy retention``.

- Client-address hashes of a period's ratings are kept while the period is open and RETENTION_DAYS
  (default 365) after it ends (periods are calendar years): long enough for the anti-abuse rules and
  the methodology's distinct-address rule to be checked and challenged. Then they are re-keyed with
  one random key per period that is thrown away at once: within the period two ratings from one
  address still share a value, so every distinct-address count — and so every published score —
  stays exactly as it was, but no rating can be linked to an address, or to any other period, again.
- The text of rejected comments is deleted RETENTION_REJECTED_COMMENT_DAYS (90) after the decision.
- Phone verification records (keyed hashes of number and code) are deleted after 30 days; ended or
  expired staff sessions after 90 days; sign-in throttle counters a day after their last failure.
Counts, scores, statuses and the verified flag of ratings are never touched, so the running
aggregates do not change.
"""
import datetime as dt
import hashlib
import hmac
import secrets

from flask import current_app
from sqlalchemy import delete, distinct, not_, or_, select, update

from ..accounts.models import SignInThrottle, UserSession
from ..db import db, utcnow
from .models import PhoneVerification, Rating
from .services import BISHKEK, current_period

REKEYED = "r"  # re-keyed hashes start with a letter a live (hex) hash never has


def _days(name: str, default: int) -> dt.timedelta:
    return dt.timedelta(days=int(current_app.config.get(name, default)))


def expired_periods(now: dt.datetime) -> list[int]:
    """Periods whose address hashes are due: ended more than RETENTION_DAYS ago."""
    keep = _days("RETENTION_DAYS", 365)
    periods = db.session.scalars(select(distinct(Rating.period)).where(Rating.period < current_period()))
    return sorted(p for p in periods if dt.datetime(p + 1, 1, 1, tzinfo=BISHKEK) + keep <= now)


def apply_retention(now: dt.datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Apply the rule; the counts of what was (or, with dry_run, would be) changed. The caller commits."""
    now = now or utcnow()
    done = {"periods": 0, "address_hashes": 0, "rejected_comments": 0, "phone_verifications": 0,
            "sessions": 0, "throttle_counters": 0}
    live = (Rating.address_hash != "", not_(Rating.address_hash.startswith(REKEYED)))
    for period in expired_periods(now):
        rows = db.session.execute(select(Rating.id, Rating.address_hash).where(Rating.period == period, *live)).all()
        if not rows:
            continue
        done["periods"] += 1
        done["address_hashes"] += len(rows)
        if dry_run:
            continue
        key = secrets.token_bytes(32)  # never stored: the old values cannot be recovered

        def rekey(old: str, key: bytes = key) -> str:
            if not old or old.startswith(REKEYED):
                return old
            return REKEYED + hmac.new(key, old.encode(), hashlib.sha256).hexdigest()[:63]

        for rating_id, old in rows:
            db.session.execute(update(Rating).where(Rating.id == rating_id).values(address_hash=rekey(old)))
        # The scorecards' per-address counts carry the same hashes: re-keyed alike, they stay in step.
        from ..scorecards.aggregates import rekey_addresses

        rekey_addresses(period, rekey)
    rejected = (Rating.comment_status == "rejected", Rating.comment.is_not(None),
                Rating.comment_moderated_at < now - _days("RETENTION_REJECTED_COMMENT_DAYS", 90))
    deletions = [
        ("phone_verifications", delete(PhoneVerification).where(PhoneVerification.created_at < now - dt.timedelta(days=30))),
        ("sessions", delete(UserSession).where(or_(UserSession.ended_at < now - dt.timedelta(days=90),
                                                   UserSession.last_seen_at < now - dt.timedelta(days=90)))),
        ("throttle_counters", delete(SignInThrottle).where(SignInThrottle.last_failure_at < now - dt.timedelta(days=1))),
    ]
    if dry_run:
        from sqlalchemy import func

        done["rejected_comments"] = db.session.scalar(select(func.count()).select_from(Rating).where(*rejected))
        for name, statement in deletions:
            table = statement.table
            done[name] = db.session.scalar(select(func.count()).select_from(table).where(statement.whereclause))
        return done
    done["rejected_comments"] = db.session.execute(
        update(Rating).where(*rejected).values(comment=None).execution_options(synchronize_session=False)).rowcount
    for name, statement in deletions:
        done[name] = db.session.execute(statement.execution_options(synchronize_session=False)).rowcount
    db.session.flush()
    return done
