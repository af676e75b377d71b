"""The write side of state evaluation: open a draft, score, attach evidence, submit, revise, finalise;
the LSG answers or contests. Adds and flushes; the view commits.

Rules: only an evaluator whose agency oversees the power and whose region covers the municipality
may change an evaluation; only the municipality's own staff may answer it, and only once it is
submitted. Nothing changes in a closed period, and a final evaluation is read-only. Every change is
written to the hash-chained audit log with its old and new values.
"""
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import User
from ..accounts.policy import can_evaluate, can_respond
from ..audit.services import record
from ..catalog import periods
from ..catalog.models import Period, StateIndicator, Subject
from ..db import db, utcnow
from ..territory.models import Municipality
from .models import ANSWERS, CONTEST_OUTCOMES, Evidence, IndicatorScore, LsgResponse, StateEvaluation

COMMENT_MAX_LENGTH = 2000
URL_MAX_LENGTH = 500
EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
RESPONSE_KINDS = ("answer", "contest")
THREAD_OPEN = ("submitted", "contested")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Extension → (content type, check of the first bytes). DOCX and XLSX are ZIP packages; the check
# looks inside for the part that makes them a Word or Excel file, so a renamed ZIP is refused too.
PDF, JPEG, PNG = b"%PDF-", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"


def _is_office(data: bytes, part: str) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = package.namelist()
    except (zipfile.BadZipFile, ValueError):
        return False
    return "[Content_Types].xml" in names and any(name.startswith(part) for name in names)


EVIDENCE_TYPES = {
    "pdf": ("application/pdf", lambda data: data.startswith(PDF)),
    "jpg": ("image/jpeg", lambda data: data.startswith(JPEG)),
    "jpeg": ("image/jpeg", lambda data: data.startswith(JPEG)),
    "png": ("image/png", lambda data: data.startswith(PNG)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             lambda data: _is_office(data, "word/")),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             lambda data: _is_office(data, "xl/")),
}


class EvaluationError(Exception):
    """A change that cannot be made, naming the field at fault (``""`` for the whole form)."""

    def __init__(self, field: str, code: str, message):
        self.field, self.code, self.message = field, code, message
        super().__init__(f"{field}: {code}")


class OutOfScope(EvaluationError):
    """The user's role or scope does not cover this evaluation (the view answers 404)."""

    def __init__(self):
        super().__init__("", "out_of_scope", _l("This page does not exist."))


class PeriodClosed(EvaluationError):
    """The period is closed or was never opened (catalog.periods decides): nothing in it may change."""

    def __init__(self, message=None):
        super().__init__("", "period_closed", message if message is not None else _l("This period is closed: nothing in it can be changed."))


class EvaluationInvalid(EvaluationError):
    """Several fields at fault at once: ``errors`` maps each field to its message."""

    def __init__(self, errors: dict):
        self.errors = errors
        field, message = next(iter(errors.items()))
        super().__init__(field, "invalid", message)


@dataclass
class ScoresInput:
    """What the evaluator's form sends: indicator code → raw value ("1".."5", "yes"/"partial"/"no", or
    empty for not yet scored), indicator code → comment, and a general comment."""

    values: dict = field(default_factory=dict)
    comments: dict = field(default_factory=dict)
    comment: str = ""


def indicators() -> list[StateIndicator]:
    return list(db.session.scalars(select(StateIndicator).order_by(StateIndicator.position, StateIndicator.code)))


def ensure_period_open(year: int) -> Period:
    try:
        return periods.ensure_open(year)
    except periods.PeriodClosed as closed:
        raise PeriodClosed(closed.message) from None


def _clean_text(value, field_name: str, errors: dict, limit: int = COMMENT_MAX_LENGTH) -> str:
    text = CONTROL_CHARACTERS.sub("", str(value or "")).strip()
    if len(text) > limit:
        errors[field_name] = _l("Write at most %(max)s characters.", max=limit)
    return text


def _snapshot(evaluation: StateEvaluation) -> dict:
    return {
        "status": evaluation.status,
        "contest_outcome": evaluation.contest_outcome,
        "comment": evaluation.comment,
        "scores": {s.indicator_code: {"score": s.score, "answer": s.answer, "comment": s.comment}
                   for s in evaluation.scores},
    }


def _changes(before: dict, after: dict) -> tuple[dict, dict]:
    keys = [key for key in after if before.get(key) != after.get(key)]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}


