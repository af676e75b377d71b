"""Cross-cutting protections: CSRF on every form, rate limits, response headers."""
import hashlib
import ipaddress
import os
from urllib.parse import urlsplit

import flask_limiter
from flask import Flask, current_app, g, request, session
from flask_limiter.util import get_remote_address
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect, _FlaskFormCSRF
from itsdangerous import Serializer, Signer, TimestampSigner, URLSafeSerializer, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode
from werkzeug.middleware.proxy_fix import ProxyFix

from .i18n import FormTranslations

csrf = CSRFProtect()


class Limiter(flask_limiter.Limiter):
    """Flask-Limiter, not consulted at all for a read (``_a_read``) nor in an app whose limits are
    off: its request filters are asked only after it has resolved the endpoint's limits and begun
    evaluating them, once in its before_request hook and again in each limited view's wrapper."""

    def _check_request_limit(self, callable_name=None, in_middleware=True) -> None:
        if _a_read() or _limits_off():
            return
        super()._check_request_limit(callable_name=callable_name, in_middleware=in_middleware)


limiter = Limiter(key_func=get_remote_address, default_limits=[])

# No external fonts, scripts or trackers: everything comes from this origin.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)


class _FormCSRF(_FlaskFormCSRF):
    """Flask-WTF's form CSRF, its token made by ``csrf_token`` (checked by Flask-WTF as before)."""

    def generate_csrf_token(self, csrf_token_field):
        return csrf_token()


class Form(FlaskForm):
    """Base of every form: CSRF from Flask-WTF, validator messages from our catalogs."""

    class Meta:
        csrf_class = _FormCSRF

        def get_translations(self, form):
            return FormTranslations()


# Signed values shorter than this are never offered to zlib (see SignedSerializer).
COMPRESS_FROM = 256


class _ShortUncompressed:
    """itsdangerous' URL-safe serializers try zlib on every payload and keep the result only when
    shorter. Each try sets up a whole deflate state (hundreds of KB), costing more than the
    signature, and can never shorten what a new visitor gets signed — random hex and base64 (the
    session's CSRF secret, the CSRF token, the form stamp, the respondent's token). Payloads shorter
    than COMPRESS_FROM are therefore not tried: the same format as before (``loads`` reads both).
    The signer of the serializer's own salt is kept too, with its derived key (itsdangerous makes
    both again, one more HMAC, for every value it signs)."""

    def dump_payload(self, obj) -> bytes:
        json = Serializer.dump_payload(self, obj)
        if len(json) >= COMPRESS_FROM:
            return super().dump_payload(obj)
        return base64_encode(json)

    def make_signer(self, salt=None):
        if salt is not None and salt != self.salt:
            return super().make_signer(salt)
        kept = self.__dict__.get("_kept_signer")
        if kept is None:
            kept = self._kept_signer = super().make_signer(salt)
        return kept


class _KeptKey:
    """A signer that derives its current key once (its keys and salt never change)."""

    def derive_key(self, secret_key=None) -> bytes:
        if secret_key is not None:
            return super().derive_key(secret_key)
        key = self.__dict__.get("_derived")
        if key is None:
            key = self._derived = super().derive_key()
        return key


class _KeptKeyTimestampSigner(_KeptKey, TimestampSigner):
    pass


class _KeptKeySigner(_KeptKey, Signer):
    pass


class SignedSerializer(_ShortUncompressed, URLSafeTimedSerializer):
    """URLSafeTimedSerializer, short payloads not offered to zlib (``_ShortUncompressed``)."""

    default_signer = _KeptKeyTimestampSigner


class UntimedSignedSerializer(_ShortUncompressed, URLSafeSerializer):
    """URLSafeSerializer, short payloads not offered to zlib (``_ShortUncompressed``)."""

    default_signer = _KeptKeySigner


_csrf_signers: dict = {}


def csrf_token() -> str:
    """Flask-WTF's CSRF token of this request (``generate_csrf``: the session's secret, created when
    absent, signed with the secret key), signed here by a SignedSerializer kept per key; Flask-WTF
    checks it on the post as always (``validate_csrf``). Honours the same configuration."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME") or "csrf_token"
    if field not in g:
        key = current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
        signer = _csrf_signers.get(key)
        if signer is None:
            signer = _csrf_signers[key] = SignedSerializer(key, salt="wtf-csrf-token")
        if not isinstance(session.get(field), str):
            session[field] = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324 - as Flask-WTF makes it
        setattr(g, field, signer.dumps(session[field]))
    return g.get(field)


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


SECURITY_HEADERS = (("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin"),
                    ("Content-Security-Policy", CONTENT_SECURITY_POLICY), ("X-Frame-Options", "DENY"))


def set_headers(response):
    # Each only where the view set none (werkzeug's setdefault raises and catches a KeyError per
    # missing header: four exceptions per response).
    present = {name.lower() for name, _ in response.headers.items()}
    for name, value in SECURITY_HEADERS:
        if name.lower() not in present:
            response.headers.add(name, value)
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
    app.context_processor(lambda: {"csrf_token": csrf_token})  # in templates too (after Flask-WTF's own)
    # Flask-Limiter keeps "enabled" on the one Limiter object, so the last app initialised would
    # decide for all (tests build several apps). Keep it enabled and decide per app, per request.
    wanted = app.config["RATELIMIT_ENABLED"]
    app.config["RATELIMIT_ENABLED"] = True
    limiter.init_app(app)
    app.config["RATELIMIT_ENABLED"] = wanted
    if _limits_off not in limiter._request_filters:  # also for what Limiter.check and shared limits ask
        limiter.request_filter(_limits_off)
    app.after_request(set_headers)
