"""The write side of budget transparency: the monitor's checklist (draft, evidence, submit, finalise),
the LSG's right of reply, the peer review; and residents' budget priorities. Adds and flushes; the
view commits.

Who may do what:
- fill and finalise: a monitor whose scope (municipalities or a region) covers the municipality;
  once submitted, only the monitor who opened the assessment changes or finalises it;
- reply: that municipality's staff, per item, from submission until ``reply_due``
  (``TRANSPARENCY_REPLY_DAYS`` days, default 14) and never after the assessment is final;
- review: another monitor in scope — never the author — once the assessment is submitted;
- finalise: the author, after the peer review, and after the LSG replied or its reply time ended.
  So a reviewer can never finalise their own review.
Nothing changes in a closed period; everything is written to the hash-chained audit log.
"""
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..accounts.policy import can_see_municipality
from ..audit.services import record
from ..catalog import periods
from ..catalog.models import MUNICIPALITY_KIND_APPLIES, Subject, TransparencyItem
from ..db import as_utc, db, utcnow
from ..evaluation.services import EvaluationError, check_file
from ..ratings import abuse
from ..ratings.abuse import Signals
from ..ratings.models import Respondent
from ..territory.models import Municipality
from . import scoring
from .models import (
    BudgetPriority,
    TransparencyAnswer,
    TransparencyAssessment,
    TransparencyEvidence,
    TransparencyReply,
)

NOTE_MAX_LENGTH = 2000
URL_MAX_LENGTH = 500
REPLY_DAYS = 14
MAX_PRIORITIES = 3
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class TransparencyError(Exception):
    """A change that cannot be made, naming the field at fault (``""`` for the whole form)."""

    def __init__(self, field: str, code: str, message):
        self.field, self.code, self.message = field, code, message
        super().__init__(f"{field}: {code}")


class OutOfScope(TransparencyError):
    def __init__(self):
        super().__init__("", "out_of_scope", _l("This page does not exist."))


class Invalid(TransparencyError):
    def __init__(self, errors: dict):
        self.errors = errors
        field_name, message = next(iter(errors.items()))
        super().__init__(field_name, "invalid", message)


# --- access ----------------------------------------------------------------------------------------

def can_assess(user: User, municipality: Municipality) -> bool:
    return user.is_authenticated and user.role == "monitor" and can_see_municipality(user, municipality)


def can_reply(user: User, assessment: TransparencyAssessment) -> bool:
    return (user.is_authenticated and user.role == "lsg_staff"
            and user.municipality_code == assessment.municipality_code and assessment.status != "draft")


def can_review(user: User, assessment: TransparencyAssessment) -> bool:
    municipality = db.session.get(Municipality, assessment.municipality_code)
    return (can_assess(user, municipality) and user.id != assessment.monitor_id
            and assessment.status in ("submitted", "reviewed")
            and assessment.reviewer_id in (None, user.id))


def reply_open(assessment: TransparencyAssessment, now: dt.datetime | None = None) -> bool:
    if assessment.status in ("draft", "final") or assessment.reply_due is None:
        return False
    return (now or utcnow()) <= as_utc(assessment.reply_due)


# --- helpers ---------------------------------------------------------------------------------------

def items() -> list[TransparencyItem]:
    return list(db.session.scalars(select(TransparencyItem).order_by(TransparencyItem.area, TransparencyItem.position,
                                                                     TransparencyItem.code)))


def scoring_items(catalog_items: list[TransparencyItem]) -> list[scoring.Item]:
    return [scoring.Item(i.code, i.area, i.weight, scoring.allows_na(i.answer_scale)) for i in catalog_items]


def _clean(value, field_name: str, errors: dict, limit: int = NOTE_MAX_LENGTH) -> str:
    text = CONTROL_CHARACTERS.sub("", str(value or "")).strip()
    if len(text) > limit:
        errors[field_name] = _l("Write at most %(max)s characters.", max=limit)
    return text


def _ensure_open(year: int) -> None:
    try:
        periods.ensure_open(year)
    except periods.PeriodClosed as closed:
        raise TransparencyError("", "period_closed", closed.message) from None


def _snapshot(assessment: TransparencyAssessment) -> dict:
    return {"status": assessment.status,
            "answers": {a.item_code: {"answer": a.answer, "note": a.note, "review_agrees": a.review_agrees,
                                      "review_answer": a.review_answer, "review_note": a.review_note}
                        for a in assessment.answers}}


def _audit(action: str, assessment: TransparencyAssessment, actor: User, before: dict, after: dict) -> None:
    keys = [key for key in after if before.get(key) != after.get(key)]
    if keys:
        record(action, "transparency_assessment", assessment.id, actor_id=actor.id,
               before={k: before.get(k) for k in keys}, after={k: after[k] for k in keys})


