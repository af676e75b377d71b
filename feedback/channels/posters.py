"""The SMS part of the QR posters: the number, the municipality's short code and the subjects'."""
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from ..catalog.models import Subject
from ..i18n import LANGUAGES
from ..territory.models import Municipality
from . import shortcodes


def poster_sms(municipality: Municipality, subject: Subject | None) -> dict | None:
    """None when no SMS number is configured (SMS_NUMBER). Creates missing codes: the view commits."""
    number = current_app.config.get("SMS_NUMBER")
    if not number:
        return None
    code = shortcodes.municipality_code(municipality)
    subjects = [(subject, shortcodes.subject_code(subject))] if subject else shortcodes.subject_codes(municipality)
    example = f"{code} {subjects[0][1]} 4" if subjects else code
    lines = []
    for lang in LANGUAGES:
        with force_locale(lang):
            lines.append({"lang": lang, "text": _(
                "No internet? Send an SMS to %(number)s, for example %(example)s: the code of this local "
                "government, the code of the service, your score from 1 to 5 and, if you wish, a comment.",
                number=number, example=example)})
    if subject is None:  # the poster of every service also says how to name budget priorities
        from .inbound import _priorities_example

        for lang in LANGUAGES:
            with force_locale(lang):
                lines.append({"lang": lang, "text": _(
                    "To say what next year's local budget should fund first, send %(example)s: %(word)s, the code "
                    "of this local government and up to three codes of local issues, the most important first.",
                    example=_priorities_example(municipality), word=_("BUDGET"))})
    return {"number": str(number), "code": code, "example": example, "lines": lines,
            "subjects": [{"code": short, "names": {lang: s.name(lang) for lang in LANGUAGES}} for s, short in subjects]}
