"""Routes of the accounts package (under /<lang>/): sign in (with the second factor), sign out, account."""

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask_login import current_user

from ..db import db, utcnow
from ..i18n import current_lang, pull_lang, push_lang
from ..security import limiter, safe_next
from . import services
from .forms import ROLE_NAMES, CodeForm, LoginForm, LogoutForm, PasswordChangeForm
from .models import ROLES
from .policy import require_role
from .sessions import current_session, end_session, signed_in_cookie, start_session

bp = Blueprint("accounts", __name__, url_prefix="/<lang>", template_folder="templates")
bp.url_value_preprocessor(pull_lang)
bp.url_defaults(push_lang)


@bp.app_context_processor
def _role_names():
    return {"role_names": ROLE_NAMES}

# Where each role starts after signing in. Some of these pages may not exist yet in a given build;
# home_url falls back to the public home page then.
ROLE_HOMES = {
    "admin": "admin.home",
    "moderator": "moderation.queue",
    "lsg_staff": "evaluation.staff_home",
    "state_evaluator": "evaluation.evaluator_home",
    "monitor": "transparency.monitor_home",
    "analyst": "compare.analyst_home",
}
# What a user who must enrol a second factor may reach before doing so.
ENROLMENT_ENDPOINTS = {"accounts.totp", "accounts.logout", "static", "site.healthz"}


def _login_limit() -> str:
    return current_app.config.get("ACCOUNTS_LOGIN_RATE_LIMIT", "20 per minute")


def home_url(user) -> str:
    endpoint = ROLE_HOMES.get(user.role, "territory.home")
    if endpoint not in current_app.view_functions:
        endpoint = "territory.home"
    return url_for(endpoint, lang=current_lang())



def _after_sign_in(user, next_url: str | None):
    return redirect(safe_next(next_url) or home_url(user), code=303)


@bp.before_app_request
def require_enrolment():
    """Users whose role needs a second factor and who have none yet: enrol before anything else."""
    if request.endpoint in ENROLMENT_ENDPOINTS or not signed_in_cookie() or not current_user.is_authenticated:
        return None
    row = current_session()
    if row is None or row.second_factor_done or not current_user.needs_second_factor or current_user.totp_enabled:
        return None
    if request.path.startswith("/api/"):
        abort(403)
    return redirect(url_for("accounts.totp", lang=current_lang()))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    form = LoginForm()
    status = 200
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    elif form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except services.AccountError as error:
            db.session.commit()  # a failed attempt counts toward the lock
            form.password.errors = [error.message]
            status = 400
        else:
            next_url = safe_next(form.next.data)
            if user.totp_enabled:
                start_session(user, second_factor_done=False)
                return redirect(url_for("accounts.login_code", next=next_url), code=303)
            if user.needs_second_factor:
                start_session(user, second_factor_done=False)
                return redirect(url_for("accounts.totp"), code=303)
            start_session(user, second_factor_done=True)
            return _after_sign_in(user, next_url)
    else:
        status = 400
    form.password.data = ""
    return render_template("accounts/login.html", form=form, lang=g.lang), status


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login_code():
    row = current_session()
    if row is None:
        return redirect(url_for("accounts.login"))
    user = row.user
    if row.second_factor_done or not user.totp_enabled:
        return redirect(home_url(user))
    form = CodeForm()
    status = 200
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    elif form.validate_on_submit():
        try:
            services.check_second_factor(user, form.code.data)
        except services.AccountError as error:
            # Answered 400 (the boundary would roll back): the failed attempt and the ended session
            # must be stored all the same.
            db.session.commit()
            if isinstance(error, services.LoginLocked):
                end_session()
                db.session.commit()
            form.code.errors = [error.message]
            status = 400
        else:
            # A new token once both factors are given: the half-signed-in one cannot be reused.
            row.ended_at = utcnow()
            start_session(user, second_factor_done=True)
            return _after_sign_in(user, form.next.data)
    else:
        status = 400
    return render_template("accounts/login_code.html", form=form, lang=g.lang), status


@bp.post("/logout")
def logout():
    # CSRFProtect has already checked the token of this POST.
    end_session()
    return redirect(url_for("territory.home", lang=current_lang()), code=303)


def _account_page(password_form=None, status=200):
    return render_template(
        "accounts/account.html", user=current_user, lang=g.lang, saved=request.args.get("saved"),
        password_form=password_form or PasswordChangeForm(formdata=None), logout_form=LogoutForm(formdata=None),
        totp_form=CodeForm(formdata=None), min_length=services.min_password_length(),
        sessions=services.open_session_count(current_user),
    ), status


@bp.get("/account")
@require_role(*ROLES)
def account():
    return _account_page()


@bp.post("/account/password")
@require_role(*ROLES)
def change_password():
    form = PasswordChangeForm()
    if form.validate():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data,
                                     keep=current_session())
        except services.AccountError as error:
            db.session.rollback()
            field = getattr(form, error.field, form.password)
            field.errors = list(field.errors) + [error.message]
        else:
            return redirect(url_for("accounts.account", saved="password"), code=303)
    for field in (form.current_password, form.password, form.confirm):
        field.data = ""
    return _account_page(form, 400)


@bp.route("/account/totp", methods=["GET", "POST"])
@require_role(*ROLES)
def totp():
    user = current_user._get_current_object()
    if user.totp_enabled:
        return redirect(url_for("accounts.account"))
    row = current_session()
    forced = row is not None and not row.second_factor_done and user.needs_second_factor
    form = CodeForm()
    status = 200
    services.start_totp_enrolment(user)
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.confirm_totp_enrolment(user, form.code.data)
            except services.AccountError as error:
                form.code.errors = [error.message]
            else:
                if row is not None:
                    row.second_factor_done = True
                if forced:
                    return redirect(home_url(user), code=303)
                return redirect(url_for("accounts.account", saved="totp"), code=303)
        status = 400
    db.session.commit()  # the pending secret, so that the QR code stays the same on reload
    uri = services.provisioning_uri(user)
    return render_template("accounts/totp.html", form=form, lang=g.lang, forced=forced, secret=user.totp_secret,
                           qr=services.qr_svg(uri), logout_form=LogoutForm(formdata=None)), status


@bp.post("/account/totp/disable")
@require_role(*ROLES)
def totp_disable():
    form = CodeForm()
    if form.validate():
        try:
            services.disable_totp(current_user, form.code.data)
        except services.AccountError as error:
            db.session.rollback()
            form.code.errors = [error.message]
        else:
            return redirect(url_for("accounts.account", saved="totp_off"), code=303)
    return render_template(
        "accounts/account.html", user=current_user, lang=g.lang, saved=None,
        password_form=PasswordChangeForm(formdata=None), logout_form=LogoutForm(formdata=None), totp_form=form,
        min_length=services.min_password_length(), sessions=services.open_session_count(current_user),
    ), 400
