"""The rating form, built for one subject: overall score, the criteria that apply, comment, demographics."""
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ..i18n import sorted_by_name
from ..security import Form
from .models import AGE_BANDS
from .services import COMMENT_MAX_LENGTH

OVERALL_WORDS = {1: _l("Very bad"), 2: _l("Bad"), 3: _l("So-so"), 4: _l("Good"), 5: _l("Very good")}
SEX_LABELS = {"female": _l("Woman"), "male": _l("Man")}
AGE_LABELS = {"under_18": _l("under 18"), "18_29": _l("18–29"), "30_44": _l("30–44"), "45_59": _l("45–59"), "60_plus": _l("60 and over")}
DONT_KNOW = "0"


def _choices(labels: dict, blank=None) -> list[SelectChoice]:
    choices = [SelectChoice("", blank)] if blank is not None else []
    return choices + [SelectChoice(str(value), label) for value, label in labels.items()]


class RatingForm(Form):
    overall = RadioField(_l("Overall, how satisfied are you?"), choices=_choices(OVERALL_WORDS),
                         validators=[InputRequired(message=_l("Choose a score from 1 to 5."))])
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=COMMENT_MAX_LENGTH)])
    sex = SelectField(_l("Sex"), choices=_choices(SEX_LABELS, _l("Prefer not to say")), validators=[Optional()])
    age_band = SelectField(_l("Age"), choices=_choices({a: AGE_LABELS[a] for a in AGE_BANDS}, _l("Prefer not to say")),
                           validators=[Optional()])
    village = SelectField(_l("Your village"), choices=[], validators=[Optional()], validate_choice=True)
    # Anti-abuse: a field people never see (dumb bots fill it in) and when the form was shown.
    website = StringField(_l("Leave this field empty"), validators=[Optional()])
    started = HiddenField()


def form_class(criteria, lang: str) -> type[RatingForm]:
    """A RatingForm with one radio group per criterion (levels 1–5 with their anchors, and "don't know").
    Plain values only (strings, lazy strings): it may be kept and shared by later requests."""

    class SubjectRatingForm(RatingForm):
        criterion_codes: tuple[str, ...] = ()

    for criterion in criteria:
        choices = [SelectChoice(str(level.level), level.description(lang)) for level in criterion.levels]
        choices.append(SelectChoice(DONT_KNOW, _l("I don't know / no such experience")))
        setattr(SubjectRatingForm, f"criterion_{criterion.code}",
                RadioField(criterion.question(lang), choices=choices, validators=[Optional()], default=None))
    SubjectRatingForm.criterion_codes = tuple(criterion.code for criterion in criteria)
    return SubjectRatingForm


def village_choices(villages, lang: str) -> list[SelectChoice]:
    return _choices({v.code: v.name(lang) for v in sorted_by_name(villages, lang)}, _l("Prefer not to say"))


def bound_form(cls: type[RatingForm], villages: list[SelectChoice], formdata=None) -> RatingForm:
    """The form of ``form_class``, with the municipality's ``village_choices``; ``criteria_fields``:
    (criterion code, its field) in order."""
    form = cls(formdata=formdata) if formdata is not None else cls()
    form.village.choices = villages
    form.criteria_fields = [(code, getattr(form, f"criterion_{code}")) for code in cls.criterion_codes]
    return form


def rating_form(criteria, villages, lang: str, formdata=None) -> RatingForm:
    """The form for showing: ``criteria_fields`` holds (criterion, its field), for the page's legends."""
    form = bound_form(form_class(criteria, lang), village_choices(villages, lang), formdata)
    form.criteria_fields = [(criterion, field) for criterion, (_, field) in zip(criteria, form.criteria_fields,
                                                                                 strict=True)]
    return form