def _audit(action: str, evaluation: StateEvaluation, actor: User, before: dict, after: dict) -> None:
    old, new = _changes(before, after)
    if old or new:
        record(action, "state_evaluation", evaluation.id, actor_id=actor.id, before=old, after=new)


def _target(evaluation: StateEvaluation) -> tuple[Municipality, Subject]:
    return (db.session.get(Municipality, evaluation.municipality_code),
            db.session.get(Subject, evaluation.subject_code))


def _ensure_evaluator(user: User, evaluation: StateEvaluation) -> None:
    municipality, subject = _target(evaluation)
    if not can_evaluate(user, municipality, subject):
        raise OutOfScope()


def ensure_editable(evaluation: StateEvaluation) -> None:
    ensure_period_open(evaluation.period)
    if evaluation.status == "final":
        raise EvaluationError("", "final", _l("This evaluation is final and can no longer be changed."))


def find(municipality_code: str, subject_code: str, period: int) -> StateEvaluation | None:
    return db.session.scalar(select(StateEvaluation).where(
        StateEvaluation.municipality_code == municipality_code, StateEvaluation.subject_code == subject_code,
        StateEvaluation.period == period))


def open_draft(user: User, municipality: Municipality, subject: Subject, period: int) -> StateEvaluation:
    """The evaluation of this power in this municipality and period, created as a draft if none exists."""
    if not can_evaluate(user, municipality, subject) or not municipality.is_current or subject.retired:
        raise OutOfScope()
    ensure_period_open(period)
    evaluation = find(municipality.code, subject.code, period)
    if evaluation is not None:
        return evaluation
    evaluation = StateEvaluation(municipality_code=municipality.code, subject_code=subject.code, period=period,
                                 agency_code=subject.agency_code, evaluator_id=user.id, status="draft", comment="")
    db.session.add(evaluation)
    db.session.flush()
    record("evaluation.open", "state_evaluation", evaluation.id, actor_id=user.id, after={
        "municipality": municipality.code, "subject": subject.code, "period": period, "status": "draft"})
    return evaluation


def _parse_value(indicator: StateIndicator, raw) -> tuple[int | None, str | None, bool]:
    """(score, answer, valid) for a raw form value on the indicator's scale."""
    raw = "" if raw is None else str(raw).strip()
    if raw == "":
        return None, None, True
    if indicator.scale == "1-5":
        if raw in ("1", "2", "3", "4", "5"):
            return int(raw), None, True
        return None, None, False
    if raw in ANSWERS:
        return None, raw, True
    return None, None, False


def _missing(evaluation: StateEvaluation, all_indicators: list[StateIndicator]) -> list[str]:
    scored = {s.indicator_code for s in evaluation.scores if s.score is not None or s.answer is not None}
    return [i.code for i in all_indicators if i.code not in scored]


def _missing_errors(missing: list[str]) -> dict:
    return {f"ind-{code}": _l("Score this indicator.") for code in missing}


def save_scores(user: User, evaluation: StateEvaluation, data: ScoresInput) -> StateEvaluation:
    """Save the scores and comments. On a submitted evaluation this is a revision: it stays
    submitted, so every indicator must still be scored."""
    _ensure_evaluator(user, evaluation)
    ensure_editable(evaluation)
    all_indicators = indicators()
    errors: dict = {}
    parsed = {}
    for indicator in all_indicators:
        score, answer, valid = _parse_value(indicator, data.values.get(indicator.code))
        if not valid:
            errors[f"ind-{indicator.code}"] = (_l("Choose a score from 1 to 5.") if indicator.scale == "1-5"
                                               else _l("Choose yes, partly or no."))
        comment = _clean_text(data.comments.get(indicator.code), f"comment-{indicator.code}", errors)
        parsed[indicator.code] = (score, answer, comment)
    general = _clean_text(data.comment, "comment", errors)
    if evaluation.status in ("submitted", "contested"):
        missing = [code for code, (score, answer, _c) in parsed.items() if score is None and answer is None]
        errors.update({k: v for k, v in _missing_errors(missing).items() if k not in errors})
    if errors:
        raise EvaluationInvalid(errors)

    before = _snapshot(evaluation)
    existing = {s.indicator_code: s for s in evaluation.scores}
    for code, (score, answer, comment) in parsed.items():
        row = existing.get(code)
        if score is None and answer is None and not comment:
            if row is not None:
                evaluation.scores.remove(row)
            continue
        if row is None:
            row = IndicatorScore(indicator_code=code)
            evaluation.scores.append(row)
        row.score, row.answer, row.comment = score, answer, comment
    evaluation.comment = general
    db.session.flush()
    after = _snapshot(evaluation)
    if before != after:
        evaluation.updated_at = utcnow()
        _audit("evaluation.revise" if evaluation.status in ("submitted", "contested") else "evaluation.save", evaluation, user,
               before, after)
    return evaluation


