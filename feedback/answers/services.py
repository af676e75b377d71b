"""The write side of answers: staff answer approved comments (one, or several on one subject),
promise an action, report it done (with a note and optionally a photo); staff turn an item of their
action plan into a public commitment; the comment's author judges the answer; a verified phone may
ask for one SMS when its comment is answered.

Only the municipality's own staff answer; every answer and status change is audited. Services add
and flush; the view commits, and sends SMS only after the commit (``deliver_due``).
"""
import base64
import datetime as dt
import hashlib
import re

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import User
from ..audit.services import record
from ..catalog.models import Criterion, Subject
from ..db import as_utc, db, utcnow
from ..evaluation.services import EvaluationError, check_file
from ..ratings.models import Rating, Respondent
from ..ratings.respondents import keyed_hash
from ..ratings.services import BISHKEK
from .models import Answer, AnsweredComment, Judgement, SmsNotice

BODY_MAX = 2000
LANGUAGES = ("ky", "ru")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
PHOTO_TYPES = ("image/jpeg", "image/png")
MAX_COMMENTS_PER_ANSWER = 50


class AnswerError(Exception):
    """A change that cannot be made; ``field`` names the input at fault ("" for the whole form)."""

    def __init__(self, field: str, code: str, message):
        super().__init__(f"{field}: {code}")
        self.field, self.code, self.message = field, code, message


class NotFound(AnswerError):
    """No such thing, or outside the user's scope: the two are not told apart (the view answers 404)."""

    def __init__(self):
        super().__init__("", "not_found", _l("This page does not exist."))


def today() -> dt.date:
    """Today in Kyrgyzstan (UTC+6): promised dates are local dates."""
    return utcnow().astimezone(BISHKEK).date()


def may_answer(user: User, municipality_code: str) -> bool:
    """Only the municipality's own staff answer its residents."""
    return (user.is_authenticated and user.active and user.role == "lsg_staff"
            and user.municipality_code == municipality_code)


def _text(value, field: str, *, required: bool, message=None) -> str | None:
    text = CONTROL_CHARACTERS.sub("", str(value or "")).strip()
    if not text:
        if required:
            raise AnswerError(field, "required", message or _l("Write the answer."))
        return None
    if len(text) > BODY_MAX:
        raise AnswerError(field, "too_long", _l("Write at most %(max)s characters.", max=BODY_MAX))
    return text


def _language(value) -> str:
    if value not in LANGUAGES:
        raise AnswerError("language", "invalid", _l("Choose the language of the answer."))
    return value


def _due(value, field: str = "promise_due") -> dt.date:
    if not isinstance(value, dt.date):
        raise AnswerError(field, "required", _l("Give the date by which it will be done."))
    if value < today():
        raise AnswerError(field, "past", _l("The date cannot be in the past."))
    if value > today() + dt.timedelta(days=3 * 366):
        raise AnswerError(field, "too_far", _l("Choose a date within three years."))
    return value


def _snapshot(answer: Answer) -> dict:
    return {"kind": answer.kind, "subject": answer.subject_code, "criterion": answer.criterion_code,
            "period": answer.period, "language": answer.language, "body": answer.body,
            "promise": answer.promise, "promise_due": answer.promise_due, "promise_status": answer.promise_status,
            "done_note": answer.done_note, "photo_sha256": answer.photo_sha256,
            "comments": [c.rating_id for c in answer.comments]}


