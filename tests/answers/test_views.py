"""Through HTTP: staff answer with a promise; the public page and the API show it; the author sees
it on the page and on the rating form, and judges it; nobody else can."""
import datetime as dt

import pytest
from sqlalchemy import select

from feedback.answers.models import Answer, Judgement
from feedback.answers.services import today as local_today  # Kyrgyzstan's date, not the machine's
from feedback.audit.models import AuditEntry

from ..conftest import csrf_token
from ..helpers import forget_kept, fresh_get, visible_text
from .conftest import AK_BULUN


@pytest.fixture
def staff_client(app, staff, sign_in):
    return sign_in(app.test_client(), staff)


def _answer_over_http(app, staff_client, comment, lang="ky", **extra):
    page = fresh_get(app, staff_client, f"/{lang}/staff/answers/")
    assert page.status_code == 200
    assert comment.comment in page.get_data(as_text=True)
    data = {"csrf_token": csrf_token(page.get_data(as_text=True)), "rating": str(comment.id), "language": lang,
            "body": "Быйыл суу түтүгүн алмаштырабыз.", **extra}
    with app.app_context():
        return staff_client.post(f"/{lang}/staff/answers/", data=data)


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_staff_answer_with_a_promise_and_the_author_judges(app, client, session, staff_client, make_comment,
                                                            resident, as_device, lang):
    comment = make_comment("Суу жайында жок", respondent=resident)
    due = local_today() + dt.timedelta(days=20)
    response = _answer_over_http(app, staff_client, comment, lang, promise="Жаңы түтүк тартабыз",
                                 promise_due=due.isoformat())
    assert response.status_code == 303
    answer = session.scalar(select(Answer))
    assert answer.promise_due == due and answer.language == lang
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "answer.create")) is not None

    public = fresh_get(app, client, f"/{lang}/m/{AK_BULUN}/").get_data(as_text=True)
    assert "Быйыл суу түтүгүн алмаштырабыз." in public and "Жаңы түтүк тартабыз" in public
    assert "Was this answer helpful" not in public and 'name="helpful"' not in public  # not the author

    as_device(client, resident)
    mine = fresh_get(app, client, f"/{lang}/m/{AK_BULUN}/").get_data(as_text=True)
    assert 'id="my-answers"' in mine and 'name="helpful"' in mine
    form_page = fresh_get(app, client, f"/{lang}/m/{AK_BULUN}/rate/LI-WATER").get_data(as_text=True)
    assert "Суу жайында жок" in form_page and "Быйыл суу түтүгүн" in form_page and 'name="overall"' in form_page
    with app.app_context():
        judged = client.post(f"/{lang}/m/{AK_BULUN}/answers/{answer.id}/judge",
                             data={"csrf_token": csrf_token(mine), "rating": comment.id, "helpful": "yes",
                                   "next": "form", "subject": "LI-WATER"})
    assert judged.status_code == 303 and "/rate/LI-WATER" in judged.headers["Location"]
    assert session.scalar(select(Judgement)).helpful is True


def test_someone_else_cannot_judge(app, client, session, staff_client, make_comment, as_device, resident):
    comment = make_comment("Суу жок")
    _answer_over_http(app, staff_client, comment)
    answer = session.scalar(select(Answer))
    as_device(client, resident)  # a device that did not write the comment
    page = fresh_get(app, client, f"/ky/m/{AK_BULUN}/rate/LI-ROADS").get_data(as_text=True)
    with app.app_context():
        response = client.post(f"/ky/m/{AK_BULUN}/answers/{answer.id}/judge",
                               data={"csrf_token": csrf_token(page), "rating": comment.id, "helpful": "no"})
    assert response.status_code == 404
    assert session.scalar(select(Judgement)) is None


def test_bad_input_keeps_nothing_and_says_why(app, staff_client, session, make_comment):
    comment = make_comment()
    response = _answer_over_http(app, staff_client, comment, "ru", promise="Сделаем")
    assert response.status_code == 400
    assert "Укажите дату" in visible_text(response.get_data(as_text=True))
    assert session.scalar(select(Answer)) is None


def test_answers_in_the_api_and_the_responsiveness_key(app, client, staff_client, make_comment):
    comment = make_comment("Вода только утром")
    _answer_over_http(app, staff_client, comment)
    data = fresh_get(app, client, f"/api/v1/municipalities/{AK_BULUN}/scorecard?period={comment.period}").get_json()
    track = data["responsiveness"]
    assert set(track) >= {"index", "interval", "n", "reason", "components"}
    assert track["reason"] == "not_enough_comments" and track["n"] == 1
    answers = fresh_get(app, client, f"/api/v1/municipalities/{AK_BULUN}/answers").get_json()
    assert answers["items"][0]["body"] == "Быйыл суу түтүгүн алмаштырабыз."
    assert answers["items"][0]["comments"] == ["Вода только утром"]


def test_staff_mark_a_promise_done_with_a_photo(app, staff_client, session, make_comment):
    comment = make_comment()
    _answer_over_http(app, staff_client, comment, promise="Түтүк", promise_due=local_today().isoformat())
    answer = session.scalar(select(Answer))
    page = fresh_get(app, staff_client, f"/ru/staff/answers/{answer.id}/done").get_data(as_text=True)
    import io

    with app.app_context():
        response = staff_client.post(f"/ru/staff/answers/{answer.id}/done", content_type="multipart/form-data",
                                     data={"csrf_token": csrf_token(page), "note": "Заменили трубу",
                                           "photo": (io.BytesIO(b"\x89PNG\r\n\x1a\n..."), "truba.png")})
    assert response.status_code == 303
    session.refresh(answer)
    assert answer.promise_status == "done" and answer.photo_type == "image/png"
    photo = fresh_get(app, staff_client, f"/ru/answers/{answer.id}/photo")
    assert photo.status_code == 200 and photo.mimetype == "image/png"


