"""Writing and verifying the keyed, hash-chained audit log.

hash = HMAC-SHA256, keyed with ``AUDIT_KEY`` (from the environment, never stored in the database),
over the previous hash and a canonical JSON of the entry (time, actor, action, entity, id, before,
after). Without the key nobody can re-hash an altered chain. Writers are serialised, so that every
entry follows the one committed before it: on PostgreSQL by a transaction-scoped advisory lock
(``FOR UPDATE`` on the newest row does not serialise writers under READ COMMITTED: two transactions
can both find the same newest row); on SQLite by ``BEGIN IMMEDIATE`` (feedback/db.py).

The head is anchored outside the table: ``write_checkpoint`` appends the count and the head hash,
signed with the same key, to a file (``AUDIT_CHECKPOINT_FILE``, copied off the server by the
operator); ``verify`` checks that every checkpoint still matches, so truncating the newest entries,
or re-hashing from an edited row on with the application's own function and key, is detected.
"""
import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from ..db import as_utc, db, utcnow
from .models import AuditEntry

GENESIS = "0" * 64
# Any fixed 64-bit number: the key of the advisory lock that serialises audit writers.
ADVISORY_LOCK_ID = 0x61756469745F6C67


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def audit_key() -> bytes:
    return current_app.config["AUDIT_KEY"].encode()


def entry_hash(prev_hash: str, at: dt.datetime, actor_id, action: str, entity: str, entity_id: str,
               before: str, after: str) -> str:
    # Microsecond-free UTC time: both databases give it back exactly.
    stamp = as_utc(at).astimezone(dt.UTC).replace(microsecond=0).isoformat()
    payload = _canonical([prev_hash, stamp, actor_id, action, entity, entity_id, before, after])
    return hmac.new(audit_key(), payload.encode(), hashlib.sha256).hexdigest()


def _serialise_writers() -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(ADVISORY_LOCK_ID)))


def record(action: str, entity: str, entity_id, *, actor_id: int | None, before: dict | None = None,
           after: dict | None = None) -> AuditEntry:
    """Append one entry (who, what, old and new values). Adds and flushes; the caller commits."""
    _serialise_writers()
    last = db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
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
        if entry.prev_hash != prev_hash or not hmac.compare_digest(entry.hash, expected):
            return checked, entry
        prev_hash, checked = entry.hash, checked + 1
    return checked, None


# Checkpoints: the head of the chain, outside the database --------------------------------------

def checkpoint_file() -> Path:
    configured = current_app.config.get("AUDIT_CHECKPOINT_FILE")
    return Path(configured) if configured else Path(current_app.instance_path) / "audit-checkpoints.jsonl"


def _sign(count: int, head: str, at: str) -> str:
    return hmac.new(audit_key(), _canonical(["checkpoint", count, head, at]).encode(), hashlib.sha256).hexdigest()


def write_checkpoint(path: Path | None = None) -> dict:
    """Append {count, head, at, signature} for the chain as it is now (only committed entries)."""
    count = db.session.scalar(select(func.count()).select_from(AuditEntry))
    head = db.session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)) or GENESIS
    at = utcnow().replace(microsecond=0).isoformat()
    line = {"count": count, "head": head, "at": at, "signature": _sign(count, head, at)}
    path = path or checkpoint_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(line, sort_keys=True) + "\n")
    return line


def read_checkpoints(path: Path | None = None) -> list[dict]:
    path = path or checkpoint_file()
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@dataclass
class Verification:
    checked: int = 0
    broken: AuditEntry | None = None
    checkpoints: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.broken is None and not self.problems


def verify(path: Path | None = None) -> Verification:
    """The chain recomputed with the key, and every checkpoint matched against it."""
    result = Verification()
    result.checked, result.broken = verify_chain()
    heads = [row for row in db.session.execute(select(AuditEntry.hash).order_by(AuditEntry.id)).scalars()]
    for number, point in enumerate(read_checkpoints(path), start=1):
        result.checkpoints += 1
        try:
            count, head, at, signature = int(point["count"]), str(point["head"]), str(point["at"]), str(point["signature"])
        except (KeyError, TypeError, ValueError):
            result.problems.append(f"checkpoint {number} is malformed")
            continue
        if not hmac.compare_digest(signature, _sign(count, head, at)):
            result.problems.append(f"checkpoint {number} ({at}) has a bad signature")
        elif count > len(heads):
            result.problems.append(f"checkpoint {number} ({at}) counted {count} entries; only {len(heads)} remain")
        elif (heads[count - 1] if count else GENESIS) != head:
            result.problems.append(f"checkpoint {number} ({at}): entry {count} no longer has the hash it had")
    return result