def answer_comments(user: User, municipality_code: str, rating_ids: list[int], language: str, body: str,
                    promise: str | None = None, promise_due: dt.date | None = None) -> Answer:
    """Answer one approved comment, or several on one subject, publicly; optionally promise an action."""
    if not may_answer(user, municipality_code):
        raise NotFound()
    ids = sorted({int(i) for i in rating_ids})
    if not ids:
        raise AnswerError("ratings", "required", _l("Choose the comments you answer."))
    if len(ids) > MAX_COMMENTS_PER_ANSWER:
        raise AnswerError("ratings", "too_many", _l("Answer at most %(max)s comments at once.",
                                                    max=MAX_COMMENTS_PER_ANSWER))
    ratings = list(db.session.scalars(select(Rating).where(Rating.id.in_(ids))))
    if len(ratings) != len(ids) or any(r.municipality_code != municipality_code for r in ratings):
        raise NotFound()
    if any(r.comment_status != "approved" or r.status != "accepted" or not r.comment for r in ratings):
        raise AnswerError("ratings", "not_published", _l("Only published comments can be answered."))
    if len({r.subject_code for r in ratings}) > 1:
        raise AnswerError("ratings", "subjects", _l("Answer comments on one subject at a time."))
    answered = db.session.scalars(select(AnsweredComment.rating_id).where(AnsweredComment.rating_id.in_(ids))).all()
    if answered:
        raise AnswerError("ratings", "answered", _l("One of these comments has already been answered."))
    language = _language(language)
    text = _text(body, "body", required=True)
    promise_text = _text(promise, "promise", required=False)
    due = None
    if promise_text or promise_due:
        if not promise_text:
            raise AnswerError("promise", "required", _l("Say what you will do."))
        due = _due(promise_due)
    answer = Answer(municipality_code=municipality_code, subject_code=ratings[0].subject_code,
                    period=max(r.period for r in ratings), kind="reply", language=language, body=text,
                    author_id=user.id, created_at=utcnow(), promise=promise_text, promise_due=due,
                    promise_status="promised" if due else None)
    for rating in ratings:
        published = rating.comment_moderated_at or rating.updated_at or rating.created_at
        answer.comments.append(AnsweredComment(rating_id=rating.id, published_at=as_utc(published)))
    db.session.add(answer)
    db.session.flush()
    record("answer.create", "answer", answer.id, actor_id=user.id, after=_snapshot(answer))
    _queue_notices(answer)
    return answer


def commit_action(user: User, municipality_code: str, period: int, language: str, body: str,
                  promise_due: dt.date | None, subject_code: str | None = None,
                  criterion_code: str | None = None) -> Answer:
    """Turn an item of the action plan (a subject or a criterion pulling the score down) into a
    public commitment with a due date."""
    if not may_answer(user, municipality_code):
        raise NotFound()
    if bool(subject_code) == bool(criterion_code):
        raise AnswerError("item", "required", _l("Choose what the commitment is about."))
    if subject_code and db.session.get(Subject, subject_code) is None:
        raise AnswerError("item", "unknown", _l("Choose what the commitment is about."))
    if criterion_code and db.session.get(Criterion, criterion_code) is None:
        raise AnswerError("item", "unknown", _l("Choose what the commitment is about."))
    language = _language(language)
    text = _text(body, "body", required=True, message=_l("Say what you will do."))
    due = _due(promise_due)
    answer = Answer(municipality_code=municipality_code, subject_code=subject_code or None,
                    criterion_code=criterion_code or None, period=period, kind="commitment", language=language,
                    body=text, author_id=user.id, created_at=utcnow(), promise=text, promise_due=due,
                    promise_status="promised")
    db.session.add(answer)
    db.session.flush()
    record("answer.commit", "answer", answer.id, actor_id=user.id, after=_snapshot(answer))
    return answer


def staff_answer(user: User, answer_id: int) -> Answer:
    """An answer of the user's own municipality that is not withdrawn (NotFound otherwise)."""
    answer = db.session.get(Answer, answer_id)
    if answer is None or answer.withdrawn_at is not None or not may_answer(user, answer.municipality_code):
        raise NotFound()
    return answer


def _changes(before: dict, after: dict) -> tuple[dict, dict]:
    return ({k: v for k, v in before.items() if after.get(k) != v},
            {k: v for k, v in after.items() if before.get(k) != v})


def promise_due_passed(answer: Answer, on: dt.date | None = None) -> bool:
    """The promise's date has passed (on ``on``, today by default) without a report that it was done."""
    return (answer.promise_due is not None and answer.promise_status == "promised"
            and answer.promise_due < (on or today()))