def find(municipality_code: str, period: int) -> TransparencyAssessment | None:
    return db.session.scalar(select(TransparencyAssessment).where(
        TransparencyAssessment.municipality_code == municipality_code, TransparencyAssessment.period == period))


def _ensure_author(user: User, assessment: TransparencyAssessment) -> None:
    municipality = db.session.get(Municipality, assessment.municipality_code)
    if not can_assess(user, municipality) or user.id != assessment.monitor_id:
        raise OutOfScope()


# --- the monitor's checklist -----------------------------------------------------------------------

@dataclass
class AnswersInput:
    """item code → "yes"/"partial"/"no"/"na" or "" (not answered yet); item code → note."""

    answers: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)


def open_draft(user: User, municipality: Municipality, period: int) -> TransparencyAssessment:
    if not can_assess(user, municipality) or not municipality.is_current:
        raise OutOfScope()
    _ensure_open(period)
    assessment = find(municipality.code, period)
    if assessment is not None:
        return assessment
    assessment = TransparencyAssessment(municipality_code=municipality.code, period=period, monitor_id=user.id,
                                        status="draft", review_note="")
    db.session.add(assessment)
    db.session.flush()
    record("transparency.open", "transparency_assessment", assessment.id, actor_id=user.id,
           after={"municipality": municipality.code, "period": period, "status": "draft"})
    return assessment


def ensure_editable(user: User, assessment: TransparencyAssessment) -> None:
    """The author changes a draft, and may revise a submitted assessment in the light of the LSG's
    replies until the peer review; after the review only finalising is left."""
    _ensure_author(user, assessment)
    _ensure_open(assessment.period)
    if assessment.status not in ("draft", "submitted"):
        raise TransparencyError("", "not_draft", _l("After the peer review the assessment can only be made final."))


def save_answers(user: User, assessment: TransparencyAssessment, data: AnswersInput) -> TransparencyAssessment:
    ensure_editable(user, assessment)
    catalog = items()
    errors: dict = {}
    parsed = {}
    for item in catalog:
        raw = str(data.answers.get(item.code) or "").strip()
        allowed = scoring.allowed_answers(scoring_items([item])[0])
        if raw and raw not in allowed:
            errors[f"item-{item.code}"] = (_l("Choose yes, partly, no or not applicable.")
                                          if scoring.NOT_APPLICABLE in allowed else _l("Choose yes, partly or no."))
        parsed[item.code] = (raw or None, _clean(data.notes.get(item.code), f"note-{item.code}", errors))
        if assessment.status == "submitted" and raw == "" and f"item-{item.code}" not in errors:
            errors[f"item-{item.code}"] = _l("Answer this item.")  # a revision keeps every item answered
    if errors:
        raise Invalid(errors)
    before = _snapshot(assessment)
    existing = {a.item_code: a for a in assessment.answers}
    for code, (answer, note) in parsed.items():
        row = existing.get(code)
        if answer is None and not note:
            if row is not None:
                assessment.answers.remove(row)
            continue
        if row is None:
            row = TransparencyAnswer(item_code=code, note="", review_note="")
            assessment.answers.append(row)
        row.answer, row.note = answer, note
    db.session.flush()
    after = _snapshot(assessment)
    if before != after:
        assessment.updated_at = utcnow()
        _audit("transparency.revise" if assessment.status == "submitted" else "transparency.save", assessment, user,
               before, after)
    return assessment


def submit(user: User, assessment: TransparencyAssessment) -> TransparencyAssessment:
    ensure_editable(user, assessment)
    if assessment.status != "draft":
        raise TransparencyError("", "not_draft", _l("Only a draft can be submitted."))
    catalog = items()
    answers = {a.item_code: a.answer for a in assessment.answers}
    result = scoring.score(scoring_items(catalog), answers)
    if result.missing:
        raise Invalid({"": _l("Answer every item before submitting."),
                       **{f"item-{code}": _l("Answer this item.") for code in result.missing}})
    before = _snapshot(assessment)
    now = utcnow()
    days = int(current_app.config.get("TRANSPARENCY_REPLY_DAYS", REPLY_DAYS))
    assessment.status, assessment.submitted_at, assessment.updated_at = "submitted", now, now
    assessment.reply_due = now + dt.timedelta(days=days)
    _audit("transparency.submit", assessment, user, before, {**_snapshot(assessment), "reply_due": str(assessment.reply_due)})
    return assessment


