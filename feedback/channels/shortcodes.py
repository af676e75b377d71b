"""Short codes typed in an SMS: ``AB12`` for a municipality, ``C`` for a subject.

Only letters that look the same in the Latin and Cyrillic alphabets are used (A B C E H K M P T X),
so a code typed on a Cyrillic keyboard reads the same. A municipality's code is derived from its
SOATE code (a hash, the first free one in a fixed sequence) and stored once: reloading the registry
or the catalog never changes a code printed on a poster. Adds and flushes; the caller commits.
"""
import hashlib

from sqlalchemy import select

from ..catalog import queries as catalog_queries
from ..catalog.models import Subject
from ..db import db
from ..territory.models import Municipality
from .models import ShortCode

LETTERS = "ABCEHKMPTX"
DIGITS = "0123456789"
MUNICIPALITY_CODES = len(LETTERS) ** 2 * len(DIGITS) ** 2
# Subjects: one letter, then two letters, in catalog order.
SUBJECT_CODES = list(LETTERS) + [a + b for a in LETTERS for b in LETTERS]


def _municipality_code(index: int) -> str:
    letters, digits = divmod(index, len(DIGITS) ** 2)
    return LETTERS[letters // len(LETTERS)] + LETTERS[letters % len(LETTERS)] + f"{digits:02d}"


def _municipality_candidates(soate: str):
    start = int.from_bytes(hashlib.sha256(soate.encode()).digest()[:8], "big")
    for step in range(MUNICIPALITY_CODES):
        # 7919 is prime and so coprime with the number of codes: the sequence visits every code.
        yield _municipality_code((start + step * 7919) % MUNICIPALITY_CODES)


def _stored(kind: str, target: str) -> str | None:
    return db.session.scalar(select(ShortCode.code).where(ShortCode.kind == kind, ShortCode.target == target))


def _claim(kind: str, target: str, candidates) -> str:
    taken = set(db.session.scalars(select(ShortCode.code)))
    for code in candidates:
        if code not in taken:
            db.session.add(ShortCode(code=code, kind=kind, target=target))
            db.session.flush()
            return code
    raise RuntimeError(f"no free short code for {kind} {target}")


def municipality_code(municipality: Municipality) -> str:
    return _stored("municipality", municipality.code) or _claim(
        "municipality", municipality.code, _municipality_candidates(municipality.code))


def subject_code(subject: Subject) -> str:
    return _stored("subject", subject.code) or _claim("subject", subject.code, SUBJECT_CODES)


def subject_codes(municipality: Municipality) -> list[tuple[Subject, str]]:
    """The subjects residents of this municipality rate, with their codes (created when missing)."""
    return [(subject, subject_code(subject)) for subject in catalog_queries.citizen_subjects(municipality.kind)]


def ensure_all() -> int:
    """Give every current municipality and every citizen subject its code; the number created."""
    stored = set(db.session.execute(select(ShortCode.kind, ShortCode.target)).tuples())
    taken = set(db.session.scalars(select(ShortCode.code)))
    wanted = [("subject", subject.code, SUBJECT_CODES) for subject in db.session.scalars(
        select(Subject).where(Subject.kind != "delegated_power").order_by(Subject.kind, Subject.position, Subject.code))]
    wanted += [("municipality", m.code, _municipality_candidates(m.code)) for m in db.session.scalars(
        select(Municipality).order_by(Municipality.code)) if m.is_current]
    created = 0
    for kind, target, candidates in wanted:
        if (kind, target) in stored:
            continue
        code = next(code for code in candidates if code not in taken)
        db.session.add(ShortCode(code=code, kind=kind, target=target))
        taken.add(code)
        created += 1
    db.session.flush()
    return created


def lookup(kind: str, code: str) -> str | None:
    """The SOATE or catalog code behind a short code, or None."""
    return db.session.scalar(select(ShortCode.target).where(ShortCode.kind == kind, ShortCode.code == code))