def test_the_print_view_is_the_kenesh_report(app, client, staff_client, make_comment):
    comment = make_comment("Таштанды сейрек чыгарылат", subject_code="LI-WASTE")
    _answer_over_http(app, staff_client, comment)
    for lang in ("ky", "ru"):
        html = fresh_get(app, client, f"/{lang}/m/{AK_BULUN}/print").get_data(as_text=True)
        assert 'class="print-sheet report"' in html
        assert "Таштанды сейрек чыгарылат" in html and "Быйыл суу түтүгүн" in html


def test_the_kenesh_report_is_kept_whole_and_made_again_after_each_of_its_inputs(app, client, staff_client,
                                                                                 make_comment, monkeypatch):
    """The report is kept like the public page (one statement for the next request) under what the
    card rests on: a published comment, an answer and a rating each change it to what a process with
    nothing kept makes. Another host gets its own printed address."""
    from feedback.perf import HEADER
    from feedback.ratings.services import current_period
    from tests.scorecards.helpers import rate, respondent

    monkeypatch.setitem(app.config, "SQL_COUNT_HEADER", True)
    monkeypatch.setitem(app.config, "SCORECARD_CONTEXT_MIN_SECONDS", 0)
    url = f"/ru/m/{AK_BULUN}/report"

    def served() -> str:
        response = fresh_get(app, client, url)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    def made_afresh() -> str:
        forget_kept()
        return served()

    first = served()
    again = fresh_get(app, client, url)
    assert int(again.headers[HEADER]) == 1 and again.get_data(as_text=True) == first
    comment = make_comment("Таштанды сейрек чыгарылат", subject_code="LI-WASTE")
    with_comment = served()
    assert "Таштанды сейрек чыгарылат" in with_comment and with_comment == made_afresh()
    assert _answer_over_http(app, staff_client, comment).status_code == 303
    answered = served()
    assert "Быйыл суу түтүгүн" in answered and answered == made_afresh()
    rate(respondent(), AK_BULUN, "LI-WASTE", 5, current_period())
    rated = served()
    assert rated != answered and rated == made_afresh()
    monkeypatch.setitem(app.config, "SERVER_NAME", None)  # as in production: the address the request came to
    other = fresh_get(app, client, url, base_url="https://feedback.example.kg").get_data(as_text=True)
    assert f"https://feedback.example.kg/ru/m/{AK_BULUN}/" in other
    assert f"https://feedback.example.kg/ru/m/{AK_BULUN}/" not in served()


def test_action_plan_turns_a_low_subject_into_a_public_commitment(app, client, session, staff_client, make_comment):
    from feedback.ratings.models import Rating, Respondent
    from feedback.ratings.services import current_period
    from feedback.ratings.signals import changed

    for i in range(12):  # enough ratings for a published, low subject
        respondent = Respondent(token=f"plan-{i}")
        session.add(respondent)
        session.flush()
        rating = Rating(respondent_id=respondent.id, municipality_code=AK_BULUN, subject_code="LI-ROADS",
                        period=current_period(), overall=1 + i % 2)
        session.add(rating)
        session.flush()
        changed(None, rating)
    page = fresh_get(app, staff_client, "/ru/staff/plan")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'value="subject:LI-ROADS"' in html
    due = local_today() + dt.timedelta(days=60)
    with app.app_context():
        response = staff_client.post("/ru/staff/plan", data={
            "csrf_token": csrf_token(html), "item": "subject:LI-ROADS", "language": "ru",
            "body": "Отремонтируем улицу Ленина", "promise_due": due.isoformat()})
    assert response.status_code == 303
    answer = session.scalar(select(Answer).where(Answer.kind == "commitment"))
    assert answer.subject_code == "LI-ROADS" and answer.promise_due == due
    public = fresh_get(app, client, f"/ru/m/{AK_BULUN}/").get_data(as_text=True)
    assert "Отремонтируем улицу Ленина" in public and "Обязательство органа МСУ" in public
    report = fresh_get(app, client, f"/ky/m/{AK_BULUN}/report").get_data(as_text=True)
    assert "Отремонтируем улицу Ленина" in report


def test_a_failing_sms_gateway_never_loses_the_answer(app, client, session, staff_client, make_comment, resident,
                                                      monkeypatch):
    from feedback.answers.models import SmsNotice
    from feedback.ratings.respondents import keyed_hash
    from feedback.ratings.sms import SmsBackend, SmsError

    class Down(SmsBackend):
        calls = 0

        def send(self, phone_e164, text):
            Down.calls += 1
            raise SmsError("gateway down")

    monkeypatch.setitem(app.config, "SMS_BACKEND", Down())
    resident.phone_hash = keyed_hash("+996555123456", "phone")
    resident.phone_verified_at = dt.datetime.now(dt.UTC)
    comment = make_comment("Жарык жок", respondent=resident)
    from feedback.answers import services

    services.opt_in_sms(resident, comment.id, "+996 555 123 456", "ky")
    response = _answer_over_http(app, staff_client, comment)
    assert response.status_code == 303 and Down.calls == 0  # the response does not wait for the gateway
    response.close()  # the server has sent it: now the gateway is tried, and fails
    session.expire_all()
    assert session.scalar(select(Answer)) is not None
    notice = session.scalar(select(SmsNotice))
    assert Down.calls == 1 and notice.status == "due" and notice.attempts == 1 and notice.phone_cipher
