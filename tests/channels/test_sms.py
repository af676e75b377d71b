"""SMS and messengers: parsing what residents type, the signed webhook (bad signature, replay,
idempotency by gateway id), replies in the resident's language through the outbox, and the same
rules as the web: once per period for one phone across web and SMS, and the same anti-abuse."""
import datetime as dt
import json
import time

import pytest
from sqlalchemy import func, select

from feedback import delivery
from feedback.channels import shortcodes
from feedback.channels.models import InboundMessage, OutboundMessage, ShortCode
from feedback.channels.parsing import parse
from feedback.channels.sms_views import signature
from feedback.db import db
from feedback.ratings.models import Rating, Respondent
from feedback.ratings.phone import phone_hash
from feedback.ratings.sms import SmsBackend, SmsError
from feedback.territory.models import Municipality
from tests.ratings.test_phone import Browser, Outbox
from tests.ratings.test_views import AK_BULUN, KARAKOL, Resident

SECRET = "gateway-shared-secret"
PHONE = "+996555123456"
URL = "/channels/sms/inbound"


# --- parsing ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "AB12 C 4", "ab12 c 4", "  AB12   C   4  ", "AB12C4", "AB-12, C. 4", "Ab 12 c-4",
    "АВ12 С 4",  # Cyrillic А, В, С typed for the Latin letters
    "AB1 2 C 4", "ав12с4",
])
def test_codes_are_read_however_they_are_typed(text):
    parsed = parse(text)
    assert (parsed.kind, parsed.municipality, parsed.subject, parsed.score) == ("rating", "AB12", "C", 4)


def test_a_letter_o_typed_for_a_zero_and_the_comment_kept_as_typed():
    parsed = parse("ав1о с 2   суу  таза эмес, көп жолу")
    assert (parsed.municipality, parsed.subject, parsed.score) == ("AB10", "C", 2)
    assert parsed.comment == "суу таза эмес, көп жолу" and parsed.lang == "ky"
    assert parse("AB12 C 2 вода грязная").lang == "ru"
    assert parse("AB12 C 2").lang is None


@pytest.mark.parametrize("text,lang", [
    ("ЖАРДАМ", "ky"), ("жардам", "ky"), ("ЖАРДАМ!", "ky"), ("жардм", "ky"), ("jardam", "ky"),
    ("ПОМОЩЬ", "ru"), ("помощ", "ru"), ("Помошь", "ru"), ("pomosh", "ru"),
    ("HELP", None), ("help", None), ("hepl", None), ("?", None),
])
def test_help_words_with_misspellings(text, lang):
    parsed = parse(text)
    assert parsed.kind == "help" and parsed.lang == lang


@pytest.mark.parametrize("text,kind", [("", "empty"), ("   ", "empty"), ("hello there", "format"),
                                       ("AB12 4", "format"), ("AB12 C 45", "format"), ("12AB C 4", "format")])
def test_what_is_not_a_rating(text, kind):
    assert parse(text).kind == kind


# --- the webhook -----------------------------------------------------------------------------------

