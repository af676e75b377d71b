"""POST /api/v1/ratings (PRODUCT.md, "Public JSON API"): the same rating as the form, idempotent by
client_id, and a clear 4xx JSON error that stores nothing for anything invalid."""
import pytest
from sqlalchemy import select

from feedback.db import db
from feedback.ratings.models import Rating, Respondent
from feedback.ratings.services import current_period
from tests.ratings.test_views import AK_BULUN, AK_BULUN_VILLAGE, KARAKOL, OTHER_VILLAGE, Resident, count, ratings

URL = "/api/v1/ratings"


@pytest.fixture
def resident(app):
    return Resident(app)


@pytest.fixture(autouse=True)
def patient_residents(app, monkeypatch):
    monkeypatch.setitem(app.config, "ABUSE_MIN_FILL_SECONDS", 0)


def payload(**changes):
    body = {"municipality": AK_BULUN, "subject": "LI-WATER", "overall": 4}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


def assert_error(response, status: int, code: str, field: str | None = None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    error = response.get_json()["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    if field is not None:
        assert error["field"] == field
    return error


# --- storing ---------------------------------------------------------------------------------------

def test_a_rating_is_stored_and_answered_201(resident):
    response = resident.api(payload(criteria={"CR-RESULT": 5, "CR-TIME": None}, comment="Хорошо",
                                    sex="male", age_band="60_plus", village=AK_BULUN_VILLAGE,
                                    client_id="client-0001"))
    assert response.status_code == 201
    body = response.get_json()
    [rating] = ratings()
    assert body["id"] == rating.id
    assert body["status"] == "accepted"
    assert body["replaced"] is False
    assert body["period"] == current_period()
    assert rating.source == "api"
    assert rating.client_id == "client-0001"
    assert {c.criterion_code: c.score for c in rating.criteria} == {"CR-RESULT": 5, "CR-TIME": None}
    assert (rating.sex, rating.age_band, rating.village_code) == ("male", "60_plus", AK_BULUN_VILLAGE)
    assert rating.comment == "Хорошо" and rating.comment_status == "pending"


def test_the_respondent_cookie_is_set_by_the_api_too(resident):
    response = resident.api(payload())
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("respondent="))
    assert "HttpOnly" in header and "SameSite=Lax" in header
    second = resident.api(payload(overall=2))
    assert second.status_code == 201
    assert second.get_json()["replaced"] is True
    [rating] = ratings()
    assert rating.overall == 2 and rating.replacements == 1


def test_api_and_form_store_the_same_rating_for_the_same_input(app):
    comment = "Суу эртең менен гана келет; ң ө ү"
    criteria = {"CR-RESULT": "5", "CR-TIME": "0", "CR-ACCESS": "2"}
    web = Resident(app)
    response = web.rate(AK_BULUN, "LI-WATER", "ky", overall="4", comment=comment, sex="female", age_band="18_29",
                        village=AK_BULUN_VILLAGE, **{f"criterion_{code}": v for code, v in criteria.items()})
    assert response.status_code == 303
    api = Resident(app)
    # The form sends every criterion (unanswered ones as "don't know"); the API says so explicitly.
    response = api.api({"municipality": AK_BULUN, "subject": "LI-WATER", "overall": 4, "comment": comment,
                        "sex": "female", "age_band": "18_29", "village": AK_BULUN_VILLAGE,
                        "criteria": {"CR-RESULT": 5, "CR-TIME": None, "CR-ACCESS": 2, "CR-HONESTY": None,
                                     "CR-INFO": None}})
    assert response.status_code == 201
    from_form, from_api = ratings()

    def stored(rating):
        return {
            "overall": rating.overall, "comment": rating.comment, "comment_status": rating.comment_status,
            "sex": rating.sex, "age_band": rating.age_band, "village_code": rating.village_code,
            "status": rating.status, "period": rating.period, "municipality": rating.municipality_code,
            "subject": rating.subject_code, "criteria": {c.criterion_code: c.score for c in rating.criteria},
        }

    assert stored(from_form) == stored(from_api)
    assert stored(from_api)["criteria"] == {"CR-RESULT": 5, "CR-TIME": None, "CR-ACCESS": 2, "CR-HONESTY": None,
                                            "CR-INFO": None}
    assert (from_form.source, from_api.source) == ("web", "api")
    assert from_form.respondent_id != from_api.respondent_id


def test_answered_criteria_agree_between_api_and_form_when_the_api_omits_the_rest(app):
    """Only the answered scores count; whatever is stored for unanswered criteria is never a number."""
    Resident(app).rate(AK_BULUN, "LI-ROADS", overall="3", **{"criterion_CR-RESULT": "4"})
    Resident(app).api(payload(subject="LI-ROADS", overall=3, criteria={"CR-RESULT": 4}))
    from_form, from_api = ratings()

    def answered(rating):
        return {c.criterion_code: c.score for c in rating.criteria if c.score is not None}

    assert answered(from_form) == answered(from_api) == {"CR-RESULT": 4}


def test_a_repeated_client_id_stores_once(resident):
    first = resident.api(payload(client_id="offline-queue-42", comment="Раз"))
    assert first.status_code == 201
    again = resident.api(payload(client_id="offline-queue-42", comment="Раз"))
    assert again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"]
    assert again.get_json()["status"] == first.get_json()["status"]
    [rating] = ratings()
    assert rating.replacements == 0


def test_a_repeated_client_id_from_a_browser_that_lost_its_cookie_stores_once(app):
    first = Resident(app).api(payload(client_id="offline-queue-43"))
    again = Resident(app).api(payload(client_id="offline-queue-43"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert count() == 1


def test_twenty_respondents_through_the_api_give_twenty_ratings(app):
    for i in range(20):
        assert Resident(app, f"10.20.0.{i}").api(payload(overall=i % 5 + 1, client_id=f"client-{i:04d}")).status_code == 201
    assert count(Rating, Rating.status == "accepted") == 20


def test_same_origin_requests_are_accepted(resident):
    response = resident.api(payload(), headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 201


def test_same_origin_over_https_is_accepted_and_the_cookie_is_secure(resident):
    response = resident.api(payload(), base_url="https://localhost", headers={"Origin": "https://localhost"})
    assert response.status_code == 201
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("respondent="))
    assert "Secure" in header


@pytest.mark.parametrize("field", ["comment", "municipality", "subject", "client_id", "village", "sex"])
def test_a_nul_character_is_not_a_server_error(resident, field):
    """PostgreSQL text cannot hold NUL: it must be refused (or removed), never a 500."""
    value = {"comment": "вода\x00нет", "client_id": "client-\x00-0001"}.get(field, "\x00")
    response = resident.api(payload(**{field: value}))
    assert response.status_code < 500, response.get_data(as_text=True)
    if response.status_code == 201:
        assert "\x00" not in (ratings()[0].comment or "")
    else:
        assert 400 <= response.status_code < 500
        assert count() == 0


# --- invalid input: a clear 4xx, nothing stored ---------------------------------------------------------

INVALID = [
    # (payload, status, code, field)
    (payload(overall=...), 400, "required", "overall"),
    (payload(overall=None), 400, "required", "overall"),
    (payload(overall=""), 400, "required", "overall"),
    (payload(overall=0), 400, "out_of_range", "overall"),
    (payload(overall=6), 400, "out_of_range", "overall"),
    (payload(overall=-1), 400, "out_of_range", "overall"),
    (payload(overall="abc"), 400, "out_of_range", "overall"),
    (payload(overall=3.5), 400, "out_of_range", "overall"),
    (payload(overall="3.5"), 400, "out_of_range", "overall"),
    (payload(overall=True), 400, "out_of_range", "overall"),
    (payload(overall=[4]), 400, "out_of_range", "overall"),
    (payload(overall={"value": 4}), 400, "out_of_range", "overall"),
    (payload(municipality=...), 400, "required", "municipality"),
    (payload(subject=...), 400, "required", "subject"),
    (payload(subject="LI-NOSUCH"), 404, "unknown_subject", "subject"),
    (payload(municipality="99999999999999"), 404, "unknown_municipality", "municipality"),
    (payload(subject="DP-CIVREG"), 422, "not_rated_by_citizens", "subject"),
    (payload(subject="DP-MILITARY"), 422, "not_rated_by_citizens", "subject"),
    (payload(municipality=KARAKOL, subject="LI-PASTURE"), 422, "not_applicable", "subject"),
    (payload(municipality=KARAKOL, subject="MS-HOUSEBOOK"), 422, "not_applicable", "subject"),
    (payload(subject="MS-BUILDPERMIT"), 422, "not_applicable", "subject"),
    (payload(comment="ы" * 1001), 400, "too_long", "comment"),
    (payload(comment=123), 400, "invalid", "comment"),
    (payload(comment=["a list"]), 400, "invalid", "comment"),
    (payload(colour="blue"), 400, "unknown_field", "colour"),
    (payload(criteria={"CR-NOSUCH": 3}), 400, "unknown_criterion", "criteria.CR-NOSUCH"),
    (payload(criteria={"CR-STAFF": 3}), 400, "unknown_criterion", "criteria.CR-STAFF"),  # not for local issues
    (payload(criteria={"CR-RESULT": 7}), 400, "out_of_range", "criteria.CR-RESULT"),
    (payload(criteria={"CR-RESULT": 2.5}), 400, "out_of_range", "criteria.CR-RESULT"),
    (payload(criteria={"CR-RESULT": "x"}), 400, "out_of_range", "criteria.CR-RESULT"),
    (payload(criteria=[3, 4]), 400, "invalid", "criteria"),
    (payload(sex="other"), 400, "invalid_choice", "sex"),
    (payload(age_band="100_plus"), 400, "invalid_choice", "age_band"),
    (payload(village=OTHER_VILLAGE), 400, "unknown_village", "village"),
    (payload(village="00000000000000"), 400, "unknown_village", "village"),
    (payload(client_id="short"), 400, "invalid", "client_id"),
    (payload(client_id="x" * 65), 400, "invalid", "client_id"),
    (payload(client_id=12345678), 400, "invalid", "client_id"),
]


@pytest.mark.parametrize("body, status, code, field", INVALID,
                         ids=[f"{code}-{field}-{i}" for i, (_, _, code, field) in enumerate(INVALID)])
def test_invalid_input_is_a_clear_4xx_and_stores_nothing(resident, body, status, code, field):
    before = count()
    response = resident.api(body, lang="ru")
    assert_error(response, status, code, field)
    assert count() == before == 0
    assert count(Respondent) == 0


@pytest.mark.parametrize("raw", [
    '{"municipality": "41702205805000", "subject": "LI-WATER", "overall": Infinity}',
    '{"municipality": "41702205805000", "subject": "LI-WATER", "overall": NaN}',
    '{"municipality": "41702205805000", "subject": "LI-WATER", "overall": 1e400}',
    '{"municipality": "41702205805000", "subject": "LI-WATER", "overall": 4, "criteria": {"CR-RESULT": -Infinity}}',
], ids=["Infinity", "NaN", "1e400", "criterion--Infinity"])
def test_non_finite_numbers_are_rejected_not_a_server_error(resident, raw):
    response = resident.post(URL, data=raw, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "out_of_range"
    assert count() == 0


@pytest.mark.parametrize("raw", ['{"municipality": ', "not json at all", "[1, 2, 3]", '"a string"', "null", ""])
def test_malformed_json_body_is_400(resident, raw):
    response = resident.post(URL, data=raw, content_type="application/json")
    assert_error(response, 400, "malformed_json")
    assert count() == 0 and count(Respondent) == 0


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_wrong_content_type_is_415(resident, content_type):
    response = resident.post(URL, data='{"municipality": "41702205805000", "subject": "LI-WATER", "overall": 4}',
                             content_type=content_type)
    assert_error(response, 415, "unsupported_media_type")
    assert count() == 0


@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example"},
    {"Origin": "https://localhost"},  # another scheme is another origin
    {"Origin": "http://localhost.evil.example"},
    {"Origin": "null"},
    {"Sec-Fetch-Site": "cross-site"},
])
def test_cross_origin_requests_are_403(resident, headers):
    response = resident.api(payload(), headers=headers)
    assert_error(response, 403, "cross_origin")
    assert count() == 0 and count(Respondent) == 0


def test_get_is_not_allowed(resident):
    response = resident.get(URL)
    assert_error(response, 405, "method_not_allowed")


# --- the error shape and its language --------------------------------------------------------------

def test_error_shape_and_messages_in_russian_and_kyrgyz(resident):
    ru = assert_error(resident.api(payload(overall=6), lang="ru"), 400, "out_of_range", "overall")
    ky = assert_error(resident.api(payload(overall=6), lang="ky"), 400, "out_of_range", "overall")
    assert set(ru) == set(ky) == {"code", "message", "field"}
    assert ru["message"] == "Оценка должна быть целым числом от 1 до 5."
    assert ky["message"] == "Баа 1ден 5ке чейинки бүтүн сан болушу керек."


@pytest.mark.parametrize("body, ru, ky", [
    (payload(subject="DP-CIVREG"), "Делегированные государственные полномочия оценивает государство, а не жители.",
     "Өткөрүлүп берилген мамлекеттик ыйгарым укуктарды тургундар эмес, мамлекет баалайт."),
    (payload(colour="blue"), "Неизвестное поле: colour.", "Белгисиз талаа: colour."),
    (payload(overall=...), "Поле overall обязательно.", "overall талаасы милдеттүү."),
    (payload(comment="ы" * 1001), "Комментарий слишком длинный: не более 1000 символов.",
     "Пикир өтө узун: эң көп дегенде 1000 белги."),
])
def test_error_messages_follow_the_lang_parameter(resident, body, ru, ky):
    assert resident.api(body, lang="ru").get_json()["error"]["message"] == ru
    assert resident.api(body, lang="ky").get_json()["error"]["message"] == ky


def test_transport_errors_are_translated_too(resident):
    response = resident.post(URL, query_string={"lang": "ru"}, data="x", content_type="text/plain")
    assert response.get_json()["error"]["message"] == "Отправьте запрос в формате JSON."
    response = resident.api(payload(), lang="ky", headers={"Origin": "http://evil.example"})
    assert response.get_json()["error"]["message"] == "Баалар ушул сайттан гана жөнөтүлөт."


def test_without_lang_the_accept_language_decides_and_kyrgyz_by_default(app):
    russian = Resident(app).api(payload(overall=6), headers={"Accept-Language": "ru-RU,ru;q=0.9"})
    assert russian.get_json()["error"]["message"] == "Оценка должна быть целым числом от 1 до 5."
    kyrgyz = Resident(app).api(payload(overall=6))
    assert kyrgyz.get_json()["error"]["message"] == "Баа 1ден 5ке чейинки бүтүн сан болушу керек."


def test_a_failed_request_does_not_leave_a_half_rating(resident):
    """A valid rating, then an invalid resubmission: the first stays as it was."""
    assert resident.api(payload(overall=4, criteria={"CR-RESULT": 4})).status_code == 201
    assert resident.api(payload(overall=2, criteria={"CR-RESULT": 9})).status_code == 400
    [rating] = ratings()
    assert rating.overall == 4 and rating.replacements == 0
    assert {c.criterion_code: c.score for c in rating.criteria} == {"CR-RESULT": 4}
    assert db.session.scalar(select(Rating.overall)) == 4
