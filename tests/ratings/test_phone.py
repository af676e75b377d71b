"""Optional phone verification: normalisation, the one-time code, cross-device dedup, the pages."""
import datetime as dt
import html
import re
import secrets
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select, text

from feedback.catalog.models import MUNICIPALITY_KIND_APPLIES, Subject
from feedback.db import as_utc
from feedback.ratings import phone
from feedback.ratings.models import PhoneVerification, Rating, Respondent, utcnow
from feedback.ratings.phone import PhoneError, confirm_code, normalise_phone, pending_verification, request_code
from feedback.ratings.respondents import COOKIE, keyed_hash
from feedback.ratings.services import current_period
from feedback.ratings.sms import SmsBackend, SmsError
from feedback.security import safe_next
from feedback.territory.models import Municipality
from tests.conftest import csrf_token

PHONE = "+996555123456"


@pytest.mark.parametrize("raw", [
    "0555 12 34 56", "0555123456", "555123456", "555 123 456", "+996 (555) 12-34-56", "+996555123456",
    "996555123456", "00996555123456", "00 996 555 12 34 56", "+996 0555 12 34 56", " 0 (555) 12.34.56 ",
    "+996\u00a0555\u00a0123\u00a0456",
])
def test_normalise_valid(raw):
    assert normalise_phone(raw) == PHONE


@pytest.mark.parametrize("raw,expected", [
    ("0700 98 76 54", "+996700987654"),
    ("0990-11-22-33", "+996990112233"),
    ("220 55 66 77", "+996220556677"),
])
def test_normalise_other_ranges(raw, expected):
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("raw,code", [
    ("", "invalid"),
    (None, "invalid"),
    ("abc", "invalid"),
    ("12345", "invalid"),
    ("0312 12 34 56", "invalid"),            # a Bishkek landline
    ("+996 155 123 456", "invalid"),
    ("+996 555 12 34 5", "invalid"),         # 8 digits
    ("+996 555 12 34 567", "invalid"),       # 10 digits
    ("0555 12 34 5x", "invalid"),
    ("٠٥٥٥١٢٣٤٥٦", "invalid"),              # non-ASCII digits
    ("+7 916 123 45 67", "not_kyrgyz"),
    ("007 916 123 45 67", "not_kyrgyz"),
    ("0555 12 34 56 ext 7", "invalid"),
])
def test_normalise_invalid(raw, code):
    with pytest.raises(PhoneError) as info:
        normalise_phone(raw)
    assert info.value.code == code


@pytest.fixture
def make_respondent(session):
    def make() -> Respondent:
        respondent = Respondent(token=secrets.token_urlsafe(24))
        session.add(respondent)
        session.flush()
        return respondent
    return make


@pytest.fixture
def clock(monkeypatch):
    """The service's notion of now, moved by the test."""
    class Clock:
        now = utcnow()

        def advance(self, **delta):
            self.now += dt.timedelta(**delta)

    clock = Clock()
    monkeypatch.setattr(phone, "utcnow", lambda: clock.now)
    return clock


def test_request_code_stores_only_hashes(make_respondent):
    respondent = make_respondent()
    issued = request_code(respondent, "0555 12 34 56")
    assert re.fullmatch(r"[0-9]{6}", issued.code)
    assert issued.phone == PHONE
    verification = issued.verification
    assert verification.phone_hash == keyed_hash(PHONE, "phone")
    assert issued.code not in verification.code_hash
    assert verification.attempts == 0 and verification.confirmed_at is None
    assert as_utc(verification.expires_at) - as_utc(verification.created_at) == dt.timedelta(seconds=600)


def test_codes_differ(make_respondent):
    codes = {request_code(make_respondent(), f"0555 00 00 0{i}").code for i in range(8)}
    assert len(codes) > 1


def test_confirm_success_marks_respondent_and_this_periods_ratings(make_respondent, session):
    respondent = make_respondent()
    municipality, subject = _rateable(session)
    this_year = Rating(respondent_id=respondent.id, municipality_code=municipality.code, subject_code=subject.code,
                       period=current_period(), overall=4)
    last_year = Rating(respondent_id=respondent.id, municipality_code=municipality.code, subject_code=subject.code,
                       period=current_period() - 1, overall=2)
    session.add_all([this_year, last_year])
    session.flush()
    issued = request_code(respondent, PHONE)

    assert confirm_code(respondent, issued.code) is respondent
    session.expire_all()
    assert respondent.verified
    assert respondent.phone_hash == keyed_hash(PHONE, "phone")
    assert this_year.verified is True
    assert last_year.verified is False
    assert pending_verification(respondent) is None
    with pytest.raises(PhoneError, match="no_code"):
        confirm_code(respondent, issued.code)