@pytest.fixture
def gateway(app, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_WEBHOOK_SECRET", SECRET)
    monkeypatch.setitem(app.config, "ABUSE_MIN_FILL_SECONDS", 0)
    sent = Outbox()
    monkeypatch.setitem(app.config, "SMS_BACKEND", sent)
    return Gateway(app, sent)


class Gateway:
    def __init__(self, app, sent):
        self.client, self.sent, self.ids = app.test_client(), sent, iter(range(1, 10**6))

    def post(self, body, *, url=URL, timestamp=None, secret=SECRET, signed=None):
        raw = json.dumps(body, ensure_ascii=False).encode()
        timestamp = str(int(time.time()) if timestamp is None else timestamp)
        signed = signed if signed is not None else "sha256=" + signature(secret, timestamp, raw)
        response = self.client.post(url, data=raw, content_type="application/json",
                                    headers={"X-Timestamp": timestamp, "X-Signature": signed})
        response.close()  # runs call_on_close: the reply is delivered after the answer
        return response

    def sms(self, text, phone=PHONE, message_id=None, **kwargs):
        return self.post({"id": message_id or f"gw-{next(self.ids)}", "from": phone, "text": text}, **kwargs)

    @property
    def replies(self) -> list[str]:
        return [text for _to, text in self.sent.sent]


def code_of(code: str) -> str:
    return shortcodes.municipality_code(db.session.get(Municipality, code))


def subject_of(code: str) -> str:
    from feedback.catalog.models import Subject

    return shortcodes.subject_code(db.session.get(Subject, code))


def sms_ratings():
    return list(db.session.scalars(select(Rating).where(Rating.channel == "sms")))


def test_a_message_becomes_a_verified_rating_and_is_answered_in_kyrgyz(gateway):
    text = f"{code_of(AK_BULUN).lower()} {subject_of('LI-WATER')} 4"
    response = gateway.sms(text)
    assert response.status_code == 200 and response.get_json()["outcome"] == "rated"
    [rating] = sms_ratings()
    assert (rating.municipality_code, rating.subject_code, rating.overall) == (AK_BULUN, "LI-WATER", 4)
    assert rating.verified and rating.status == "accepted"
    assert rating.respondent.phone_hash == phone_hash(PHONE)
    # No comment: the language of an aiyl aimak; the reply names the service in Kyrgyz.
    [(to, reply)] = gateway.sent.sent
    assert to == PHONE and reply.startswith("Рахмат!") and "Ичүүчү суу" in reply
    [queued] = db.session.scalars(select(OutboundMessage))
    assert queued.sent_at is not None and queued.phone is None  # delivered, number erased
    assert PHONE not in json.dumps([m.phone_hash for m in db.session.scalars(select(InboundMessage))])


def test_a_russian_comment_is_answered_in_russian_and_kept(gateway):
    gateway.sms(f"{code_of(AK_BULUN)} {subject_of('LI-WATER')} 2 вода мутная")
    [rating] = sms_ratings()
    assert rating.comment == "вода мутная" and rating.comment_status == "pending"
    assert gateway.replies[-1].startswith("Спасибо!") and "Питьевая вода" in gateway.replies[-1]


def test_a_city_without_comment_is_answered_in_russian(gateway):
    gateway.sms(f"{code_of(KARAKOL)} {subject_of('LI-WATER')} 5")
    assert gateway.replies[-1].startswith("Спасибо!")


@pytest.mark.parametrize("text,lang,expected", [
    ("ЖАРДАМ", "ky", "Баа берүү үчүн"), ("помощ", "ru", "Чтобы оценить"), ("HELP", "ky", "Баа берүү үчүн"),
])
def test_help_gives_instructions(gateway, text, lang, expected):
    response = gateway.sms(text)
    assert response.get_json()["outcome"] == "help"
    assert gateway.replies[-1].startswith(expected)
    assert sms_ratings() == []


def test_mistakes_are_explained_with_an_example_and_store_nothing(gateway):
    ak_bulun, water = code_of(AK_BULUN), subject_of("LI-WATER")
    unknown = next(f"KK{n:02d}" for n in range(100) if shortcodes.lookup("municipality", f"KK{n:02d}") is None)
    cases = [
        (f"{unknown} {water} 4 вода", "unknown_municipality", unknown),
        (f"{ak_bulun} XX 4", "unknown_subject", f"{ak_bulun} "),
        (f"{ak_bulun} {water} 7", "out_of_range", f"{ak_bulun} {water} 4"),
        ("салам", "format", "AB12 C 4"),
    ]
    for text, outcome, example in cases:
        response = gateway.sms(text)
        assert response.get_json()["outcome"] == outcome
        assert example in gateway.replies[-1], gateway.replies[-1]
    assert "ЖАРДАМ" in gateway.replies[1]  # the help word in the resident's language
    assert sms_ratings() == []


def test_a_bad_signature_is_refused_and_changes_nothing(gateway):
    text = f"{code_of(AK_BULUN)} {subject_of('LI-WATER')} 4"
    for kwargs in ({"secret": "another secret"}, {"signed": "sha256=00"}, {"signed": ""}):
        response = gateway.sms(text, **kwargs)
        assert response.status_code == 401 and response.get_json()["error"]["code"] == "bad_signature"
    assert sms_ratings() == [] and gateway.sent.sent == []
    assert db.session.scalar(select(func.count()).select_from(InboundMessage)) == 0


def test_the_webhook_is_closed_without_a_secret(gateway, app, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_WEBHOOK_SECRET", None)
    assert gateway.sms("ЖАРДАМ").status_code == 404


def test_a_replay_is_refused_and_a_resent_message_is_processed_once(gateway):
    text = f"{code_of(AK_BULUN)} {subject_of('LI-WATER')} 4"
    assert gateway.sms(text, message_id="gw-77").get_json()["status"] == "ok"
    again = gateway.sms(text, message_id="gw-77")
    assert again.status_code == 200 and again.get_json()["status"] == "duplicate"
    old = gateway.sms(text, message_id="gw-78", timestamp=int(time.time()) - 3600)
    assert old.status_code == 401 and old.get_json()["error"]["code"] == "stale"
    assert len(sms_ratings()) == 1 and len(gateway.sent.sent) == 1


def test_one_phone_rates_once_per_period_across_web_and_sms(gateway, app):
    browser = Browser(app)
    assert browser.verify("ru", "0555 12 34 56", gateway.sent).status_code == 302
    web = Resident(app)
    web.client = browser.client
    web.rate_and_thank(AK_BULUN, "LI-WATER", overall="5")
    [rating] = db.session.scalars(select(Rating))
    assert rating.channel == "web" and rating.verified

    response = gateway.sms(f"{code_of(AK_BULUN)} {subject_of('LI-WATER')} 2")
    assert response.get_json()["outcome"] == "replaced"
    db.session.expire_all()  # the request ran in its own session
    [rating] = db.session.scalars(select(Rating))
    assert (rating.channel, rating.overall, rating.replacements) == ("sms", 2, 1)
    assert db.session.scalar(select(func.count()).select_from(Respondent).where(Respondent.phone_hash.is_not(None))) == 1


def test_sms_first_then_the_same_phone_on_the_web_replaces_it(gateway, app):
    gateway.sms(f"{code_of(AK_BULUN)} {subject_of('LI-WATER')} 2")
    browser = Browser(app)
    browser.verify("ky", PHONE, gateway.sent)
    web = Resident(app)
    web.client = browser.client
    web.rate_and_thank(AK_BULUN, "LI-WATER", lang="ky", overall="4")
    [rating] = db.session.scalars(select(Rating))
    assert (rating.channel, rating.overall) == ("web", 4)


def test_sms_ratings_meet_the_same_anti_abuse_rules(gateway, app, monkeypatch):
    monkeypatch.setitem(app.config, "ABUSE_BURST_PER_DEVICE", 1)
    ak_bulun = code_of(AK_BULUN)
    gateway.sms(f"{ak_bulun} {subject_of('LI-WATER')} 4")
    gateway.sms(f"{ak_bulun} {subject_of('LI-ROADS')} 4")
    statuses = {r.subject_code: (r.status, r.quarantine_rule) for r in sms_ratings()}
    assert statuses == {"LI-WATER": ("accepted", None), "LI-ROADS": ("quarantined", "burst_device")}


def test_rapidpro_webhook_answers_in_the_response(gateway):
    body = {"contact": {"uuid": "c-1", "urn": "whatsapp:996555123456"},
            "input": {"uuid": "in-1", "text": f"{code_of(AK_BULUN)} {subject_of('LI-WATER')} 3 вода есть"}}
    response = gateway.post(body, url="/channels/rapidpro/inbound")
    assert response.status_code == 200
    assert response.get_json()["reply"].startswith("Спасибо!")
    assert gateway.sent.sent == []  # RapidPro sends the reply on the resident's own channel
    [rating] = sms_ratings()
    assert rating.verified and rating.respondent.phone_hash == phone_hash(PHONE)
    telegram = {"contact": {"urn": "telegram:4242"}, "input": {"uuid": "in-2", "text": f"{code_of(AK_BULUN)} {subject_of('LI-ROADS')} 3"}}
    gateway.post(telegram, url="/channels/rapidpro/inbound")
    roads = [r for r in sms_ratings() if r.subject_code == "LI-ROADS"]
    assert len(roads) == 1 and not roads[0].verified  # a messenger id is not a verified phone


class Failing(SmsBackend):
    def __init__(self):
        self.calls = 0

    def send(self, phone_e164, text):
        self.calls += 1
        raise SmsError("gateway down")


def test_a_failed_reply_waits_in_the_outbox_and_is_retried(gateway, app, monkeypatch):
    failing = Failing()
    monkeypatch.setitem(app.config, "SMS_BACKEND", failing)
    response = gateway.sms("ЖАРДАМ")
    assert response.status_code == 200 and failing.calls == 1
    [message] = db.session.scalars(select(OutboundMessage))
    assert message.sent_at is None and message.attempts == 1 and message.phone == PHONE
    assert delivery.sweep("reply") == (0, 0)  # not due yet: it waits a minute
    monkeypatch.setitem(app.config, "SMS_BACKEND", gateway.sent)
    message.next_attempt_at = message.next_attempt_at - dt.timedelta(minutes=2)
    assert delivery.sweep("reply") == (1, 0)
    assert message.sent_at is not None and message.phone is None and gateway.replies[0].startswith("Баа берүү")


def test_short_codes_are_stored_once_and_stable(session):
    created = shortcodes.ensure_all()
    assert created > 400
    codes = dict(session.execute(select(ShortCode.target, ShortCode.code)).tuples().all())
    assert shortcodes.ensure_all() == 0
    assert codes[AK_BULUN] == shortcodes.municipality_code(session.get(Municipality, AK_BULUN))
    assert all(len(code) == 4 and code[:2].isalpha() and code[2:].isdigit()
               for target, code in codes.items() if target.isdigit())


def test_posters_carry_the_sms_number_and_codes(app, client, monkeypatch):
    assert "SMS" not in client.get(f"/ky/m/{AK_BULUN}/poster").text  # no number configured: no SMS part
    monkeypatch.setitem(app.config, "SMS_NUMBER", "1414")
    page = client.get(f"/ru/m/{AK_BULUN}/poster").text
    code, water = code_of(AK_BULUN), subject_of("LI-WATER")
    assert f"<b>{code}</b>" in page and "1414" in page
    assert f"<b>{water}</b> <span lang=\"ky\">Ичүүчү суу</span> / <span lang=\"ru\">Питьевая вода</span>" in page
    assert "Интернет жокпу?" in page and "Нет интернета?" in page
    single = client.get(f"/ky/m/{AK_BULUN}/poster/LI-ROADS").text
    assert f"{code} {subject_of('LI-ROADS')} 4" in single and "sms-subjects" not in single
    assert code_of(AK_BULUN) == code  # printing again never changes a code


def test_a_race_answers_409_so_that_the_gateway_retries(gateway, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    from feedback.channels import inbound

    def racing(*args, **kwargs):
        raise IntegrityError("INSERT", {}, Exception("duplicate key"))

    monkeypatch.setattr(inbound, "handle", racing)
    response = gateway.sms("ЖАРДАМ")
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "conflict"
    assert gateway.sent.sent == []


# --- RapidPro's own authentication: a token in a header its flow sets --------------------------------

TOKEN = "rapidpro-token-9f2c1e7b5a3d4c6e8f0a1b2c3d4e5f60"
RAPIDPRO = "/channels/rapidpro/inbound"


def rapidpro_post(app, body, authorization=None):
    headers = {} if authorization is None else {"Authorization": authorization}
    return app.test_client().post(RAPIDPRO, data=json.dumps(body, ensure_ascii=False).encode(),
                                  content_type="application/json", headers=headers)


def rapidpro_body(message_id="in-t1", subject="LI-WATER"):
    return {"contact": {"urn": "tel:+996555123456"},
            "input": {"uuid": message_id, "text": f"{code_of(AK_BULUN)} {subject_of(subject)} 4"}}


def test_rapidpro_token_in_the_header_is_accepted_and_a_replay_stores_nothing_more(gateway, app, monkeypatch):
    monkeypatch.setitem(app.config, "RAPIDPRO_TOKEN", TOKEN)
    first = rapidpro_post(app, rapidpro_body(), f"Token {TOKEN}")
    assert first.status_code == 200 and first.get_json()["outcome"] == "rated"
    assert first.get_json()["reply"]
    again = rapidpro_post(app, rapidpro_body(), f"Token {TOKEN}")  # no timestamp: the id makes it harmless
    assert again.status_code == 200 and again.get_json()["status"] == "duplicate"
    assert len(sms_ratings()) == 1
    assert db.session.scalar(select(func.count()).select_from(InboundMessage)) == 1


@pytest.mark.parametrize("authorization", [None, "", "Token ", "Token wrong-token", f"Token {TOKEN}x",
                                           f"Token {TOKEN[:-1]}", TOKEN, f"Basic {TOKEN}"])
def test_rapidpro_wrong_or_missing_token_is_refused_and_nothing_stored(gateway, app, monkeypatch, authorization):
    monkeypatch.setitem(app.config, "RAPIDPRO_TOKEN", TOKEN)
    response = rapidpro_post(app, rapidpro_body(), authorization)
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "bad_token"
    assert sms_ratings() == []
    assert db.session.scalar(select(func.count()).select_from(InboundMessage)) == 0


def test_rapidpro_token_is_not_a_key_to_the_sms_endpoint(gateway, app, monkeypatch):
    monkeypatch.setitem(app.config, "RAPIDPRO_TOKEN", TOKEN)
    response = app.test_client().post(URL, json={"id": "x1", "from": PHONE, "text": "ЖАРДАМ"},
                                      headers={"Authorization": f"Token {TOKEN}"})
    assert response.status_code == 401
    assert db.session.scalar(select(func.count()).select_from(InboundMessage)) == 0


def test_rapidpro_without_a_token_configured_refuses_unsigned_requests(gateway, app, monkeypatch):
    monkeypatch.setitem(app.config, "RAPIDPRO_TOKEN", None)
    assert rapidpro_post(app, rapidpro_body(), "Token ").status_code == 403
    monkeypatch.setitem(app.config, "SMS_WEBHOOK_SECRET", None)
    assert rapidpro_post(app, rapidpro_body(), f"Token {TOKEN}").status_code == 404
    assert sms_ratings() == []
