"""Forms of the answers package. The comments answered (checkboxes named ``rating``) and the item
of the action plan are read from the request and checked by the service; these forms carry CSRF and
the fixed fields."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..security import Form
from .services import BODY_MAX

LANGUAGE_CHOICES = [SelectChoice("ky", _l("Kyrgyz")), SelectChoice("ru", _l("Russian"))]


class AnswerForm(Form):
    language = RadioField(_l("Language of the answer"), choices=LANGUAGE_CHOICES,
                          validators=[DataRequired(_l("Choose the language of the answer."))])
    body = TextAreaField(_l("Your public answer"), validators=[DataRequired(_l("Write the answer.")),
                                                                Length(max=BODY_MAX)])
    promise = TextAreaField(_l("We will do (optional)"), validators=[Optional(), Length(max=BODY_MAX)])
    promise_due = DateField(_l("By (date)"), validators=[Optional()],
                            render_kw={"autocomplete": "off"})


class DoneForm(Form):
    note = TextAreaField(_l("What was done"), validators=[DataRequired(_l("Say what was done.")),
                                                           Length(max=BODY_MAX)])
    photo = FileField(_l("Photo (optional, JPEG or PNG)"))


class CommitmentForm(Form):
    language = RadioField(_l("Language of the answer"), choices=LANGUAGE_CHOICES,
                          validators=[DataRequired(_l("Choose the language of the answer."))])
    body = TextAreaField(_l("We will do"), validators=[DataRequired(_l("Say what you will do.")),
                                                        Length(max=BODY_MAX)])
    promise_due = DateField(_l("By (date)"), validators=[DataRequired(_l("Give the date by which it will be done."))])


class WithdrawForm(Form):
    confirm = BooleanField(_l("I withdraw this answer: it disappears from the public page"),
                           validators=[DataRequired(_l("Tick the box to confirm the withdrawal."))])


class JudgeForm(Form):
    """CSRF only: the choices (helpful, done) are read by the service."""


class SmsForm(Form):
    phone = StringField(_l("Your verified phone number"), validators=[DataRequired(_l("Enter the phone number you verified.")),
                                                                       Length(max=40)],
                        render_kw={"type": "tel", "autocomplete": "tel", "inputmode": "tel"})
