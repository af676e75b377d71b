"""A message from a resident by SMS or a messenger: parsed, turned into a rating through the same
``submit_rating`` as the web form (once per period, anti-abuse), or into budget priorities through
the same ``transparency.services.submit_priorities`` as the web form, answered in the resident's
language.

The sender's number is the respondent: a keyed hash only (``phone.phone_hash``), counted as verified
(the operator delivered the message from that number), and the same respondent as a web visitor who
verified that number. Messenger users without a phone number (a Telegram id) are respondents by a
keyed hash of their address, not verified. Adds and flushes; the view commits, then sends the reply.
"""
import secrets
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ..catalog.models import Subject
from ..db import db, utcnow
from ..ratings.abuse import Signals
from ..ratings.models import Respondent
from ..ratings.phone import PhoneError, normalise_phone, phone_hash
from ..ratings.respondents import keyed_hash
from ..ratings.services import RatingError, RatingInput, submit_rating
from ..territory.models import Municipality
from . import shortcodes
from .models import InboundMessage, OutboundMessage
from .parsing import parse

GENERIC_EXAMPLE = "AB12 C 4"
GENERIC_PRIORITIES = "AB12 C E H"


@dataclass
class Sender:
    """Who sent the message: a phone number (E.164) or another messenger address."""

    address: str
    phone: str | None  # E.164 when the address is a Kyrgyz phone number

    @property
    def key(self) -> str:
        return phone_hash(self.phone) if self.phone else keyed_hash(self.address, "messenger")


def sender(address: str) -> Sender:
    """``+996555…``, ``tel:+996555…``, ``whatsapp:996555…`` are phones; ``telegram:123`` is not."""
    scheme, _sep, path = address.rpartition(":")
    if scheme in ("", "tel", "whatsapp", "sms"):
        try:
            return Sender(address, normalise_phone(path))
        except PhoneError:
            pass
    return Sender(address, None)


def _respondent(who: Sender) -> Respondent:
    if who.phone:
        hashed = who.key
        respondent = db.session.scalar(select(Respondent).where(Respondent.phone_hash == hashed))
        if respondent is None:
            respondent = Respondent(token=secrets.token_urlsafe(24), phone_hash=hashed, phone_verified_at=utcnow())
            db.session.add(respondent)
        elif respondent.phone_verified_at is None:
            respondent.phone_verified_at = utcnow()
    else:
        token = "messenger-" + who.key[:48]
        respondent = db.session.scalar(select(Respondent).where(Respondent.token == token))
        if respondent is None:
            respondent = Respondent(token=token)
            db.session.add(respondent)
    db.session.flush()
    return respondent


def usual_language(municipality: Municipality | None) -> str:
    # No record says which language a municipality's residents write in: aiyl aimaks mostly write
    # Kyrgyz, city halls mostly Russian. The message's own language, when it shows, comes first.
    return "ru" if municipality is not None and municipality.kind == "city" else "ky"


def _example(municipality: Municipality | None, subject: Subject | None = None) -> str:
    if municipality is None:
        return GENERIC_EXAMPLE
    first = subject or next((s for s, _code in shortcodes.subject_codes(municipality)), None)
    code = shortcodes.subject_code(first) if first else "C"
    return f"{shortcodes.municipality_code(municipality)} {code} 4"


def _help_text(example: str) -> str:
    return _("To rate a service, send: the code of your local government, the code of the service and a "
             "score from 1 (very bad) to 5 (very good); a comment may follow. Example: %(example)s. The "
             "codes are on the poster at your aiyl okmotu or city hall.", example=example) + " " + _priorities_help()


def _budget_word() -> str:
    return _("BUDGET")


def _priorities_example(municipality: Municipality | None = None) -> str:
    if municipality is None:
        return f"{_budget_word()} {GENERIC_PRIORITIES}"
    from ..transparency.services import priority_subjects

    codes = [shortcodes.subject_code(s) for s in priority_subjects(municipality)[:3]]
    return " ".join([_budget_word(), shortcodes.municipality_code(municipality), *codes])


def _priorities_help(example: str | None = None) -> str:
    return _("To say what next year's local budget should fund first, send %(word)s, the code of your local "
             "government and up to three codes of local issues, the most important first. Example: %(example)s.",
             word=_budget_word(), example=example or _priorities_example())


@dataclass
class Handled:
    inbound: InboundMessage
    reply: str
    repeated: bool = False


def handle(gateway: str, gateway_id: str, address: str, text: str) -> Handled:
    """Process one message once: a message already seen (the same gateway id) changes nothing."""
    earlier = db.session.scalar(select(InboundMessage).where(
        InboundMessage.gateway == gateway, InboundMessage.gateway_id == gateway_id))
    if earlier is not None:
        return Handled(earlier, "", repeated=True)
    who = sender(address)
    parsed = parse(text)
    municipality = None
    if parsed.municipality:
        target = shortcodes.lookup("municipality", parsed.municipality)
        municipality = db.session.get(Municipality, target) if target else None
    lang = parsed.lang or usual_language(municipality)
    inbound = InboundMessage(gateway=gateway, gateway_id=gateway_id, phone_hash=who.key, lang=lang, outcome="")
    with force_locale(lang):
        inbound.outcome, reply = _answer(parsed, municipality, who, inbound)
    db.session.add(inbound)
    db.session.flush()
    return Handled(inbound, reply)


