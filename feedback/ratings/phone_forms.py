"""Forms of the optional phone verification."""
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField
from wtforms.validators import InputRequired, Length, Regexp

from ..security import Form


def _without_spaces(value: str | None) -> str | None:
    return "".join(value.split()) if value else value


class PhoneForm(Form):
    phone = StringField(_l("Your phone number"), validators=[InputRequired(), Length(max=40)])
    next = HiddenField()


class CodeForm(Form):
    # People copy "123 456" from the SMS as well as "123456".
    code = StringField(_l("Code from the SMS"), filters=[_without_spaces], validators=[
        InputRequired(), Regexp(r"^[0-9]{6}$", message=_l("Enter the 6 digits from the SMS.")),
    ])
    next = HiddenField()