def submit(user: User, evaluation: StateEvaluation) -> StateEvaluation:
    _ensure_evaluator(user, evaluation)
    ensure_editable(evaluation)
    if evaluation.status != "draft":
        raise EvaluationError("", "not_draft", _l("Only a draft can be submitted."))
    missing = _missing(evaluation, indicators())
    if missing:
        raise EvaluationInvalid({"": _l("Score every indicator before submitting."), **_missing_errors(missing)})
    before = _snapshot(evaluation)
    evaluation.status, evaluation.submitted_at = "submitted", utcnow()
    evaluation.updated_at = evaluation.submitted_at
    _audit("evaluation.submit", evaluation, user, before, _snapshot(evaluation))
    return evaluation


def finalise(user: User, evaluation: StateEvaluation, contest_outcome: str | None = None) -> StateEvaluation:
    """Make the evaluation final. A contested evaluation is finalised only with a decision on the
    contest (accepted: the evaluator revised the scores; rejected: they stand), which is recorded."""
    _ensure_evaluator(user, evaluation)
    ensure_editable(evaluation)
    if evaluation.status not in ("submitted", "contested"):
        raise EvaluationError("", "not_submitted", _l("Submit the evaluation before making it final."))
    if evaluation.status == "contested":
        if contest_outcome not in CONTEST_OUTCOMES:
            raise EvaluationError("contest_outcome", "required",
                                  _l("The LSG contests this evaluation: say whether you accept the contest."))
        evaluation.contest_outcome = contest_outcome
    before = _snapshot(evaluation)
    before["contest_outcome"] = None
    evaluation.status, evaluation.finalised_at = "final", utcnow()
    evaluation.updated_at = evaluation.finalised_at
    _audit("evaluation.finalise", evaluation, user, before, _snapshot(evaluation))
    return evaluation


def add_link(user: User, evaluation: StateEvaluation, url: str) -> Evidence:
    _ensure_evaluator(user, evaluation)
    ensure_editable(evaluation)
    url = (url or "").strip()
    parts = urlsplit(url)
    if (parts.scheme not in ("http", "https") or not parts.hostname or len(url) > URL_MAX_LENGTH
            or re.search(r"\s", url) or CONTROL_CHARACTERS.search(url)):
        raise EvaluationError("evidence_url", "bad_url", _l("Give a web address that starts with http:// or https://."))
    evidence = Evidence(evaluation_id=evaluation.id, url=url)
    db.session.add(evidence)
    db.session.flush()
    record("evidence.add", "state_evaluation", evaluation.id, actor_id=user.id,
           after={"evidence": evidence.id, "url": url})
    return evidence


def _safe_filename(filename: str) -> str:
    name = CONTROL_CHARACTERS.sub("", (filename or "").replace("\\", "/").rsplit("/", 1)[-1]).strip()
    return name[-200:] or "document"


def evidence_limit() -> int:
    return int(current_app.config.get("EVIDENCE_MAX_BYTES", EVIDENCE_MAX_BYTES))


def evidence_megabytes() -> str:
    return format(evidence_limit() / 1024 / 1024, "g")


def check_file(filename: str, data: bytes) -> tuple[str, str]:
    """(safe file name, content type) of an acceptable upload; the extension and the first bytes must
    agree on one of the allowed types."""
    limit = evidence_limit()
    if not data:
        raise EvaluationError("evidence_file", "empty", _l("The file is empty."))
    if len(data) > limit:
        raise EvaluationError("evidence_file", "too_large",
                              _l("The file is too large: at most %(mb)s MB.", mb=evidence_megabytes()))
    name = _safe_filename(filename)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = EVIDENCE_TYPES.get(extension)
    if kind is None or not kind[1](data):
        raise EvaluationError("evidence_file", "bad_type",
                              _l("Upload a PDF, JPEG, PNG, DOCX or XLSX file."))
    return name, kind[0]