def finalise(user: User, assessment: TransparencyAssessment) -> TransparencyAssessment:
    _ensure_author(user, assessment)
    _ensure_open(assessment.period)
    if assessment.status != "reviewed":
        raise TransparencyError("", "not_reviewed", _l("A second monitor must review the assessment before it is final."))
    if reply_open(assessment) and not assessment.replies:
        raise TransparencyError("", "reply_time", _l("The LSG may still reply until %(date)s.",
                                                      date=as_utc(assessment.reply_due).date().isoformat()))
    before = _snapshot(assessment)
    assessment.status = "final"
    assessment.finalised_at = assessment.updated_at = utcnow()
    _audit("transparency.finalise", assessment, user, before, _snapshot(assessment))
    return assessment


# --- evidence --------------------------------------------------------------------------------------

def check_url(url: str, field_name: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if (parts.scheme not in ("http", "https") or not parts.hostname or len(url) > URL_MAX_LENGTH
            or re.search(r"\s", url) or CONTROL_CHARACTERS.search(url)):
        raise TransparencyError(field_name, "bad_url", _l("Give a web address that starts with http:// or https://."))
    return url


def _item(code: str) -> TransparencyItem:
    item = db.session.get(TransparencyItem, code) if isinstance(code, str) else None
    if item is None:
        raise TransparencyError("item", "unknown_item", _l("There is no such item."))
    return item


def add_evidence(user: User, assessment: TransparencyAssessment, item_code: str, *, party: str = "monitor",
                 url: str | None = None, filename: str | None = None, data: bytes | None = None,
                 field_name: str = "") -> TransparencyEvidence:
    """A link or an uploaded file (the state evaluation's checks: PDF, JPEG, PNG, DOCX, XLSX, size)."""
    if party == "monitor":
        ensure_editable(user, assessment)
    elif not can_reply(user, assessment) or not reply_open(assessment):
        raise OutOfScope()
    _item(item_code)
    if url is not None:
        evidence = TransparencyEvidence(url=check_url(url, field_name or f"url-{item_code}"))
    else:
        try:
            name, content_type = check_file(filename or "", data or b"")
        except EvaluationError as error:
            raise TransparencyError(field_name or f"file-{item_code}", error.code, error.message) from None
        evidence = TransparencyEvidence(filename=name, content_type=content_type, size=len(data), data=data,
                                        sha256=hashlib.sha256(data).hexdigest())
    evidence.assessment_id, evidence.item_code, evidence.party, evidence.author_id = (
        assessment.id, item_code, party, user.id)
    db.session.add(evidence)
    db.session.flush()
    record("transparency.evidence", "transparency_assessment", assessment.id, actor_id=user.id, after={
        "evidence": evidence.id, "item": item_code, "party": party, "url": evidence.url,
        "filename": evidence.filename, "sha256": evidence.sha256})
    return evidence


def remove_evidence(user: User, assessment: TransparencyAssessment, evidence_id: int) -> None:
    ensure_editable(user, assessment)
    evidence = db.session.get(TransparencyEvidence, evidence_id)
    if evidence is None or evidence.assessment_id != assessment.id or evidence.party != "monitor":
        raise TransparencyError("", "unknown", _l("This document is not attached to the assessment."))
    before = {"evidence": evidence.id, "item": evidence.item_code, "url": evidence.url, "sha256": evidence.sha256}
    assessment.evidence.remove(evidence)
    db.session.flush()
    record("transparency.evidence_remove", "transparency_assessment", assessment.id, actor_id=user.id, before=before)


# --- the LSG's right of reply ----------------------------------------------------------------------

def reply(user: User, assessment: TransparencyAssessment, item_code: str, body: str) -> TransparencyReply:
    if not can_reply(user, assessment):
        raise OutOfScope()
    _ensure_open(assessment.period)
    if not reply_open(assessment):
        raise TransparencyError("", "reply_closed", _l("The time to reply has ended."))
    _item(item_code)
    errors: dict = {}
    text = _clean(body, f"reply-{item_code}", errors)
    if not text and not errors:
        errors[f"reply-{item_code}"] = _l("Write your answer.")
    if errors:
        raise Invalid(errors)
    row = TransparencyReply(assessment_id=assessment.id, item_code=item_code, author_id=user.id, body=text)
    db.session.add(row)
    db.session.flush()
    record("transparency.reply", "transparency_assessment", assessment.id, actor_id=user.id,
           after={"reply": row.id, "item": item_code, "body": text})
    return row


# --- peer review -----------------------------------------------------------------------------------

@dataclass
class ReviewInput:
    """item code → "agree" or one of the answers (the reviewer's own, when they disagree); notes."""

    verdicts: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)
    note: str = ""