def _answer(parsed, municipality, who, inbound) -> tuple[str, str]:
    help_word = _("HELP")
    if parsed.kind == "help":
        return "help", _help_text(GENERIC_EXAMPLE)
    if parsed.kind == "priorities_format":
        return parsed.kind, _("We could not read your message.") + " " + _priorities_help()
    if parsed.kind in ("empty", "format"):
        return parsed.kind, _("We could not read your message. Send for example %(example)s: the code of the local "
                              "government, the code of the service, a score from 1 to 5. Send %(help)s for "
                              "instructions.", example=GENERIC_EXAMPLE, help=help_word)
    if municipality is None or not municipality.is_current:
        return "unknown_municipality", _("There is no local government with the code %(code)s. Check the code on the "
                                         "poster; for example: %(example)s.", code=parsed.municipality,
                                         example=GENERIC_EXAMPLE)
    if parsed.kind == "priorities":
        return _priorities(parsed, municipality, who)
    target = shortcodes.lookup("subject", parsed.subject)
    subject = db.session.get(Subject, target) if target else None
    if subject is None:
        return "unknown_subject", _("There is no service with the code %(code)s. Check the code on the poster; for "
                                    "example: %(example)s. Send %(help)s for instructions.",
                                    code=parsed.subject, example=_example(municipality), help=help_word)
    if not 1 <= parsed.score <= 5:
        return "out_of_range", _("The score must be from 1 to 5; for example: %(example)s.",
                                 example=_example(municipality, subject))
    respondent = _respondent(who)
    data = RatingInput(municipality_code=municipality.code, subject_code=subject.code, overall=parsed.score,
                       comment=parsed.comment, source="api", channel="sms")
    # No client address: every message comes from the gateway's. The per-respondent rules hold.
    signals = Signals(municipality_code=municipality.code, respondent_id=respondent.id, address_hash="")
    try:
        with db.session.begin_nested():
            outcome = submit_rating(data, respondent, signals)
    except RatingError as error:
        return error.code, _("%(problem)s For example: %(example)s.", problem=str(error.message),
                             example=_example(municipality))
    inbound.rating_id = outcome.rating_id
    names = {"score": parsed.score, "subject": subject.name(_lang()), "municipality": municipality.name(_lang())}
    if outcome.replaced:
        return "replaced", _("Thank you! Your score %(score)s for “%(subject)s” in %(municipality)s replaces your "
                             "earlier one for this year.", **names)
    return "rated", _("Thank you! Your score %(score)s for “%(subject)s” in %(municipality)s is recorded.", **names)


def _priorities(parsed, municipality: Municipality, who: Sender) -> tuple[str, str]:
    """Budget priorities by SMS: the same ``submit_priorities`` (once per period, replacing; the
    ratings' anti-abuse rules) with the sender's phone as the respondent; ``source`` "sms"."""
    from ..ratings.services import current_period
    from ..transparency.services import TransparencyError, submit_priorities

    subjects = []
    for code in parsed.issues:
        target = shortcodes.lookup("subject", code)
        subject = db.session.get(Subject, target) if target else None
        if subject is None:
            return "unknown_subject", _("There is no local issue with the code %(code)s. Check the code on the poster; "
                                        "for example: %(example)s.", code=code, example=_priorities_example(municipality))
        subjects.append(subject)
    respondent = _respondent(who)
    signals = Signals(municipality_code=municipality.code, respondent_id=respondent.id, address_hash="")
    try:
        with db.session.begin_nested():
            _priority, replaced = submit_priorities(municipality, [s.code for s in subjects], respondent, signals,
                                                    current_period(), source="sms")
    except TransparencyError as error:
        return "priorities_" + error.code, _("%(problem)s For example: %(example)s.", problem=str(error.message),
                                             example=_priorities_example(municipality))
    names = {"issues": ", ".join(s.name(_lang()) for s in subjects), "municipality": municipality.name(_lang())}
    if replaced:
        return "priorities_replaced", _("Thank you! Your budget priorities for %(municipality)s (%(issues)s) replace "
                                        "your earlier ones for this year.", **names)
    return "priorities", _("Thank you! Your budget priorities for %(municipality)s are recorded: %(issues)s.", **names)


def _lang() -> str:
    from flask_babel import get_locale

    return str(get_locale())


def queue_reply(handled: Handled, gateway: str, address: str) -> OutboundMessage | None:
    """The reply, in the outbox until it is delivered (outbox.deliver); None when nothing to send."""
    if handled.repeated or not handled.reply:
        return None
    to = sender(address).phone or address
    message = OutboundMessage(inbound_id=handled.inbound.id, gateway=gateway, phone=to[:20], text=handled.reply[:640])
    db.session.add(message)
    db.session.flush()
    return message
