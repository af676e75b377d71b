"""Forms of the evaluation package. The indicator inputs are drawn from the catalog in the template
and checked by the service (their scale decides what is valid); these forms carry CSRF and the
fixed fields."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..security import Form
from .services import COMMENT_MAX_LENGTH, URL_MAX_LENGTH


class EvaluationForm(Form):
    comment = TextAreaField(_l("General comment"), validators=[Optional(), Length(max=COMMENT_MAX_LENGTH)])
    evidence_url = StringField(_l("Link to evidence"), validators=[Optional(), Length(max=URL_MAX_LENGTH)])
    evidence_file = FileField(_l("Or upload a document"))


class ResponseForm(Form):
    kind = RadioField(_l("Your response"), choices=[SelectChoice("answer", _l("We answer")),
                                                    SelectChoice("contest", _l("We contest it"))],
                      default="answer", validators=[DataRequired(_l("Choose whether you answer or contest the evaluation."))])
    body = TextAreaField(_l("Your text"), validators=[DataRequired(_l("Write your answer.")),
                                                      Length(max=COMMENT_MAX_LENGTH)])
    evidence_file = FileField(_l("Or upload a document"))
