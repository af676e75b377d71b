"""The resident's journey on the web: choose what to rate → the form → thank you (PRODUCT.md, "Public URLs").

Each resident is a test client of its own (its own cookie jar, client address), and each request runs in
an application context of its own, as in production, so that ``g`` (respondent, CSRF token, locale)
never leaks from one request or browser to the next.
"""
import re
from html.parser import HTMLParser

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from feedback.catalog.models import Criterion, Subject
from feedback.db import db
from feedback.ratings.abuse import Signals
from feedback.ratings.models import CriterionScore, Rating, Respondent
from feedback.ratings.services import RatingInput, current_period, submit_rating
from feedback.territory.models import Village
from tests.conftest import csrf_token

AK_BULUN = "41702205805000"  # an aiyl aimak (Ak-Suu district, Issyk-Kul region)
AK_BULUN_VILLAGE = "41702205805010"  # Ак-Булун, one of its villages
KARAKOL = "41702410000010"  # a city
OTHER_VILLAGE = "41702410520010"  # a village that is not Ak-Bulun's


# --- helpers (also used by test_abuse, test_services and tests/api/test_ratings) -------------------

class Resident:
    """One resident's browser: its own cookie jar and client address; each request in its own app context."""

    def __init__(self, app, address: str = "127.0.0.1"):
        self.app = app
        self.client = app.test_client()
        self.address = address

    def open(self, method: str, url: str, **kwargs):
        with self.app.app_context():
            return self.client.open(url, method=method, environ_base={"REMOTE_ADDR": self.address}, **kwargs)

    def get(self, url: str, **kwargs):
        return self.open("GET", url, **kwargs)

    def post(self, url: str, **kwargs):
        return self.open("POST", url, **kwargs)

    def form(self, code: str, subject: str, lang: str = "ru") -> dict:
        """The hidden fields of a freshly shown form (CSRF token, signed "started" stamp)."""
        page = self.get(f"/{lang}/m/{code}/rate/{subject}")
        assert page.status_code == 200, page.text
        return {"csrf_token": csrf_token(page.text), "started": started(page.text)}

    def rate(self, code: str, subject: str, lang: str = "ru", **fields):
        """Show the form, fill it in and send it (the response to the POST, not followed)."""
        data = {**self.form(code, subject, lang), **fields}
        return self.post(f"/{lang}/m/{code}/rate/{subject}", data=data)

    def rate_and_thank(self, code: str, subject: str, lang: str = "ru", **fields):
        response = self.rate(code, subject, lang, **fields)
        assert response.status_code == 303, response.text
        thanks = self.get(response.headers["Location"])
        assert thanks.status_code == 200
        return response, thanks

    def api(self, payload=None, lang: str | None = None, **kwargs):
        query = {"lang": lang} if lang else {}
        if payload is not None:
            kwargs["json"] = payload
        return self.post("/api/v1/ratings", query_string=query, **kwargs)

    def cookie(self, name: str = "respondent"):
        cookie = self.client.get_cookie(name)
        return cookie.value if cookie else None


def started(html: str) -> str:
    match = re.search(r'name="started" type="hidden" value="([^"]*)"', html)
    assert match, "the form has no 'started' stamp"
    return match.group(1)


