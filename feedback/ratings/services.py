"""Submitting a citizen rating: one function behind the web form and the API.

Rules: the subject must be one residents rate (not a delegated power) and apply to the
municipality's kind; overall 1–5 is required; criteria are optional, 1–5 or "don't know"; a
respondent rates a subject once per period and a second submission replaces the first; the same
``client_id`` twice stores once (an offline queue may resend). Adds and flushes; the caller commits.
"""
import datetime as dt
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError

from .. import cache
from ..catalog.models import MUNICIPALITY_KIND_APPLIES, Criterion, Subject
from ..db import db, utcnow
from ..territory.models import Municipality, Village
from .abuse import Signals, comment_flags, mask_personal_data, quarantine_rule
from .models import AGE_BANDS, SEXES, CriterionScore, Rating, Respondent, SubmissionKey
from .respondents import rated, without_ratings
from .signals import RatingState, RatingWritten, changed, state_of

COMMENT_MAX_LENGTH = 1000
SOATE_CODE = re.compile(r"\d{14}")
CATALOG_CODE = re.compile(r"[A-Z0-9-]{1,40}")
CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
BISHKEK = dt.timezone(dt.timedelta(hours=6))


class RatingError(Exception):
    """A submission that cannot be stored, naming the field at fault."""

    def __init__(self, field: str, code: str, message, status: int = 400):
        self.field, self.code, self.message, self.status = field, code, message, status
        super().__init__(f"{field}: {code}")


@dataclass
class RatingInput:
    municipality_code: str
    subject_code: str
    overall: object
    criteria: dict = field(default_factory=dict)  # criterion code -> 1..5, or None for "don't know"
    comment: str | None = None
    sex: str | None = None
    age_band: str | None = None
    village_code: str | None = None
    client_id: str | None = None
    source: str = "web"
    channel: str = "web"  # models.CHANNELS


@dataclass
class Outcome:
    rating_id: int
    status: str
    period: int
    replaced: bool  # an earlier rating by the same respondent was replaced
    repeated: bool  # the same client_id was already stored: nothing changed

    @property
    def rating(self) -> Rating:
        """The stored rating (loaded on first use: the API answers with the values above)."""
        return db.session.get(Rating, self.rating_id)


def current_period() -> int:
    """Periods are calendar years in Kyrgyzstan's time (UTC+6)."""
    return dt.datetime.now(BISHKEK).year


def _score(value, field: str, *, allow_unknown: bool):
    if value is None or value == "" or value == "0":
        if allow_unknown:
            return None
        raise RatingError(field, "required", _l("Choose a score from 1 to 5."))
    if isinstance(value, bool):
        raise RatingError(field, "out_of_range", _l("The score must be a whole number from 1 to 5."))
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise RatingError(field, "out_of_range", _l("The score must be a whole number from 1 to 5.")) from None
    if str(number) != str(value).strip() and not isinstance(value, int):
        raise RatingError(field, "out_of_range", _l("The score must be a whole number from 1 to 5."))
    if number == 0 and allow_unknown:
        return None
    if not 1 <= number <= 5:
        raise RatingError(field, "out_of_range", _l("The score must be a whole number from 1 to 5."))
    return number


def _code(value, pattern: re.Pattern) -> str | None:
    """The value if it has the form of such a code (so that junk never reaches the database)."""
    return value if isinstance(value, str) and pattern.fullmatch(value) else None


@dataclass(frozen=True)
class RatedMunicipality:
    code: str
    kind: str
    is_current: bool


@dataclass(frozen=True)
class RatedSubject:
    code: str
    kind: str
    applies_to: str
    retired: bool
    rated_by_citizens: bool
    criteria: frozenset  # the codes of the criteria asked about it (Criterion.applies_to_subject)


@dataclass(frozen=True)
class Reference:
    """What validation reads of the registry and the catalog, as plain values: loaded once per version
    of the reference data (feedback/cache.py, bumped by every write to either) instead of three ORM
    look-ups per rating. Each value comes from the models' own rules (``is_current``,
    ``rated_by_citizens``, ``applies_to_subject``)."""

    municipalities: dict  # code -> RatedMunicipality
    subjects: dict  # code -> RatedSubject
    villages: dict  # village code -> its municipality's code