def review(user: User, assessment: TransparencyAssessment, data: ReviewInput) -> TransparencyAssessment:
    """Record the peer review of every item: agree, or disagree with the reviewer's own answer.
    The monitor's answers stay as they are (they make the index); disagreements stay visible."""
    if not can_review(user, assessment):
        raise OutOfScope()
    _ensure_open(assessment.period)
    catalog = items()
    by_code = {a.item_code: a for a in assessment.answers}
    errors: dict = {}
    parsed = {}
    for item in catalog:
        raw = str(data.verdicts.get(item.code) or "").strip()
        allowed = scoring.allowed_answers(scoring_items([item])[0])
        note = _clean(data.notes.get(item.code), f"review-note-{item.code}", errors)
        if raw == "agree":
            parsed[item.code] = (True, None, note)
        elif raw in allowed and raw != by_code[item.code].answer:
            parsed[item.code] = (False, raw, note)
        elif raw in allowed:
            parsed[item.code] = (True, None, note)
        else:
            errors[f"review-{item.code}"] = _l("Agree, or give your own answer.")
    general = _clean(data.note, "review_note", errors)
    if errors:
        raise Invalid(errors)
    before = _snapshot(assessment)
    for code, (agrees, answer, note) in parsed.items():
        row = by_code[code]
        row.review_agrees, row.review_answer, row.review_note = agrees, answer, note
    assessment.reviewer_id, assessment.review_note = user.id, general
    assessment.status = "reviewed"
    assessment.reviewed_at = assessment.updated_at = utcnow()
    db.session.flush()
    _audit("transparency.review", assessment, user, before, _snapshot(assessment))
    return assessment


# --- residents' budget priorities ------------------------------------------------------------------

def priority_subjects(municipality: Municipality) -> list[Subject]:
    """The local issues a resident may name for this municipality (those that apply to its kind)."""
    return list(db.session.scalars(select(Subject).where(
        Subject.kind == "local_issue", Subject.retired.is_(False),
        Subject.applies_to.in_(MUNICIPALITY_KIND_APPLIES[municipality.kind])).order_by(Subject.position, Subject.code)))


def priority_rule(signals: Signals, replacing: BudgetPriority | None) -> str | None:
    """The ratings' anti-abuse rules (feedback/ratings/abuse.py) applied to priorities, with the same
    settings and the same helpers; the address burst and the new-respondents burst count priority
    submissions. (No device burst: a device holds one choice per municipality and period, so it
    cannot send a burst into one municipality.)"""
    rule = abuse.form_rule(signals)
    if rule:
        return rule
    if abuse.address_burst(BudgetPriority, signals, replacing):
        return "burst_address"
    if abuse.new_respondents_burst(BudgetPriority, signals):
        return "burst_new_respondents"
    return None


def submit_priorities(municipality: Municipality, codes: list[str], respondent: Respondent, signals: Signals,
                      period: int, source: str = "web") -> tuple[BudgetPriority, bool]:
    """Store the resident's ordered choice (1–3 distinct local issues); a second submission in the
    same period replaces the first. Returns (priority, replaced)."""
    if not municipality.is_current:
        raise TransparencyError("municipality", "unknown_municipality", _l("There is no such local government."))
    allowed = {s.code for s in priority_subjects(municipality)}
    chosen = [c for c in (str(c or "").strip() for c in codes) if c]
    if not chosen:
        raise TransparencyError("first", "required", _l("Choose at least one local issue."))
    if len(chosen) > MAX_PRIORITIES:
        raise TransparencyError("first", "too_many", _l("Choose at most three local issues."))
    if any(c not in allowed for c in chosen):
        raise TransparencyError("first", "unknown_subject", _l("Choose one of the local issues offered."))
    if len(set(chosen)) != len(chosen):
        raise TransparencyError("second", "duplicate", _l("Choose each local issue only once."))
    priority = db.session.scalar(select(BudgetPriority).where(
        BudgetPriority.respondent_id == respondent.id, BudgetPriority.municipality_code == municipality.code,
        BudgetPriority.period == period))
    replaced = priority is not None
    rule = priority_rule(signals, priority)
    if priority is None:
        priority = BudgetPriority(respondent_id=respondent.id, municipality_code=municipality.code, period=period,
                                  replacements=0)
        db.session.add(priority)
    else:
        priority.replacements = (priority.replacements or 0) + 1
    chosen += [None] * (MAX_PRIORITIES - len(chosen))
    priority.first_code, priority.second_code, priority.third_code = chosen
    priority.status = "quarantined" if rule else "accepted"
    priority.quarantine_rule = rule
    priority.address_hash = signals.address_hash
    priority.source = source
    priority.updated_at = utcnow()
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise TransparencyError("", "conflict", _l("This choice was submitted twice at once; try again.")) from None
    return priority, replaced
