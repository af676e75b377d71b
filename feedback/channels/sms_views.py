"""The inbound webhook for SMS gateways and RapidPro (which brings Telegram, WhatsApp and Viber).

Two body formats, one rule for both:

- ``POST /channels/sms/inbound`` — our simple format, JSON
  ``{"id": "<gateway message id>", "from": "+996555123456", "text": "AB12 C 4 comment"}``.
  The reply is sent back to the number through the SMS backend (``SMS_BACKEND``), from the outbox.
- ``POST /channels/rapidpro/inbound`` — the body of RapidPro's "Call webhook" flow action (its
  default payload: ``contact.urn``, ``input.text``, ``input.uuid``, …); the reply is in the response
  (``{"reply": "…"}``) for the flow to send with ``@webhook.json.reply`` on the resident's channel.

Authentication: ``X-Timestamp`` (Unix seconds) and ``X-Signature: sha256=<hex>``, the HMAC-SHA256 of
``<timestamp>.<body>`` with ``SMS_WEBHOOK_SECRET``. A timestamp older or newer than
``SMS_WEBHOOK_MAX_AGE_SECONDS`` (300) is refused, so a captured request cannot be replayed later; within
that window the gateway id makes a resent message change nothing and get no second reply.

RapidPro's "Call webhook" action cannot compute that signature, but its flow sets request headers:
the RapidPro endpoint also accepts ``Authorization: Token <FEEDBACK_RAPIDPRO_TOKEN>`` (compared in
constant time). Such a request has no timestamp: a replayed copy is harmless because the message is
processed once by its id (``input.uuid``), and the replay gets the first reply again, nothing more.
A request with neither a valid signature nor the right token is refused (403) before anything is read.
"""
import hashlib
import hmac
import time

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from .. import delivery
from ..db import db
from ..errors import json_error
from ..security import csrf
from . import inbound, outbox

bp = Blueprint("sms", __name__, url_prefix="/channels")
csrf.exempt(bp)

MAX_TEXT = 1600


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def _refusal():
    """A JSON error when the request is not signed by the gateway or is too old; None when it is."""
    secret = current_app.config.get("SMS_WEBHOOK_SECRET")
    if not secret:
        return json_error(404, "not_configured", _("This channel is not configured."))
    timestamp = request.headers.get("X-Timestamp", "")
    given = request.headers.get("X-Signature", "").removeprefix("sha256=")
    if not timestamp.isdigit() or not hmac.compare_digest(given, signature(str(secret), timestamp, request.get_data())):
        return json_error(401, "bad_signature", _("The signature of the request is not valid."))
    max_age = int(current_app.config.get("SMS_WEBHOOK_MAX_AGE_SECONDS", 300))
    if abs(time.time() - int(timestamp)) > max_age:
        return json_error(401, "stale", _("The request is too old or from the future; it may be a replay."))
    return None


def _token_refusal():
    """RapidPro's way: the shared token in the Authorization header (``Token <secret>``; ``Bearer``
    accepted too). A JSON error unless it is present and right; None when it is."""
    token = str(current_app.config.get("RAPIDPRO_TOKEN") or "")
    if not token:
        if current_app.config.get("SMS_WEBHOOK_SECRET"):
            return json_error(403, "bad_token", _("The token of the request is not valid."))
        return json_error(404, "not_configured", _("This channel is not configured."))
    scheme, _sep, given = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() not in ("token", "bearer") or not hmac.compare_digest(given.strip().encode(), token.encode()):
        return json_error(403, "bad_token", _("The token of the request is not valid."))
    return None


def _fields(payload, *paths):
    for path in paths:
        value = payload
        for key in path.split("."):
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, str | int) and str(value).strip():
            return str(value).strip()
    return None


def _process(gateway: str, gateway_id, address, text):
    if not gateway_id or not address or text is None or len(gateway_id) > 100 or len(text) > MAX_TEXT:
        return None, json_error(400, "invalid", _("The message needs an id, a sender and a text."))
    try:
        handled = inbound.handle(gateway, gateway_id, address, text)
    except IntegrityError:
        # Two requests raced (the gateway resent a message still being processed, or two first
        # messages from one new number): the gateway retries this one later, and it is then seen once.
        db.session.rollback()
        return None, json_error(409, "conflict", _("This message is being processed; send it again later."))
    return handled, None


@bp.post("/sms/inbound")
def sms_inbound():
    refused = _refusal()
    if refused:
        return refused
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return json_error(400, "malformed_json", _("The request body is not a valid JSON object."))
    text = payload.get("text") if isinstance(payload.get("text"), str) else None
    handled, error = _process("sms", _fields(payload, "id"), _fields(payload, "from"), text)
    if error:
        return error
    message = inbound.queue_reply(handled, "sms", _fields(payload, "from"))
    response = jsonify({"status": "duplicate" if handled.repeated else "ok", "outcome": handled.inbound.outcome})
    return delivery.dispatch(response, outbox.KIND, [message.id] if message is not None else [])


@bp.post("/rapidpro/inbound")
def rapidpro_inbound():
    refused = _refusal() if "X-Signature" in request.headers else _token_refusal()
    if refused:
        return refused
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return json_error(400, "malformed_json", _("The request body is not a valid JSON object."))
    text = _fields(payload, "input.text", "text") or ""
    address = _fields(payload, "input.urn", "contact.urn", "urn", "from")
    handled, error = _process("rapidpro", _fields(payload, "input.uuid", "id"), address, text)
    if error:
        return error
    return jsonify({"status": "duplicate" if handled.repeated else "ok", "outcome": handled.inbound.outcome,
                    "reply": handled.reply})
