"""Forms of the administration pages."""
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, IntegerField, PasswordField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..accounts.forms import ROLE_NAMES
from ..accounts.models import ROLES
from ..security import Form

NAME = [DataRequired(), Length(max=200)]
TEXT = [Optional(), Length(max=2000)]


def _role_choices():
    return [SelectChoice(role, ROLE_NAMES[role]) for role in ROLES]


class ScopeFields(Form):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), choices=_role_choices(), validators=[InputRequired()])
    municipality = StringField(_l("Municipality (SOATE code)"), validators=[Optional(), Length(max=200)])
    agency = SelectField(_l("Agency"), choices=[], validators=[Optional()], validate_choice=True)
    region = SelectField(_l("Region"), choices=[], validators=[Optional()], validate_choice=True)

    def municipality_codes(self) -> list[str]:
        raw = (self.municipality.data or "").replace(",", " ").split()
        return [code.strip() for code in raw if code.strip()]


class UserCreateForm(ScopeFields):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(max=1000)])


class UserEditForm(ScopeFields):
    pass


class PeriodOpenForm(Form):
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(min=2015, max=2100)])


class SubjectForm(Form):
    name_ky = StringField(_l("Name in Kyrgyz"), validators=NAME)
    name_ru = StringField(_l("Name in Russian"), validators=NAME)
    description_ky = TextAreaField(_l("Description in Kyrgyz"), validators=TEXT)
    description_ru = TextAreaField(_l("Description in Russian"), validators=TEXT)


class CriterionForm(Form):
    name_ky = StringField(_l("Name in Kyrgyz"), validators=NAME)
    name_ru = StringField(_l("Name in Russian"), validators=NAME)
    question_ky = TextAreaField(_l("Question in Kyrgyz"), validators=TEXT)
    question_ru = TextAreaField(_l("Question in Russian"), validators=TEXT)


class IndicatorForm(Form):
    name_ky = StringField(_l("Name in Kyrgyz"), validators=NAME)
    name_ru = StringField(_l("Name in Russian"), validators=NAME)
    description_ky = TextAreaField(_l("Description in Kyrgyz"), validators=TEXT)
    description_ru = TextAreaField(_l("Description in Russian"), validators=TEXT)


class MunicipalityNamesForm(Form):
    name_ky = StringField(_l("Name in Kyrgyz"), validators=NAME)
    name_ru = StringField(_l("Name in Russian"), validators=NAME)
    short_name_ky = StringField(_l("Short name in Kyrgyz"), validators=NAME)
    short_name_ru = StringField(_l("Short name in Russian"), validators=NAME)


class VillageNamesForm(Form):
    name_ky = StringField(_l("Name in Kyrgyz"), validators=NAME)
    name_ru = StringField(_l("Name in Russian"), validators=NAME)
