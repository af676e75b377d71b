"""Writing and verifying the hash-chained audit log.

hash = SHA-256 over the previous hash and a canonical JSON of the entry (time, actor, action,
entity, id, before, after). Entries are only ever added; ``verify_chain`` recomputes every hash in
order and names the first entry that does not match.
"""
import datetime as dt
import hashlib
import json

from sqlalchemy import select

from ..db import as_utc, db, utcnow
from .models import AuditEntry

GENESIS = "0" * 64


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)



def entry_hash(prev_hash: str, at: dt.datetime, actor_id, action: str, entity: str, entity_id: str,
               before: str, after: str) -> str:
    # Microsecond-free UTC time: both databases give it back exactly.
    stamp = as_utc(at).astimezone(dt.UTC).replace(microsecond=0).isoformat()
    payload = _canonical([prev_hash, stamp, actor_id, action, entity, entity_id, before, after])
    return hashlib.sha256(payload.encode()).hexdigest()


def record(action: str, entity: str, entity_id, *, actor_id: int | None, before: dict | None = None,
           after: dict | None = None) -> AuditEntry:
    """Append one entry (who, what, old and new values). Adds and flushes; the caller commits."""
    last = db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1).with_for_update())
    prev_hash = last.hash if last is not None else GENESIS
    at = utcnow().replace(microsecond=0)
    before_json, after_json = _canonical(before or {}), _canonical(after or {})
    entry = AuditEntry(at=at, actor_id=actor_id, action=action, entity=entity, entity_id=str(entity_id),
                       before=before_json, after=after_json, prev_hash=prev_hash,
                       hash=entry_hash(prev_hash, at, actor_id, action, entity, str(entity_id), before_json, after_json))
    db.session.add(entry)
    db.session.flush()
    return entry


def verify_chain() -> tuple[int, AuditEntry | None]:
    """(entries checked, the first broken entry or None)."""
    prev_hash, checked = GENESIS, 0
    for entry in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)):
        expected = entry_hash(prev_hash, entry.at, entry.actor_id, entry.action, entry.entity, entry.entity_id,
                              entry.before, entry.after)
        if entry.prev_hash != prev_hash or entry.hash != expected:
            return checked, entry
        prev_hash, checked = entry.hash, checked + 1
    return checked, None
