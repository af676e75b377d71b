"""Who may do what, where. One function per check, used by every protected view and API endpoint.

Outside a user's scope the answer is 404 (the thing is not shown to exist), not 403; a missing role
is 403; not signed in is a redirect to the sign-in page (JSON 401 under /api).
"""
from functools import wraps

from flask import abort, redirect, request, url_for
from flask_login import current_user

from ..i18n import current_lang
from .models import User


def require_role(*roles: str):
    """View decorator: the signed-in user must have one of ``roles``."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                if request.path.startswith("/api/"):
                    abort(401)
                return redirect(url_for("accounts.login", lang=current_lang(), next=request.full_path))
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def can_see_municipality(user: User, municipality) -> bool:
    """Whether the user's scope covers this municipality (for their role's purpose)."""
    if user.role in ("admin", "analyst"):
        return True
    if user.role == "lsg_staff":
        return user.municipality_code == municipality.code
    if user.role in ("moderator", "state_evaluator"):
        return user.region_code is None or user.region_code == municipality.region_code
    if user.role == "monitor":
        if user.region_code is not None:
            return user.region_code == municipality.region_code
        return any(link.municipality_code == municipality.code for link in user.municipalities)
    return False


def can_evaluate(user: User, municipality, subject) -> bool:
    """A state evaluator scores only the delegated powers of their own agency, within their scope."""
    return (user.role == "state_evaluator" and subject.kind == "delegated_power"
            and subject.agency_code == user.agency_code and can_see_municipality(user, municipality))


def can_respond(user: User, evaluation) -> bool:
    """LSG staff answer or contest submitted evaluations of their own municipality."""
    return user.role == "lsg_staff" and user.municipality_code == evaluation.municipality_code


def ensure(allowed: bool) -> None:
    """Stop with 404 when the user's scope does not cover the thing: nothing about it leaks."""
    if not allowed:
        abort(404)