def count(model=Rating, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def ratings(*where) -> list[Rating]:
    db.session.expire_all()
    return list(db.session.scalars(select(Rating).where(*where).order_by(Rating.id)))


def new_respondent(session, token: str) -> Respondent:
    respondent = Respondent(token=token)
    session.add(respondent)
    session.flush()
    return respondent


def rate_directly(session, n: int, overall: int, code: str = AK_BULUN, subject: str = "LI-WATER",
                  prefix: str = "direct"):
    """n accepted ratings by n respondents from n addresses, without the web."""
    outcomes = []
    for i in range(n):
        respondent = new_respondent(session, f"{prefix}-{i}")
        signals = Signals(municipality_code=code, respondent_id=respondent.id, address_hash=f"{prefix}-address-{i}")
        outcomes.append(submit_rating(RatingInput(code, subject, overall), respondent, signals))
    session.commit()
    return outcomes


class Page(HTMLParser):
    """The form controls and error messages of a page."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.inputs: list[dict] = []
        self.selects: dict[str, list[dict]] = {}
        self.textareas: dict[str, dict] = {}
        self.errors: dict[str, str] = {}  # id of the error paragraph -> its text
        self.fieldsets: list[dict] = []
        self._select = self._textarea = self._option = self._error = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input":
            self.inputs.append(attrs)
            if self.fieldsets:
                self.fieldsets[-1]["inputs"].append(attrs)
        elif tag == "select":
            self._select = attrs["name"]
            self.selects[self._select] = []
        elif tag == "option" and self._select:
            self._option = {**attrs, "text": ""}
            self.selects[self._select].append(self._option)
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.textareas[self._textarea] = {**attrs, "text": ""}
        elif tag == "p" and "error" in (attrs.get("class") or "").split() and attrs.get("id"):
            self._error = attrs["id"]
            self.errors[self._error] = ""
        elif tag == "fieldset":
            self.fieldsets.append({**attrs, "inputs": [], "text": ""})

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "option":
            self._option = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "p":
            self._error = None

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data
        if self._textarea:
            self.textareas[self._textarea]["text"] += data
        if self._error:
            self.errors[self._error] += data
        if self.fieldsets:
            self.fieldsets[-1]["text"] += data

    def radios(self, name: str) -> list[dict]:
        return [i for i in self.inputs if i.get("name") == name and i.get("type") == "radio"]


@pytest.fixture
def resident(app):
    return Resident(app)


@pytest.fixture(autouse=True)
def patient_residents(app, monkeypatch):
    """Form tests answer at once; the fill-time rule has its own tests (test_abuse)."""
    monkeypatch.setitem(app.config, "ABUSE_MIN_FILL_SECONDS", 0)


# --- choose what to rate ---------------------------------------------------------------------------

def subjects(session, **where) -> list[Subject]:
    return list(session.scalars(select(Subject).filter_by(**where).order_by(Subject.code)))


def test_choose_lists_services_and_local_issues_not_delegated_powers(resident, session):
    page = resident.get(f"/ru/m/{AK_BULUN}/rate")
    assert page.status_code == 200
    rated = subjects(session, kind="municipal_service") + subjects(session, kind="local_issue")
    assert len(rated) > 30
    for subject in rated:
        if subject.applies_to in ("both", "aiyl_okmotu"):
            assert str(escape(subject.name_ru)) in page.text, subject.code
            assert f'href="/ru/m/{AK_BULUN}/rate/{subject.code}"' in page.text
        else:
            assert f"/rate/{subject.code}\"" not in page.text
    powers = subjects(session, kind="delegated_power")
    assert powers
    for subject in powers:
        assert str(escape(subject.name_ru)) not in page.text, subject.code
        assert subject.code not in page.text


def test_choose_in_kyrgyz_uses_kyrgyz_names(resident, session):
    page = resident.get(f"/ky/m/{AK_BULUN}/rate")
    assert page.status_code == 200
    assert str(escape(session.get(Subject, "LI-WATER").name_ky)) in page.text
    assert f'href="/ky/m/{AK_BULUN}/rate/LI-WATER"' in page.text


def test_a_city_does_not_list_subjects_of_aiyl_okmotu_only(resident, session):
    page = resident.get(f"/ru/m/{KARAKOL}/rate")
    assert page.status_code == 200
    village_only = subjects(session, applies_to="aiyl_okmotu")
    assert {"LI-PASTURE", "MS-HOUSEBOOK"} <= {s.code for s in village_only}
    for subject in village_only:
        assert f"/rate/{subject.code}\"" not in page.text
        assert str(escape(subject.name_ru)) not in page.text
    for subject in subjects(session, applies_to="city"):
        assert f'href="/ru/m/{KARAKOL}/rate/{subject.code}"' in page.text


@pytest.mark.parametrize("url", [
    "/ru/m/99999999999999/rate",
    "/ru/m/99999999999999/rate/LI-WATER",
    f"/ru/m/{AK_BULUN}/rate/LI-NOSUCH",
    f"/ru/m/{AK_BULUN}/rate/DP-CIVREG",  # delegated powers are rated by the state
    f"/ru/m/{KARAKOL}/rate/LI-PASTURE",  # pastures are an aiyl okmotu matter
    f"/ru/m/{AK_BULUN}/rate/MS-BUILDPERMIT",  # building permits are a city matter
    f"/xx/m/{AK_BULUN}/rate",
    f"/ru/m/{AK_BULUN}/rate/LI-WATER/thanks/x",
])
def test_unknown_municipality_or_subject_is_404(resident, url):
    assert resident.get(url).status_code == 404


@pytest.mark.parametrize("path", [f"{AK_BULUN}/rate/DP-CIVREG", f"{AK_BULUN}/rate/LI-NOSUCH", "99999999999999/rate/LI-WATER",
                                  f"{KARAKOL}/rate/LI-PASTURE", f"{AK_BULUN}/rate/MS-BUILDPERMIT"])
def test_posting_to_an_unknown_subject_is_404_and_stores_nothing(resident, path):
    hidden = resident.form(AK_BULUN, "LI-WATER")
    response = resident.post(f"/ru/m/{path}", data={**hidden, "overall": "4"})
    assert response.status_code == 404
    assert count() == 0


# --- the form --------------------------------------------------------------------------------------

def test_form_has_overall_radio_group_1_to_5(resident):
    page = Page(resident.get(f"/ru/m/{AK_BULUN}/rate/LI-WATER").text)
    overall = page.radios("overall")
    assert [r["value"] for r in overall] == ["1", "2", "3", "4", "5"]
    assert all("required" in r for r in overall)


def test_form_has_a_fieldset_per_criterion_with_dont_know(resident, session):
    response = resident.get(f"/ru/m/{AK_BULUN}/rate/LI-WATER")
    page = Page(response.text)
    criteria = {c.code: c for c in session.scalars(select(Criterion))}
    expected = sorted(code for code, c in criteria.items() if c.applies_to in ("both", "local_issue"))
    assert "CR-STAFF" not in expected  # staff politeness is about services, not local issues
    found = sorted(f["inputs"][0]["name"].removeprefix("criterion_")
                   for f in page.fieldsets if "criterion" in (f.get("class") or ""))
    assert found == expected
    for code in expected:
        assert [r["value"] for r in page.radios(f"criterion_{code}")] == ["1", "2", "3", "4", "5", "0"]
        fieldset = next(f for f in page.fieldsets if f["inputs"] and f["inputs"][0]["name"] == f"criterion_{code}")
        assert criteria[code].name_ru in fieldset["text"]
        assert "Не знаю / не было такого опыта" in fieldset["text"]
        # Anchored levels: each level's description is shown.
        for level in criteria[code].levels:
            assert level.description_ru in fieldset["text"]
    service = Page(resident.get(f"/ru/m/{AK_BULUN}/rate/MS-FAMILY").text)
    assert [r["value"] for r in service.radios("criterion_CR-STAFF")] == ["1", "2", "3", "4", "5", "0"]


def test_form_in_kyrgyz_has_dont_know_in_kyrgyz(resident):
    page = resident.get(f"/ky/m/{AK_BULUN}/rate/LI-WATER")
    assert page.status_code == 200
    assert "Билбейм / мындай тажрыйбам болгон жок" in page.text


def test_form_has_comment_with_maxlength_and_the_municipalitys_villages(resident, session):
    page = Page(resident.get(f"/ru/m/{AK_BULUN}/rate/LI-WATER").text)
    assert page.textareas["comment"]["maxlength"] == "1000"
    villages = list(session.scalars(select(Village).where(Village.municipality_code == AK_BULUN)))
    assert len(villages) == 4
    options = page.selects["village"]
    assert options[0]["value"] == ""
    assert sorted(o["value"] for o in options[1:]) == sorted(v.code for v in villages)
    assert {o["text"] for o in options[1:]} == {v.name_ru for v in villages}
    assert OTHER_VILLAGE not in {o["value"] for o in options}
    assert [o["value"] for o in page.selects["sex"]] == ["", "female", "male"]
    assert [o["value"] for o in page.selects["age_band"]] == ["", "under_18", "18_29", "30_44", "45_59", "60_plus"]
    # The anti-abuse fields: a honeypot hidden from people, and a signed stamp of when the form was shown.
    assert any(i.get("name") == "website" for i in page.inputs)
    assert any(i.get("name") == "started" and i.get("type") == "hidden" and i.get("value") for i in page.inputs)


def test_showing_the_form_stores_nothing_and_sets_no_respondent_cookie(resident):
    response = resident.get(f"/ru/m/{AK_BULUN}/rate/LI-WATER")
    assert response.status_code == 200
    assert resident.cookie() is None
    assert count(Respondent) == 0


# --- submitting ------------------------------------------------------------------------------------

def test_submitting_stores_the_rating_and_thanks(resident):
    response, thanks = resident.rate_and_thank(
        AK_BULUN, "LI-WATER", overall="4", **{"criterion_CR-RESULT": "5", "criterion_CR-TIME": "0"},
        comment="  Вода бывает только утром.  ", sex="female", age_band="30_44", village=AK_BULUN_VILLAGE)
    assert response.headers["Location"].endswith(f"/ru/m/{AK_BULUN}/rate/LI-WATER/thanks?replaced=0")
    [rating] = ratings()
    assert (rating.municipality_code, rating.subject_code, rating.period) == (AK_BULUN, "LI-WATER", current_period())
    assert rating.overall == 4
    assert rating.status == "accepted" and rating.quarantine_rule is None
    assert rating.comment == "Вода бывает только утром."
    assert rating.comment_status == "pending"
    assert (rating.sex, rating.age_band, rating.village_code) == ("female", "30_44", AK_BULUN_VILLAGE)
    assert rating.source == "web"
    assert rating.replacements == 0
    scores = {c.criterion_code: c.score for c in rating.criteria}
    assert scores["CR-RESULT"] == 5
    assert scores["CR-TIME"] is None  # "don't know" is stored as no score
    assert set(scores) <= {"CR-RESULT", "CR-TIME", "CR-ACCESS", "CR-HONESTY", "CR-INFO"}
    assert "Ваша оценка записана." in thanks.text
    assert "4 — Хорошо" in thanks.text
    assert "Вода бывает только утром." in thanks.text


def test_submitting_twice_keeps_one_rating_and_the_second_replaces_the_first(resident):
    resident.rate_and_thank(AK_BULUN, "LI-WATER", overall="4", comment="Сначала так")
    first_id = ratings()[0].id
    response, thanks = resident.rate_and_thank(AK_BULUN, "LI-WATER", overall="2")
    assert response.headers["Location"].endswith("thanks?replaced=1")
    [rating] = ratings()
    assert rating.id == first_id
    assert rating.overall == 2
    assert rating.replacements == 1
    assert rating.comment is None and rating.comment_status is None
    year = current_period()
    assert f"Ваша прежняя оценка этой услуги за {year} год заменена этой." in thanks.text
    assert "2 — Плохо" in thanks.text


def test_twenty_different_respondents_give_twenty_ratings(app, monkeypatch):
    # All from the test client's one address: not the rule about new respondents per address.
    monkeypatch.setitem(app.config, "ABUSE_NEW_RESPONDENTS_PER_ADDRESS", 100)
    for i in range(20):
        response = Resident(app).rate(AK_BULUN, "LI-WATER", overall=str(i % 5 + 1))
        assert response.status_code == 303
    assert count(Rating, Rating.status == "accepted") == 20
    assert count(Respondent) == 20
    assert len({r.respondent_id for r in ratings()}) == 20


def test_one_respondent_rates_different_subjects_separately(resident):
    resident.rate_and_thank(AK_BULUN, "LI-WATER", overall="4")
    resident.rate_and_thank(AK_BULUN, "LI-ROADS", overall="1")
    resident.rate_and_thank(KARAKOL, "LI-WATER", overall="5")
    assert {(r.municipality_code, r.subject_code, r.overall) for r in ratings()} == {
        (AK_BULUN, "LI-WATER", 4), (AK_BULUN, "LI-ROADS", 1), (KARAKOL, "LI-WATER", 5)}
    assert len({r.respondent_id for r in ratings()}) == 1


def test_missing_csrf_token_is_400_and_stores_nothing(resident):
    hidden = resident.form(AK_BULUN, "LI-WATER")
    response = resident.post(f"/ru/m/{AK_BULUN}/rate/LI-WATER", data={"started": hidden["started"], "overall": "4"})
    assert response.status_code == 400
    assert count() == 0 and count(Respondent) == 0


def test_wrong_csrf_token_is_400_and_stores_nothing(resident):
    hidden = resident.form(AK_BULUN, "LI-WATER")
    response = resident.post(f"/ru/m/{AK_BULUN}/rate/LI-WATER", data={**hidden, "csrf_token": "forged", "overall": "4"})
    assert response.status_code == 400
    assert count() == 0


def test_missing_overall_shows_the_error_beside_the_field_in_russian_and_keeps_the_input(resident):
    response = resident.rate(AK_BULUN, "LI-WATER", "ru", comment="Воды нет третий день", sex="male",
                             village=AK_BULUN_VILLAGE, **{"criterion_CR-RESULT": "2"})
    assert response.status_code == 400
    page = Page(response.text)
    assert page.errors["overall-error"] == "Выберите оценку от 1 до 5."
    assert 'aria-describedby="overall-error"' in response.text
    assert page.textareas["comment"]["text"].strip() == "Воды нет третий день"
    assert [o["value"] for o in page.selects["sex"] if "selected" in o] == ["male"]
    assert [o["value"] for o in page.selects["village"] if "selected" in o] == [AK_BULUN_VILLAGE]
    assert [r["value"] for r in page.radios("criterion_CR-RESULT") if "checked" in r] == ["2"]
    assert count() == 0


def test_missing_overall_shows_the_error_in_kyrgyz_on_a_kyrgyz_page(resident):
    response = resident.rate(AK_BULUN, "LI-WATER", "ky", comment="Суу жок")
    assert response.status_code == 400
    page = Page(response.text)
    assert page.errors["overall-error"] == "1ден 5ке чейин баа тандаңыз."
    assert "Выберите оценку" not in response.text
    assert page.textareas["comment"]["text"].strip() == "Суу жок"
    assert count() == 0


@pytest.mark.parametrize("overall", ["0", "6", "abc", "3.5", ""])
def test_invalid_overall_on_the_form_is_400_and_stores_nothing(resident, overall):
    response = resident.rate(AK_BULUN, "LI-WATER", overall=overall, comment="сохранить")
    assert response.status_code == 400
    page = Page(response.text)
    assert page.errors["overall-error"]
    assert page.textareas["comment"]["text"].strip() == "сохранить"
    assert count() == 0


def test_overlong_comment_on_the_form_is_shown_beside_the_comment(resident):
    response = resident.rate(AK_BULUN, "LI-WATER", overall="3", comment="ы" * 1001)
    assert response.status_code == 400
    page = Page(response.text)
    assert "1000" in page.errors["comment-error"]
    assert "Поле не может быть длиннее 1000 символов." == page.errors["comment-error"]
    assert [r["value"] for r in page.radios("overall") if "checked" in r] == ["3"]
    assert count() == 0


@pytest.mark.parametrize("field, value", [
    ("village", OTHER_VILLAGE),
    ("sex", "other"),
    ("age_band", "100_plus"),
    ("criterion_CR-RESULT", "7"),
])
def test_invalid_choices_on_the_form_are_400_and_store_nothing(resident, field, value):
    response = resident.rate(AK_BULUN, "LI-WATER", overall="3", **{field: value})
    assert response.status_code == 400
    error = Page(response.text).errors[f"{field}-error"]
    assert re.search("[а-яё]", error), error  # in the page's language, not WTForms' English
    assert count() == 0


def test_a_comment_is_shown_escaped(resident):
    comment = '<script>alert("x")</script> <b>жирный</b>'
    response, thanks = resident.rate_and_thank(AK_BULUN, "LI-WATER", overall="3", comment=comment)
    assert ratings()[0].comment == comment
    assert "<script>alert" not in thanks.text and "<b>жирный" not in thanks.text
    assert "&lt;script&gt;" in thanks.text


def test_a_nul_character_in_the_comment_is_not_a_server_error(resident):
    response = resident.rate(AK_BULUN, "LI-WATER", overall="3", comment="вода\x00нет")
    assert response.status_code in (303, 400)
    if response.status_code == 303:
        assert "\x00" not in ratings()[0].comment
    else:
        assert count() == 0


@pytest.mark.parametrize("url", [f"/ru/m/{AK_BULUN}%00/rate", f"/ru/m/{AK_BULUN}/rate/LI-WATER%00"])
def test_a_nul_character_in_the_address_is_404(resident, url):
    assert resident.get(url).status_code == 404


def test_kyrgyz_letters_survive_form_database_and_thank_you_page(resident):
    comment = "Көчөдө жарык жок, суу аз. Ңң Өө Үү — айылдын тургундары"
    response, thanks = resident.rate_and_thank(AK_BULUN, "LI-LIGHT", "ky", overall="2", comment=comment)
    [rating] = ratings()
    assert rating.comment == comment
    assert comment in thanks.text
    assert "Бааңыз катталды." in thanks.text


# --- thank-you page and the running average ---------------------------------------------------------

def test_thank_you_page_shows_not_enough_ratings_below_ten(resident, session):
    rate_directly(session, 8, overall=3)
    response, thanks = resident.rate_and_thank(AK_BULUN, "LI-WATER", overall="5")
    assert "5 — Очень хорошо" in thanks.text
    assert "Пока недостаточно оценок: показатель выводится начиная с 10 оценок." in thanks.text
    assert "Пока: 9 оценок." in thanks.text
    assert "Средняя оценка" not in thanks.text


def test_thank_you_page_shows_the_average_from_ten_accepted_ratings(resident, session):
    rate_directly(session, 9, overall=3)
    response, thanks = resident.rate_and_thank(AK_BULUN, "LI-WATER", overall="5")
    # (9 × 3 + 5) / 10 = 3.2
    assert "Средняя оценка: 3,2 из 5" in thanks.text
    assert "По 10 оценкам." in thanks.text
    assert "недостаточно оценок" not in thanks.text


def test_quarantined_ratings_do_not_make_up_the_minimum_sample(resident, session):
    rate_directly(session, 8, overall=3)
    # A ninth, quarantined: not counted.
    respondent = new_respondent(session, "staff-member")
    signals = Signals(municipality_code=AK_BULUN, respondent_id=respondent.id, address_hash="staff",
                      staff_municipality_code=AK_BULUN)
    assert submit_rating(RatingInput(AK_BULUN, "LI-WATER", 5), respondent, signals).rating.status == "quarantined"
    session.commit()
    response, thanks = resident.rate_and_thank(AK_BULUN, "LI-WATER", overall="5")
    assert "Пока: 9 оценок." in thanks.text
    assert "Средняя оценка" not in thanks.text


def test_thank_you_page_without_a_rating_says_it_was_not_found(resident):
    thanks = resident.get(f"/ru/m/{AK_BULUN}/rate/LI-WATER/thanks")
    assert thanks.status_code == 200
    assert "Ваша оценка записана." not in thanks.text
    assert resident.cookie() is None  # looking does not create a respondent
    assert count(Respondent) == 0


# --- the respondent cookie ---------------------------------------------------------------------------

def test_respondent_cookie_is_set_on_first_rating_httponly_and_samesite_lax(resident):
    response = resident.rate(AK_BULUN, "LI-WATER", overall="4")
    assert response.status_code == 303
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("respondent=")]
    attributes = [a.strip().lower() for a in header.split(";")]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert any(a.startswith("max-age=") and int(a.split("=")[1]) > 365 * 24 * 3600 for a in attributes)
    token = resident.cookie()
    assert token
    # The cookie is signed, not the raw token stored in the database.
    [respondent] = list(db.session.scalars(select(Respondent)))
    assert respondent.token not in token.split(".")[-1]
    # The same browser stays the same respondent.
    resident.rate(AK_BULUN, "LI-ROADS", overall="3")
    assert count(Respondent) == 1


def test_a_tampered_respondent_cookie_is_ignored(resident, app):
    resident.rate(AK_BULUN, "LI-WATER", overall="4")
    original = resident.cookie()
    [first] = ratings()
    resident.client.set_cookie("respondent", original[:-2] + ("AA" if not original.endswith("AA") else "BB"),
                               domain="localhost")
    response = resident.rate(AK_BULUN, "LI-WATER", overall="1")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("replaced=0")
    both = ratings()
    assert len(both) == 2
    assert both[0].id == first.id and both[0].overall == 4 and both[0].replacements == 0
    assert both[1].respondent_id != first.respondent_id
    assert count(Respondent) == 2
    assert resident.cookie() not in (None, original)


def test_a_cookie_signed_with_another_key_is_ignored(resident, app):
    from itsdangerous import URLSafeSerializer

    rate_directly(db.session, 1, overall=2, prefix="victim")
    forged = URLSafeSerializer("not-our-key", salt="respondent").dumps("victim-0")
    resident.client.set_cookie("respondent", forged, domain="localhost")
    resident.rate(AK_BULUN, "LI-WATER", overall="5")
    both = ratings()
    assert [r.overall for r in both] == [2, 5]  # the victim's rating was not replaced
    assert both[0].replacements == 0


def test_criterion_scores_are_replaced_on_resubmission(resident):
    resident.rate(AK_BULUN, "LI-WATER", overall="4", **{"criterion_CR-RESULT": "5", "criterion_CR-TIME": "2"})
    resident.rate(AK_BULUN, "LI-WATER", overall="4", **{"criterion_CR-RESULT": "1"})
    [rating] = ratings()
    scores = {c.criterion_code: c.score for c in rating.criteria}
    assert scores["CR-RESULT"] == 1
    assert scores.get("CR-TIME") is None
    assert count(CriterionScore, CriterionScore.score.is_not(None)) == 1
