"""Paper questionnaires entered by a monitor: one questionnaire is one respondent, its printed number
is entered once per municipality and period, and each score on it becomes a rating through the same
``submit_rating`` as the web form, marked ``assisted``; the local issues the resident wants next
year's budget to fund first become their budget priorities through the same
``transparency.services.submit_priorities``, with source ``assisted``. Adds and flushes; the view
commits.

The burst rule per client address is not applied: a monitor enters dozens of questionnaires from one
desk by design. What stops stuffing instead is the printed number (entered once), the monitor's
name on every questionnaire entered, and the monitor's scope.
"""
import re
import secrets
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..catalog import queries as catalog_queries
from ..db import db
from ..ratings.abuse import Signals
from ..ratings.models import Respondent
from ..ratings.services import RatingError, RatingInput, current_period, submit_rating
from ..territory.models import Municipality
from .models import PaperForm

FORM_NUMBER = re.compile(r"[0-9A-Za-z-]{1,20}")


class PaperFormError(Exception):
    """A questionnaire that cannot be stored, naming the field at fault."""

    def __init__(self, field: str, message):
        self.field, self.message = field, message
        super().__init__(field)


@dataclass
class PaperInput:
    number: str
    scores: dict  # subject code -> the score as typed ("" when the resident left it blank)
    sex: str | None = None
    age_band: str | None = None
    priorities: list = field(default_factory=list)  # local issue codes, most important first ("" when blank)


def normalise_number(raw: str | None) -> str:
    """``0042`` and ``42`` are one questionnaire: leading zeros are dropped."""
    text = (raw or "").strip().upper()
    if not FORM_NUMBER.fullmatch(text):
        raise PaperFormError("number", _l("Enter the number printed on the questionnaire (letters, digits, hyphens)."))
    return text.lstrip("0") or "0"


def already_entered(municipality_code: str, number: str, period: int) -> bool:
    return db.session.scalar(select(PaperForm.id).where(
        PaperForm.municipality_code == municipality_code, PaperForm.period == period,
        PaperForm.number == number)) is not None


def enter(municipality: Municipality, data: PaperInput, user_id: int | None,
          staff_municipality_code: str | None = None) -> PaperForm:
    number = normalise_number(data.number)
    period = current_period()
    if already_entered(municipality.code, number, period):
        raise PaperFormError("number", _l("Questionnaire %(number)s has already been entered.", number=number))
    rated = {code: value for code, value in data.scores.items() if str(value or "").strip()}
    priorities = [code for code in (str(c or "").strip() for c in data.priorities) if code]
    if not rated and not priorities:
        raise PaperFormError("scores", _l("Enter at least one score or budget priority from the questionnaire."))
    allowed = {s.code for s in catalog_queries.citizen_subjects(municipality.kind)}
    respondent = Respondent(token="paper-" + secrets.token_urlsafe(24))
    db.session.add(respondent)
    db.session.flush()
    paper = PaperForm(municipality_code=municipality.code, period=period, number=number,
                      respondent_id=respondent.id, entered_by=user_id)
    try:
        with db.session.begin_nested():
            db.session.add(paper)
            db.session.flush()
    except IntegrityError:
        raise PaperFormError("number", _l("Questionnaire %(number)s has already been entered.", number=number)) from None
    signals = Signals(municipality_code=municipality.code, respondent_id=respondent.id, address_hash="",
                      staff_municipality_code=staff_municipality_code)
    for code, value in sorted(rated.items()):
        if code not in allowed:
            raise PaperFormError(f"score-{code}", _l("There is no such service or issue."))
        try:
            submit_rating(RatingInput(municipality_code=municipality.code, subject_code=code, overall=str(value).strip(),
                                      sex=data.sex or None, age_band=data.age_band or None, channel="assisted"),
                          respondent, signals, period=period)
        except RatingError as error:
            raise PaperFormError(f"score-{code}", error.message) from None
    if priorities:
        from ..transparency.services import TransparencyError, submit_priorities

        try:
            submit_priorities(municipality, priorities, respondent, signals, period, source="assisted")
        except TransparencyError as error:
            raise PaperFormError("priorities", error.message) from None
    return paper


def entered(municipality_code: str, period: int, limit: int = 20) -> list[PaperForm]:
    """The latest questionnaires entered for this municipality and period, newest first."""
    return list(db.session.scalars(select(PaperForm).where(
        PaperForm.municipality_code == municipality_code, PaperForm.period == period)
        .order_by(PaperForm.id.desc()).limit(limit)))
