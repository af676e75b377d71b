"""Forms of the accounts pages: sign in, the second factor, password change, TOTP."""
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from ..security import Form


class LoginForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])
    next = HiddenField()


class CodeForm(Form):
    code = StringField(_l("6-digit code from the authenticator app"), validators=[DataRequired(), Length(max=12)])
    next = HiddenField()


class PasswordChangeForm(Form):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=1000)])
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=1000)])
    confirm = PasswordField(_l("New password again"), validators=[DataRequired(), Length(max=1000)])

    def validate_confirm(self, field):
        if field.data != self.password.data:
            raise ValidationError(_l("The two new passwords do not match."))


class LogoutForm(Form):
    pass



ROLE_NAMES = {
    "admin": _l("Administrator"),
    "moderator": _l("Moderator"),
    "lsg_staff": _l("LSG staff"),
    "state_evaluator": _l("State evaluator"),
    "monitor": _l("Civil-society monitor"),
    "analyst": _l("Ministry analyst"),
}