def test_confirm_accepts_spaces_in_the_code(make_respondent):
    respondent = make_respondent()
    issued = request_code(respondent, PHONE)
    assert confirm_code(respondent, f" {issued.code[:3]} {issued.code[3:]} ").verified


def test_wrong_code_counts_attempts_until_the_code_is_dead(make_respondent):
    respondent = make_respondent()
    issued = request_code(respondent, PHONE)
    wrong = f"{(int(issued.code) + 1) % 1_000_000:06d}"
    for attempt in range(1, 5):
        with pytest.raises(PhoneError) as info:
            confirm_code(respondent, wrong)
        assert info.value.code == "wrong_code"
        assert issued.verification.attempts == attempt
    with pytest.raises(PhoneError, match="too_many_attempts"):
        confirm_code(respondent, wrong)
    # Even the right code no longer helps.
    with pytest.raises(PhoneError, match="too_many_attempts"):
        confirm_code(respondent, issued.code)
    assert not respondent.verified


def test_max_attempts_is_configurable(make_respondent, app, monkeypatch):
    monkeypatch.setitem(app.config, "PHONE_CODE_MAX_ATTEMPTS", 1)
    respondent = make_respondent()
    issued = request_code(respondent, PHONE)
    with pytest.raises(PhoneError, match="too_many_attempts"):
        confirm_code(respondent, "000000" if issued.code != "000000" else "111111")


def test_code_expires(make_respondent, clock):
    respondent = make_respondent()
    issued = request_code(respondent, PHONE)
    clock.advance(seconds=599)
    assert confirm_code(respondent, issued.code) is respondent

    other = make_respondent()
    issued = request_code(other, "0700 11 22 33")
    clock.advance(seconds=601)
    with pytest.raises(PhoneError, match="expired"):
        confirm_code(other, issued.code)


def test_latest_code_counts(make_respondent):
    respondent = make_respondent()
    first = request_code(respondent, PHONE)
    second = request_code(respondent, PHONE)
    if first.code != second.code:
        with pytest.raises(PhoneError, match="wrong_code"):
            confirm_code(respondent, first.code)
    assert confirm_code(respondent, second.code) is respondent


def test_too_many_codes_per_respondent(make_respondent, clock):
    respondent = make_respondent()
    for i in range(3):
        request_code(respondent, f"0555 00 00 0{i}")
    with pytest.raises(PhoneError, match="too_many_codes"):
        request_code(respondent, "0555 00 00 09")
    clock.advance(minutes=61)
    request_code(respondent, "0555 00 00 09")


def test_too_many_codes_per_number(make_respondent):
    for _ in range(3):
        request_code(make_respondent(), PHONE)
    with pytest.raises(PhoneError, match="too_many_codes"):
        request_code(make_respondent(), "0555 12 34 56")


def test_a_number_verified_on_another_device_resolves_to_the_first_respondent(make_respondent, session):
    first, second = make_respondent(), make_respondent()
    confirm_code(first, request_code(first, PHONE).code)

    resolved = confirm_code(second, request_code(second, "0555 12-34-56").code)

    assert resolved is first
    assert first.verified
    assert second.phone_hash is None and not second.verified
    assert session.scalar(select(Respondent).where(Respondent.phone_hash == keyed_hash(PHONE, "phone"))) is first


def test_neither_the_number_nor_the_code_is_stored(make_respondent, session):
    first, second = make_respondent(), make_respondent()
    codes = []
    for respondent in (first, second):
        issued = request_code(respondent, "0555 12 34 56")
        codes.append(issued.code)
        with pytest.raises(PhoneError):
            confirm_code(respondent, "999999" if issued.code != "999999" else "888888")
        confirm_code(respondent, issued.code)
    session.flush()

    stored = []
    for table in ("respondent", "phone_verification"):
        for row in session.execute(text(f"SELECT * FROM {table}")):
            stored.extend(str(value) for value in row)
    assert stored
    assert not [value for value in stored if "555123456" in value or "12 34 56" in value]
    assert not [value for value in stored for code in codes if value == code]
    hashes = {row.code_hash for row in session.scalars(select(PhoneVerification))}
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes)


