"""Optional phone verification: enter the number, receive a code by SMS, type it in."""
from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..db import db
from ..i18n import pull_lang, push_lang
from ..security import limiter, safe_next
from .phone import DEFAULTS, PhoneError, confirm_code, pending_verification, request_code
from .phone_forms import CodeForm, PhoneForm
from .respondents import current_respondent, switch_respondent
from .sms import SmsError, get_backend

phone_bp = Blueprint("phone", __name__, url_prefix="/<lang>", template_folder="templates")
phone_bp.url_value_preprocessor(pull_lang)
phone_bp.url_defaults(push_lang)

# Errors after which typing the code again cannot help: the resident needs a new code.
NEEDS_NEW_CODE = ("no_code", "expired", "too_many_attempts")


def error_message(code: str) -> str:
    messages = {
        "invalid": lambda: _("This does not look like a Kyrgyz mobile number. Write it like this: 0555 12 34 56."),
        "not_kyrgyz": lambda: _("Only Kyrgyz mobile numbers (+996) can be verified."),
        "too_many_codes": lambda: _("Too many codes were requested for this number. Please try again in an hour."),
        "no_code": lambda: _("There is no code waiting to be confirmed. Request a new code."),
        "expired": lambda: _("The code has expired. Request a new code."),
        "too_many_attempts": lambda: _("Too many wrong attempts. Request a new code."),
        "wrong_code": lambda: _("The code is wrong. Check the SMS and try again."),
    }
    return messages.get(code, messages["invalid"])()



def sms_text(code: str) -> str:
    # i18n: the SMS with the one-time code; keep it short (Cyrillic SMS hold 70 characters).
    return _("Local Voice code: %(code)s. Do not tell it to anyone.", code=code)


@phone_bp.route("/verify", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config.get("PHONE_CODE_RATE_LIMIT", "5 per hour"), methods=["POST"])
def verify():
    form = PhoneForm()
    next_url = safe_next(form.next.data if request.method == "POST" else request.args.get("next"))
    form.next.data = next_url or ""
    if form.validate_on_submit():
        try:
            issued = request_code(current_respondent(), form.phone.data)
        except PhoneError as exc:
            form.phone.errors.append(error_message(exc.code))
        else:
            db.session.commit()  # the code is stored before it is sent (never an SMS for a code we lost)
            try:
                get_backend(current_app).send(issued.phone, sms_text(issued.code))
            except SmsError:
                current_app.logger.warning("phone verification: the SMS was not sent", exc_info=True)
                form.phone.errors.append(_("We could not send the SMS. Please try again in a few minutes."))
            else:
                return redirect(url_for(".code", next=next_url))
    return render_template("ratings/verify_phone.html", form=form, next_url=next_url)


@phone_bp.route("/verify/code", methods=["GET", "POST"])
def code():
    form = CodeForm()
    next_url = safe_next(form.next.data if request.method == "POST" else request.args.get("next"))
    form.next.data = next_url or ""
    respondent = current_respondent(create=False)
    if pending_verification(respondent) is None:
        return redirect(url_for(".verify", next=next_url))
    needs_new_code = False
    if form.validate_on_submit():
        try:
            verified = confirm_code(respondent, form.code.data)
        except PhoneError as exc:
            # A wrong attempt is counted: keep the count even though the request failed.
            db.session.commit()
            form.code.errors.append(error_message(exc.code))
            needs_new_code = exc.code in NEEDS_NEW_CODE
        else:
            if verified is not respondent:
                switch_respondent(verified)
            return redirect(url_for(".done", next=next_url))
    minutes = max(int(current_app.config.get("PHONE_CODE_TTL_SECONDS", DEFAULTS["PHONE_CODE_TTL_SECONDS"])) // 60, 1)
    return render_template("ratings/verify_code.html", form=form, next_url=next_url, minutes=minutes,
                           needs_new_code=needs_new_code)


@phone_bp.get("/verify/done")
def done():
    next_url = safe_next(request.args.get("next"))
    respondent = current_respondent(create=False)
    if respondent is None or not respondent.verified:
        return redirect(url_for(".verify", next=next_url))
    return render_template("ratings/verify_done.html", next_url=next_url)