def _load_reference() -> Reference:
    criteria = list(db.session.scalars(select(Criterion)))
    return Reference(
        municipalities={m.code: RatedMunicipality(m.code, m.kind, m.is_current)
                        for m in db.session.scalars(select(Municipality))},
        subjects={s.code: RatedSubject(s.code, s.kind, s.applies_to, bool(s.retired), s.rated_by_citizens,
                                       frozenset(c.code for c in criteria if c.applies_to_subject(s)))
                  for s in db.session.scalars(select(Subject))},
        villages={code: municipality for code, municipality in
                  db.session.execute(select(Village.code, Village.municipality_code))},
    )


def reference() -> Reference:
    return cache.cached(("rating-reference",), _load_reference)


def check_municipality(municipality) -> None:
    """Residents may rate this municipality (a Municipality, or its RatedMunicipality; None: unknown)."""
    if municipality is None or not municipality.is_current:
        raise RatingError("municipality", "unknown_municipality", _l("There is no such local government."), 404)


def check_subject(municipality, subject) -> None:
    """Residents of this municipality may rate this subject (a Subject or its RatedSubject; None: unknown)."""
    if subject is None or subject.retired:
        raise RatingError("subject", "unknown_subject", _l("There is no such service or issue."), 404)
    if not subject.rated_by_citizens:
        raise RatingError("subject", "not_rated_by_citizens",
                          _l("Delegated state powers are evaluated by the state, not by residents."), 422)
    if subject.applies_to not in MUNICIPALITY_KIND_APPLIES[municipality.kind]:
        raise RatingError("subject", "not_applicable", _l("This service does not apply to this local government."), 422)


def target(municipality_code, subject_code) -> tuple[RatedMunicipality, RatedSubject]:
    """The municipality and subject rated, from the cached reference, once checked."""
    known = reference()
    code = _code(municipality_code, SOATE_CODE)
    municipality = known.municipalities.get(code) if code else None
    check_municipality(municipality)
    code = _code(subject_code, CATALOG_CODE)
    subject = known.subjects.get(code) if code else None
    check_subject(municipality, subject)
    return municipality, subject


def validate(data: RatingInput) -> tuple[RatedMunicipality, RatedSubject, dict, dict]:
    known = reference()
    municipality, subject = target(data.municipality_code, data.subject_code)
    overall = _score(data.overall, "overall", allow_unknown=False)
    if not isinstance(data.criteria or {}, dict):
        raise RatingError("criteria", "invalid", _l("Criteria must map criterion codes to scores."))
    scores = {}
    for code, value in (data.criteria or {}).items():
        if code not in subject.criteria:
            raise RatingError(f"criteria.{code}", "unknown_criterion", _l("There is no such criterion for this service."))
        scores[code] = _score(value, f"criteria.{code}", allow_unknown=True)
    if data.comment is not None and not isinstance(data.comment, str):
        raise RatingError("comment", "invalid", _l("The comment must be text."))
    # Control characters (NUL above all) have no place in a comment; line breaks and tabs do.
    comment = CONTROL_CHARACTERS.sub("", data.comment or "").strip() or None
    if comment and len(comment) > COMMENT_MAX_LENGTH:
        raise RatingError("comment", "too_long", _l("The comment is too long: at most %(max)s characters.", max=COMMENT_MAX_LENGTH))
    extra = {"overall": overall, "comment": mask_personal_data(comment)}
    for name, allowed in (("sex", SEXES), ("age_band", AGE_BANDS)):
        value = getattr(data, name) or None
        if value is not None and value not in allowed:
            raise RatingError(name, "invalid_choice", _l("Choose one of the options offered."))
        extra[name] = value
    village = data.village_code or None
    if village is not None:
        if not _code(village, SOATE_CODE) or known.villages.get(village) != municipality.code:
            raise RatingError("village", "unknown_village", _l("This village does not belong to this local government."))
    extra["village_code"] = village
    if data.client_id is not None and not _code(data.client_id, CLIENT_ID):
        raise RatingError("client_id", "invalid", _l("client_id must be 8 to 64 letters, digits, hyphens or underscores."))
    return municipality, subject, scores, extra


# Statements built once (bound parameters per call), on the tables: SQLAlchemy finds their compiled
# form without working out a cache key again, and no ORM layer runs for a plain read or insert.
_RATINGS, _SCORES, _KEYS = Rating.__table__, CriterionScore.__table__, SubmissionKey.__table__
_SUBMITTED = select(_KEYS.c.rating_id).where(_KEYS.c.client_id == bindparam("client_id"))
_EARLIER = select(_RATINGS.c.id).where(
    _RATINGS.c.respondent_id == bindparam("respondent"), _RATINGS.c.municipality_code == bindparam("municipality"),
    _RATINGS.c.subject_code == bindparam("subject"), _RATINGS.c.period == bindparam("period"))