def _rateable(session) -> tuple[Municipality, Subject]:
    municipality = session.scalar(select(Municipality).where(Municipality.kind == "aiyl_aimak").order_by(Municipality.code))
    subject = session.scalar(select(Subject).where(
        Subject.kind != "delegated_power", Subject.retired.is_(False),
        Subject.applies_to.in_(MUNICIPALITY_KIND_APPLIES["aiyl_aimak"])).order_by(Subject.position))
    return municipality, subject


@pytest.mark.parametrize("value,expected", [
    ("/ky/m/41702205805000/rate", "/ky/m/41702205805000/rate"),
    ("/ru/m/41702205805000/rate/LI-WATER?x=1", "/ru/m/41702205805000/rate/LI-WATER?x=1"),
    (None, None), ("", None), ("//evil.example/", None), ("https://evil.example/", None),
    ("/\\evil.example", None), ("javascript:alert(1)", None), ("ky/m/1", None), ("/ky/\nSet-Cookie:x", None),
    ("/" + "a" * 600, None),
])
def test_safe_next(value, expected):
    assert safe_next(value) == expected


# --- the pages -----------------------------------------------------------------------------------

class Outbox(SmsBackend):
    def __init__(self):
        self.sent = []

    def send(self, phone_e164, text):
        self.sent.append((phone_e164, text))

    @property
    def code(self) -> str:
        return re.search(r"\b([0-9]{6})\b", self.sent[-1][1]).group(1)


@pytest.fixture
def outbox(app, monkeypatch):
    outbox = Outbox()
    monkeypatch.setitem(app.config, "SMS_BACKEND", outbox)
    return outbox


class Browser:
    """One device: its own cookies (the respondent, the session with the CSRF secret)."""

    def __init__(self, app):
        self.client = app.test_client()

    def get(self, *args, **kwargs):
        return self.client.get(*args, **kwargs)

    def post(self, *args, **kwargs):
        return self.client.post(*args, **kwargs)

    def cookie(self) -> str | None:
        cookie = self.client.get_cookie(COOKIE)
        return cookie.value if cookie else None

    def verify(self, lang: str, raw_phone: str, outbox: Outbox, next_url: str | None = None):
        query = f"?next={quote(next_url, safe='')}" if next_url else ""
        page = self.get(f"/{lang}/verify{query}")
        response = self.post(f"/{lang}/verify", data={"csrf_token": csrf_token(page.text), "phone": raw_phone,
                                                     "next": next_url or ""})
        assert response.status_code == 302, response.text
        page = self.get(response.headers["Location"])
        return self.post(f"/{lang}/verify/code", data={"csrf_token": csrf_token(page.text), "code": outbox.code,
                                                      "next": next_url or ""})


def _location(response) -> tuple[str, str | None]:
    location = urlsplit(response.headers["Location"])
    return location.path, parse_qs(location.query).get("next", [None])[0]


def translated(lang: str, message: str, **variables) -> str:
    with force_locale(lang):
        return gettext(message, **variables)


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_verification_flow(app, outbox, lang):
    browser = Browser(app)
    next_url = f"/{lang}/m/41702205805000/rate/LI-WATER"

    page = browser.get(f"/{lang}/verify?next={quote(next_url, safe='')}")
    assert page.status_code == 200
    assert f'<html lang="{lang}">' in page.text
    assert 'type="tel"' in page.text and '<label for="phone">' in page.text
    assert f'value="{next_url}"' in page.text
    assert "style=" not in page.text  # the Content-Security-Policy forbids inline styles

    response = browser.post(f"/{lang}/verify", data={"csrf_token": csrf_token(page.text), "phone": "0555 12 34 56",
                                                     "next": next_url})
    assert response.status_code == 302
    assert _location(response) == (f"/{lang}/verify/code", next_url)
    assert browser.cookie()
    [(sent_to, sms)] = outbox.sent
    assert sent_to == PHONE
    assert sms == translated(lang, "Local Voice code: %(code)s. Do not tell it to anyone.", code=outbox.code)

    page = browser.get(response.headers["Location"])
    assert page.status_code == 200
    assert 'autocomplete="one-time-code"' in page.text and 'inputmode="numeric"' in page.text
    assert '<label for="code">' in page.text
    wrong = "000000" if outbox.code != "000000" else "111111"
    response = browser.post(f"/{lang}/verify/code", data={"csrf_token": csrf_token(page.text), "code": wrong,
                                                          "next": next_url})
    assert response.status_code == 200
    assert translated(lang, "The code is wrong. Check the SMS and try again.") in html.unescape(response.text)
    assert 'aria-invalid="true"' in response.text

    response = browser.post(f"/{lang}/verify/code", data={"csrf_token": csrf_token(page.text), "code": outbox.code,
                                                          "next": next_url})
    assert response.status_code == 302
    assert _location(response) == (f"/{lang}/verify/done", next_url)

    done = browser.get(response.headers["Location"])
    assert done.status_code == 200
    assert translated(lang, "Your phone number is verified") in html.unescape(done.text)
    assert f'href="{next_url}"' in done.text