def edit_answer(user: User, answer_id: int, language: str, body: str, promise: str | None = None,
                promise_due: dt.date | None = None) -> Answer:
    """Correct an answer (or a commitment): its language and text, the promise and its date.

    The public page marks it "edited" with the date; the audit keeps the before and after. A
    promise reported done keeps its text and date (the report is about them); a promise whose date
    has passed keeps its date and cannot be taken back (moving the date would hide a broken
    promise from the responsiveness index); a new date may not be in the past."""
    answer = staff_answer(user, answer_id)
    language = _language(language)
    commitment = answer.kind == "commitment"
    text = _text(body, "body", required=True, message=_l("Say what you will do.") if commitment else None)
    promise_text = text if commitment else _text(promise, "promise", required=False)
    due = promise_due
    if answer.promise_status == "done" or promise_due_passed(answer):
        if promise_text != answer.promise or due != answer.promise_due:
            field = "body" if commitment else ("promise" if promise_text != answer.promise else "promise_due")
            raise AnswerError(field, "fixed", _l("A promise reported done cannot be changed.")
                              if answer.promise_status == "done" else
                              _l("The promised date has passed: the promise and its date cannot be changed."))
    elif promise_text or due:
        if not promise_text:
            raise AnswerError("promise", "required", _l("Say what you will do."))
        due = due if due is not None and due == answer.promise_due else _due(due)
    else:
        due = None
    before = _snapshot(answer)
    answer.language, answer.body, answer.promise, answer.promise_due = language, text, promise_text, due
    if answer.promise_status != "done":
        answer.promise_status = "promised" if due else None
    after = _snapshot(answer)
    if after == before:
        return answer  # nothing changed: no "edited" mark, nothing to audit
    answer.edited_at, answer.edited_by = utcnow(), user.id
    db.session.flush()
    changed_before, changed_after = _changes(before, after)
    record("answer.edit", "answer", answer.id, actor_id=user.id, before=changed_before, after=changed_after)
    return answer


def withdraw_answer(user: User, answer_id: int) -> Answer:
    """Take an answer (or a commitment) off the public page and the API; the row and the audit stay.

    How it counts afterwards (queries._counts): the comments it answered are unanswered again — they
    may be answered anew, and their deadline still runs from their publication, so withdrawing never
    makes an answer "on time"; residents' judgements of it no longer count; its promise counts only
    if its date had passed (or it was reported done) before the withdrawal, as it stood then — a
    broken promise is not erased by withdrawing it. A pending SMS about it goes back to waiting."""
    answer = staff_answer(user, answer_id)
    before = _snapshot(answer)
    ids = [c.rating_id for c in answer.comments]
    answer.comments.clear()  # the links go: the comments wait for an answer again
    answer.withdrawn_at, answer.withdrawn_by = utcnow(), user.id
    for notice in db.session.scalars(select(SmsNotice).where(SmsNotice.answer_id == answer.id,
                                                             SmsNotice.status == "due")):
        notice.status, notice.answer_id = "waiting", None
    db.session.flush()
    record("answer.withdraw", "answer", answer.id, actor_id=user.id, before=before,
           after={"withdrawn": True, "comments_unanswered": ids})
    return answer


def mark_done(user: User, answer_id: int, note: str, photo_name: str | None = None,
              photo_data: bytes | None = None) -> Answer:
    """Report the promised action done, with a note and optionally a photo (the evidence checks)."""
    answer = staff_answer(user, answer_id)
    if answer.promise_status != "promised":
        raise AnswerError("", "not_promised", _l("There is no open promise in this answer."))
    text = _text(note, "note", required=True, message=_l("Say what was done."))
    photo = None
    if photo_data:
        try:
            name, content_type = check_file(photo_name or "photo", photo_data)
        except EvaluationError as error:
            raise AnswerError("photo", error.code, error.message) from None
        if content_type not in PHOTO_TYPES:
            raise AnswerError("photo", "bad_type", _l("Upload a photo as a JPEG or PNG file."))
        photo = (name, content_type, hashlib.sha256(photo_data).hexdigest(), photo_data)
    before = _snapshot(answer)
    answer.promise_status, answer.done_at, answer.done_note, answer.done_by = "done", utcnow(), text, user.id
    if photo:
        answer.photo_name, answer.photo_type, answer.photo_sha256, answer.photo_data = photo
    db.session.flush()
    changed_before, changed_after = _changes(before, _snapshot(answer))
    record("answer.done", "answer", answer.id, actor_id=user.id, before=changed_before, after=changed_after)
    return answer


# --- residents ---------------------------------------------------------------------------------------