def add_file(user: User, evaluation: StateEvaluation, filename: str, data: bytes) -> Evidence:
    _ensure_evaluator(user, evaluation)
    ensure_editable(evaluation)
    name, content_type = check_file(filename, data)
    digest = hashlib.sha256(data).hexdigest()
    evidence = Evidence(evaluation_id=evaluation.id, filename=name, content_type=content_type, size=len(data),
                        sha256=digest, data=data)
    db.session.add(evidence)
    db.session.flush()
    record("evidence.add", "state_evaluation", evaluation.id, actor_id=user.id, after={
        "evidence": evidence.id, "filename": name, "content_type": content_type, "size": len(data), "sha256": digest})
    return evidence


def remove_evidence(user: User, evaluation: StateEvaluation, evidence_id: int) -> None:
    _ensure_evaluator(user, evaluation)
    ensure_editable(evaluation)
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None or evidence.evaluation_id != evaluation.id:
        raise EvaluationError("evidence", "unknown", _l("This document is not attached to the evaluation."))
    before = {"evidence": evidence.id, "url": evidence.url, "filename": evidence.filename, "sha256": evidence.sha256}
    evaluation.evidence.remove(evidence)
    db.session.flush()
    record("evidence.remove", "state_evaluation", evaluation.id, actor_id=user.id, before=before)


def _thread_message(user: User, evaluation: StateEvaluation, kind: str, text: str,
                    filename: str | None, data: bytes | None) -> LsgResponse:
    checked = check_file(filename or "document", data) if data else None
    response = LsgResponse(evaluation_id=evaluation.id, author_id=user.id, kind=kind, body=text)
    db.session.add(response)
    db.session.flush()
    after = {"response": response.id, "kind": kind, "body": text}
    if checked:
        name, content_type = checked
        digest = hashlib.sha256(data).hexdigest()
        evidence = Evidence(evaluation_id=evaluation.id, response_id=response.id, filename=name,
                            content_type=content_type, size=len(data), sha256=digest, data=data)
        db.session.add(evidence)
        db.session.flush()
        after.update(evidence=evidence.id, filename=name, sha256=digest)
    record("evaluation.respond" if kind != "reply" else "evaluation.reply", "state_evaluation", evaluation.id,
           actor_id=user.id, after=after)
    return response


def reply(user: User, evaluation: StateEvaluation, body: str, filename: str | None = None,
          data: bytes | None = None) -> LsgResponse:
    """The evaluator replies in the thread (with evidence if any) before deciding."""
    _ensure_evaluator(user, evaluation)
    ensure_editable(evaluation)
    if evaluation.status not in THREAD_OPEN:
        raise EvaluationError("", "not_submitted", _l("Submit the evaluation before making it final."))
    errors: dict = {}
    text = _clean_text(body, "reply", errors)
    if not text and "reply" not in errors:
        errors["reply"] = _l("Write your answer.")
    if errors:
        raise EvaluationInvalid(errors)
    return _thread_message(user, evaluation, "reply", text, filename, data)


def respond(user: User, evaluation: StateEvaluation, kind: str, body: str, filename: str | None = None,
            data: bytes | None = None) -> LsgResponse:
    """The municipality's staff answer or contest a submitted (or final) evaluation in writing, with
    evidence if they have it; a contest of a submitted evaluation makes it "contested"."""
    if not can_respond(user, evaluation) or evaluation.status not in ("submitted", "contested", "final"):
        raise OutOfScope()
    ensure_period_open(evaluation.period)
    errors: dict = {}
    if kind not in RESPONSE_KINDS:
        errors["kind"] = _l("Choose whether you answer or contest the evaluation.")
    text = _clean_text(body, "body", errors)
    if not text and "body" not in errors:
        errors["body"] = _l("Write your answer.")
    if errors:
        raise EvaluationInvalid(errors)
    response = _thread_message(user, evaluation, kind, text, filename, data)
    if kind == "contest" and evaluation.status == "submitted":
        evaluation.status = "contested"
        evaluation.updated_at = utcnow()
        record("evaluation.contested", "state_evaluation", evaluation.id, actor_id=user.id,
               before={"status": "submitted"}, after={"status": "contested"})
    return response
