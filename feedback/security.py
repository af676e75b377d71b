"""Cross-cutting protections: CSRF on every form, rate limits, response headers."""
import ipaddress
from urllib.parse import urlsplit

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from .i18n import FormTranslations

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

# No external fonts, scripts or trackers: everything comes from this origin.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)


class Form(FlaskForm):
    """Base of every form: CSRF from Flask-WTF, validator messages from our catalogs."""

    class Meta:
        def get_translations(self, form):
            return FormTranslations()


def same_origin() -> bool:
    """The request comes from a page of this site, or from a client that is not a browser.

    Browsers send Origin on cross-site POSTs (and Sec-Fetch-Site); non-browser API clients send
    neither and have no cookie of ours to abuse.
    """
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return False
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    return origin.rstrip("/") == request.host_url.rstrip("/")


def safe_next(target: str | None) -> str | None:
    """A ``next`` URL only if it is a path on this site: no scheme or host (an open redirect), no
    scheme-relative or backslash tricks, no control characters."""
    if not target or len(target) > 500 or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
                     "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX", "HTTP_FORWARDED")


class TrustedProxies:
    """X-Forwarded-* headers count only when the connection comes from one of our proxies
    (``TRUSTED_PROXIES``: addresses or networks); then the client address is the one the nearest
    ``PROXY_COUNT`` proxies saw. Sent by anyone else (straight to gunicorn) they are dropped, so a
    forged X-Forwarded-For can neither escape a rate limit nor an anti-abuse rule."""

    def __init__(self, app, count: int, trusted):
        self.app = app
        self.fixed = ProxyFix(app, x_for=count, x_proto=count, x_host=count, x_port=count)
        items = trusted.split(",") if isinstance(trusted, str) else trusted
        self.trusted = [ipaddress.ip_network(item.strip(), strict=False) for item in items if item.strip()]

    def _trusted(self, peer: str) -> bool:
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False
        return any(address in network for network in self.trusted)

    def __call__(self, environ, start_response):
        if self._trusted(environ.get("REMOTE_ADDR", "")):
            return self.fixed(environ, start_response)
        for name in FORWARDED_HEADERS:
            environ.pop(name, None)
        return self.app(environ, start_response)


def set_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "public, max-age=604800"
    return response


def _limits_off() -> bool:
    return not current_app.config["RATELIMIT_ENABLED"]


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _a_read() -> bool:
    """Rate limits guard writes (ratings, codes, logins, answers' judgements): every limit declared
    applies to POST alone (tests/test_security_limits.py checks it), so a read skips the limiter."""
    return request.method in SAFE_METHODS


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    # Flask-Limiter keeps "enabled" on the one Limiter object, so the last app initialised would
    # decide for all (tests build several apps). Keep it enabled and decide per app, per request.
    wanted = app.config["RATELIMIT_ENABLED"]
    app.config["RATELIMIT_ENABLED"] = True
    limiter.init_app(app)
    app.config["RATELIMIT_ENABLED"] = wanted
    for request_filter in (_a_read, _limits_off):
        if request_filter not in limiter._request_filters:
            limiter.request_filter(request_filter)
    app.after_request(set_headers)
