"""Forms of the transparency package. The checklist's answers, notes and evidence fields are drawn
from the catalog in the templates and checked by the services; these forms carry CSRF and the
fixed fields."""
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..security import Form
from .services import NOTE_MAX_LENGTH


class AssessmentForm(Form):
    pass


class ReviewForm(Form):
    review_note = TextAreaField(_l("General note of the review"), validators=[Optional(), Length(max=NOTE_MAX_LENGTH)])


class ReplyForm(Form):
    pass


class PriorityForm(Form):
    first = SelectField(_l("First priority"), choices=[], validate_choice=False)
    second = SelectField(_l("Second priority (optional)"), choices=[], validate_choice=False)
    third = SelectField(_l("Third priority (optional)"), choices=[], validate_choice=False)
    # Anti-abuse, as on the rating form: a field people never see, and when the form was shown.
    website = StringField(_l("Leave this field empty"), validators=[Optional()])
    started = HiddenField()