_INSERT_RATING = insert(_RATINGS).returning(_RATINGS.c.id)
_INSERT_SCORES = insert(_SCORES)
_INSERT_KEY = insert(_KEYS)


def submit_rating(data: RatingInput, respondent: Respondent, signals: Signals, period: int | None = None,
                  checked: tuple | None = None) -> Outcome:
    """Validate and store one rating (replacing the respondent's earlier one for the same period).

    ``checked``: what ``validate(data)`` returned, when the caller validated before its write began
    (the look-ups then stay out of SQLite's write lock, which every other rating waits for). A new
    rating is written with one INSERT … RETURNING (and its scores and key), not through the ORM's
    flush; ``Outcome.rating`` loads it when a caller wants the object."""
    municipality, subject, scores, fields = checked or validate(data)
    db.session.flush()  # what the caller added (a paper form, its respondent) is in before the Core statements
    connection = db.session.connection()
    if data.client_id:
        earlier = connection.execute(_SUBMITTED, {"client_id": data.client_id}).scalar()
        if earlier is not None:
            rating = db.session.get(Rating, earlier)
            return Outcome(rating.id, rating.status, rating.period, replaced=False, repeated=True)
    period = period or current_period()
    first = without_ratings(respondent.id)  # created by this request: no earlier rating to replace
    earlier = None if first else connection.execute(_EARLIER, {
        "respondent": respondent.id, "municipality": municipality.code, "subject": subject.code,
        "period": period}).scalar()
    rating = db.session.get(Rating, earlier) if earlier is not None else None
    rule = quarantine_rule(signals, replacing=rating)
    values = {
        "respondent_id": respondent.id, "municipality_code": municipality.code, "subject_code": subject.code,
        "period": period, "overall": fields["overall"], "comment": fields["comment"],
        "comment_status": "pending" if fields["comment"] else None,
        # Flags of the text as typed: the moderator learns what the masking hid.
        "comment_flags": comment_flags(data.comment) if fields["comment"] else "",
        "sex": fields["sex"], "age_band": fields["age_band"], "village_code": fields["village_code"],
        "status": "quarantined" if rule else "accepted", "quarantine_rule": rule, "verified": respondent.verified,
        "source": data.source, "channel": data.channel, "address_hash": signals.address_hash,
        "updated_at": utcnow(),
    }
    try:
        if rating is None:
            values.update(client_id=data.client_id, replacements=0, created_at=values["updated_at"])
            rating_id = connection.execute(_INSERT_RATING, values).scalar_one()
            if scores:
                connection.execute(_INSERT_SCORES, [{"rating_id": rating_id, "criterion_code": code, "score": score}
                                                    for code, score in sorted(scores.items())])
            state, before = RatingState.of_values(values, scores), None
            sender = RatingWritten(rating_id, respondent.id, respondent_first=first)
        else:
            before, rating_id, sender = state_of(rating), rating.id, rating
            _replace(rating, values, data.client_id, scores)
            state = state_of(rating, criteria=scores)
        if data.client_id:
            connection.execute(_INSERT_KEY, {"client_id": data.client_id, "rating_id": rating_id,
                                             "created_at": values["updated_at"]})
    except IntegrityError:
        # Two submissions raced: the other one with this client_id or this respondent won. No savepoint:
        # every caller rolls back on a RatingError (the request, or the SMS's own savepoint), so the
        # failed transaction is never committed nor used again.
        raise RatingError("client_id", "conflict", _l("This rating was submitted twice at once; try again."), 409) from None
    rated(respondent.id)
    changed(before, sender, state)
    return Outcome(rating_id, values["status"], period, replaced=before is not None, repeated=False)


def _replace(rating: Rating, values: dict, client_id: str | None, scores: dict) -> None:
    """The respondent's earlier rating becomes this submission (flushed)."""
    rating.replacements = (rating.replacements or 0) + 1
    rating.criteria.clear()
    db.session.flush()
    for name, value in values.items():
        setattr(rating, name, value)
    # A replacement is a new submission: earlier moderation decisions do not carry over to it.
    rating.quarantine_decision = rating.quarantine_reviewed_by = rating.quarantine_reviewed_at = None
    rating.comment_moderated_by = rating.comment_moderated_at = rating.comment_rejection_reason = None
    rating.client_id = client_id or rating.client_id
    rating.criteria.extend(CriterionScore(criterion_code=code, score=score) for code, score in sorted(scores.items()))
    db.session.flush()
