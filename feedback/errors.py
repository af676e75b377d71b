"""Error pages in the visitor's language, JSON errors under /api, 503 when the database is down."""
from flask import Flask, g, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from .db import db
from .i18n import LANGUAGES, guess_lang


def _lang_from_path() -> None:
    first = request.path.strip("/").split("/", 1)[0]
    if g.get("lang") not in LANGUAGES:
        g.lang = first if first in LANGUAGES else guess_lang()


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(status: int, code: str, message: str, **extra):
    response = jsonify({"error": {"code": code, "message": message, **extra}})
    response.status_code = status
    return response


ERROR_MESSAGES = {
    400: ("bad_request", lambda: _("The request could not be understood.")),
    403: ("forbidden", lambda: _("You do not have access to this page.")),
    404: ("not_found", lambda: _("This page does not exist.")),
    405: ("method_not_allowed", lambda: _("This method is not allowed here.")),
    413: ("too_large", lambda: _("The request is too large.")),
    415: ("unsupported_media_type", lambda: _("Send the request as JSON.")),
    429: ("too_many_requests", lambda: _("Too many requests. Please wait a little and try again.")),
    500: ("server_error", lambda: _("Something went wrong on our side. Please try again later.")),
    503: ("unavailable", lambda: _("The service is temporarily unavailable. Please try again later.")),
}


RETRY_AFTER_SECONDS = 30


def render_error(status: int):
    _lang_from_path()
    code, message = ERROR_MESSAGES.get(status, ERROR_MESSAGES[500])
    if wants_json():
        response = json_error(status, code, message())
    else:
        response = make_response(render_template("errors/error.html", status=status, message=message()), status)
    if status == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code in ERROR_MESSAGES:
            return render_error(exc.code)
        return exc

    @app.errorhandler(DataError)
    def bad_data(exc):
        # A value the database cannot hold (a NUL byte in PostgreSQL): the request was bad.
        db.session.rollback()
        return render_error(400)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_down(exc):
        _quiet_rollback()
        # The class only: the message of a failed statement may quote the values it carried.
        orig = getattr(exc, "orig", None) or exc
        app.logger.error("database unavailable: %s %s", type(orig).__name__,
                         getattr(orig, "sqlite_errorname", "") or getattr(orig, "sqlstate", "") or "")
        return render_error(503)

    @app.errorhandler(Exception)
    def server_error(exc):
        app.logger.exception("unhandled error")
        _quiet_rollback()
        return render_error(500)


def _quiet_rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # the session may be unusable; the error page must still render
        pass