def test_invalid_number_is_shown_beside_the_field(app, outbox):
    browser = Browser(app)
    page = browser.get("/ru/verify")
    response = browser.post("/ru/verify", data={"csrf_token": csrf_token(page.text), "phone": "0312 12 34 56"})
    assert response.status_code == 200
    message = translated("ru", "This does not look like a Kyrgyz mobile number. Write it like this: 0555 12 34 56.")
    assert message in html.unescape(response.text)
    assert 'id="phone-error"' in response.text
    assert outbox.sent == []


def test_missing_csrf_token_is_refused(app, outbox):
    response = Browser(app).post("/ky/verify", data={"phone": "0555 12 34 56"})
    assert response.status_code == 400
    assert outbox.sent == []


def test_unsafe_next_is_dropped(app, outbox):
    page = Browser(app).get("/ky/verify?next=//evil.example/x")
    assert page.status_code == 200
    assert 'value="//evil.example' not in page.text
    assert 'href="//evil.example' not in page.text


def test_sms_failure_is_reported(app, monkeypatch):
    class Broken(SmsBackend):
        def send(self, phone_e164, text):
            raise SmsError("gateway down")

    monkeypatch.setitem(app.config, "SMS_BACKEND", Broken())
    browser = Browser(app)
    page = browser.get("/ky/verify")
    response = browser.post("/ky/verify", data={"csrf_token": csrf_token(page.text), "phone": "0555 12 34 56"})
    assert response.status_code == 200
    assert translated("ky", "We could not send the SMS. Please try again in a few minutes.") in html.unescape(response.text)


def test_code_and_done_pages_need_a_pending_code(app):
    browser = Browser(app)
    response = browser.get("/ru/verify/code?next=/ru/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/ru/verify?next=/ru/"
    response = browser.get("/ru/verify/done")
    assert response.status_code == 302
    assert response.headers["Location"] == "/ru/verify"


def test_too_many_attempts_asks_for_a_new_code(app, outbox, monkeypatch):
    monkeypatch.setitem(app.config, "PHONE_CODE_MAX_ATTEMPTS", 2)
    browser = Browser(app)
    page = browser.get("/ky/verify")
    browser.post("/ky/verify", data={"csrf_token": csrf_token(page.text), "phone": "0555 12 34 56"})
    wrong = "000000" if outbox.code != "000000" else "111111"
    for _ in range(2):
        response = browser.post("/ky/verify/code", data={"csrf_token": csrf_token(page.text), "code": wrong})
    assert translated("ky", "Too many wrong attempts. Request a new code.") in html.unescape(response.text)
    # The attempts were committed, so the right code fails too.
    response = browser.post("/ky/verify/code", data={"csrf_token": csrf_token(page.text), "code": outbox.code})
    assert translated("ky", "Too many wrong attempts. Request a new code.") in html.unescape(response.text)
    assert 'href="/ky/verify"' in response.text


def test_second_device_takes_over_the_first_devices_respondent(app, outbox, session):
    phone_a, phone_b = Browser(app), Browser(app)
    assert phone_a.verify("ru", "0555 12 34 56", outbox).status_code == 302
    cookie_a = phone_a.cookie()

    assert phone_b.verify("ru", "+996 555 123 456", outbox).status_code == 302
    assert phone_b.cookie() == cookie_a
    assert phone_b.get("/ru/verify/done").status_code == 200
    assert session.scalar(select(Respondent).where(Respondent.phone_hash == keyed_hash(PHONE, "phone"))).verified