def judge(respondent: Respondent | None, answer_id: int, rating_id: int, helpful: str | None = None,
          done: str | None = None) -> Judgement:
    """The comment's author judges the answer: helpful or not; after the promised date, done or not.
    Anyone else is told the answer does not exist."""
    answer = db.session.get(Answer, answer_id)
    rating = db.session.get(Rating, rating_id)
    link = db.session.get(AnsweredComment, rating_id)
    if (answer is None or answer.withdrawn_at is not None or rating is None or respondent is None or link is None
            or link.answer_id != answer.id or rating.respondent_id != respondent.id):
        raise NotFound()
    values = {"yes": True, "no": False, None: None, "": None}
    if helpful not in values or done not in values:
        raise AnswerError("helpful", "invalid", _l("Choose yes or no."))
    if values[helpful] is None and values[done] is None:
        raise AnswerError("helpful", "required", _l("Choose yes or no."))
    if values[done] is not None and not promise_judgeable(answer):
        raise AnswerError("done", "too_early", _l("You can say whether it was done once the promised date has passed."))
    judgement = db.session.scalar(select(Judgement).where(Judgement.answer_id == answer.id,
                                                          Judgement.respondent_id == respondent.id))
    if judgement is None:
        judgement = Judgement(answer_id=answer.id, rating_id=rating.id, respondent_id=respondent.id,
                              created_at=utcnow())
        db.session.add(judgement)
    if values[helpful] is not None:
        judgement.helpful = values[helpful]
    if values[done] is not None:
        judgement.done = values[done]
    judgement.updated_at = utcnow()
    db.session.flush()
    return judgement


def promise_judgeable(answer: Answer) -> bool:
    """Residents say whether a promise was kept once its date has passed or it is reported done."""
    return answer.promise_due is not None and (answer.promise_status == "done" or answer.promise_due < today())


# --- one SMS when the comment is answered ------------------------------------------------------------

def _fernet():
    # Imported here: cryptography's bindings add 8 MB to every worker, and only an SMS opt-in or a
    # notice's delivery needs them (tests/test_startup.py).
    from cryptography.fernet import Fernet

    key = (current_app.config.get("PERSONAL_DATA_KEY") or current_app.config["SECRET_KEY"]).encode()
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"sms-notice:" + key).digest()))


def opt_in_sms(respondent: Respondent | None, rating_id: int, phone: str, language: str) -> SmsNotice:
    """A verified phone asks for one SMS when this comment is answered. The number typed must be the
    respondent's verified one (compared by keyed hash); it is kept encrypted until the SMS is sent."""
    from ..ratings.phone import PhoneError, normalise_phone

    rating = db.session.get(Rating, rating_id)
    if respondent is None or rating is None or rating.respondent_id != respondent.id or not rating.comment:
        raise NotFound()
    if not respondent.verified:
        raise AnswerError("phone", "not_verified", _l("Verify your phone number first."))
    try:
        phone_e164 = normalise_phone(phone)
    except PhoneError:
        raise AnswerError("phone", "invalid", _l("Enter the phone number you verified.")) from None
    if keyed_hash(phone_e164, "phone") != respondent.phone_hash:
        raise AnswerError("phone", "other", _l("Enter the phone number you verified."))
    notice = db.session.scalar(select(SmsNotice).where(SmsNotice.rating_id == rating.id))
    if notice is None:
        notice = SmsNotice(rating_id=rating.id, respondent_id=respondent.id, created_at=utcnow())
        db.session.add(notice)
    if notice.status == "failed":  # the number given again after delivery was given up: start afresh
        notice.status, notice.attempts, notice.next_attempt_at = "waiting", 0, None
    if notice.status != "sent":
        notice.phone_cipher = _fernet().encrypt(phone_e164.encode()).decode()
        notice.language = _language(language)
        answered = db.session.get(AnsweredComment, rating.id)
        if answered is not None:
            notice.status, notice.answer_id = "due", answered.answer_id
    db.session.flush()
    return notice


def _queue_notices(answer: Answer) -> None:
    ids = [c.rating_id for c in answer.comments]
    for notice in db.session.scalars(select(SmsNotice).where(SmsNotice.rating_id.in_(ids),
                                                             SmsNotice.status == "waiting")):
        notice.status, notice.answer_id = "due", answer.id
    db.session.flush()


SMS_TEXT = {
    "ky": "ЖӨБ органы сиздин пикириңизге жооп берди: %(url)s",
    "ru": "Органы МСУ ответил на ваш комментарий: %(url)s",
}
