"""LSG staff answer a resident's comment with a promise; the resident returns on the same phone,
sees the answer on the municipality's page and on the rating form, and judges it. In Kyrgyz and in
Russian, at phone width. Then the kenesh report is printed to PDF (A4) by the browser.
"""
import datetime as dt

import pytest
from itsdangerous import URLSafeSerializer
from playwright.sync_api import expect

from .conftest import PHONE, SCREENSHOTS, TIMEOUT_MS, _phone_options, screenshot
from .data_fixtures import PASSWORD, create_user, live_db  # noqa: F401 (live_db is a fixture)

MUNICIPALITY = {"ky": "41702205818000", "ru": "41702205825000"}  # used by no other journey
TEXT = {
    "ky": {"answer_link": "Тургундарга жооп берүү", "publish": "Жоопту жарыялоо", "saved": "Сакталды. Жооп жарыяланды.",
           "yes": "Ооба", "send": "Пикиримди жөнөтүү", "thanks": "Рахмат: пикириңиз сакталды.",
           "mine": "Сиздин пикирлериңиз жана жооптор", "report": "Жергиликтүү кеңешке жыйынтык",
           "edit": "Оңдоо же кайтарып алуу", "save_edit": "Оңдоону сактоо", "edited": "оңдолгон күнү:",
           "answered": "жооп берилди"},
    "ru": {"answer_link": "Ответить жителям", "publish": "Опубликовать ответ", "saved": "Сохранено. Ответ опубликован.",
           "yes": "Да", "send": "Отправить моё мнение", "thanks": "Спасибо: ваше мнение сохранено.",
           "mine": "Ваши комментарии и ответы", "report": "Отчёт для местного кенеша",
           "edit": "Изменить или отозвать", "save_edit": "Сохранить исправление", "edited": "изменён",
           "answered": "Ответ дан"},
}


def _resident_with_comment(municipality: str, token: str, comment: str) -> int:
    from feedback.db import db, utcnow
    from feedback.ratings.models import Rating, Respondent
    from feedback.ratings.services import current_period
    from feedback.ratings.signals import changed

    respondent = Respondent(token=token)
    db.session.add(respondent)
    db.session.flush()
    rating = Rating(respondent_id=respondent.id, municipality_code=municipality, subject_code="LI-WATER",
                    period=current_period(), overall=2, comment=comment, comment_status="approved",
                    comment_moderated_at=utcnow())
    db.session.add(rating)
    db.session.flush()
    changed(None, rating)
    return rating.id


def _judgement(rating_id: int):
    from sqlalchemy import select

    from feedback.answers.models import Answer, AnsweredComment, Judgement
    from feedback.db import db

    answer = db.session.scalar(select(Answer).join(AnsweredComment).where(AnsweredComment.rating_id == rating_id))
    judgement = db.session.scalar(select(Judgement).where(Judgement.rating_id == rating_id))
    return answer.promise_due, answer.language, judgement.helpful if judgement else None


def _no_horizontal_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_staff_answer_resident_judges(live_server, live_db, browser, phone, lang):  # noqa: F811 (fixture)
    municipality, text = MUNICIPALITY[lang], TEXT[lang]
    comment = f"Суу жайында жок, түтүк эскирген ({lang}) ң ө ү"
    token = f"e2e-answers-{lang}"
    rating_id = live_db(_resident_with_comment, municipality, token, comment)
    email = f"answers-staff-{lang}@example.kg"
    live_db(create_user, "lsg_staff", email=email, municipality_code=municipality)
    due = dt.date.today() + dt.timedelta(days=30)
    answer_text = f"Түтүктү алмаштырабыз ({lang})."

    # Staff, on a phone: sign in, open "Answer residents", answer the comment with a promise.
    page = phone
    page.goto(f"{live_server}/{lang}/login")
    page.locator('input[name="email"]').fill(email)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator(f'form[action="/{lang}/login"] button[type="submit"]').click()
    expect(page).to_have_url(f"{live_server}/{lang}/staff/")
    page.get_by_role("link", name=text["answer_link"]).click()
    page.locator(f'input[name="rating"][value="{rating_id}"]').check()
    page.locator('textarea[name="body"]').fill(answer_text)
    page.locator('textarea[name="promise"]').fill("Жаңы түтүк тартабыз")
    page.locator('input[name="promise_due"]').fill(due.isoformat())
    _no_horizontal_scroll(page)
    screenshot(page, f"answers-staff-{lang}")
    page.get_by_role("button", name=text["publish"]).click()
    expect(page.get_by_role("status")).to_have_text(text["saved"])
    assert live_db(_judgement, rating_id) == (due, lang, None)
    # … then corrects it (the public page will say "edited" with the date).
    page.get_by_role("link", name=text["edit"]).last.click()
    page.locator('textarea[name="body"]').fill(answer_text + " Иш жайында башталат.")
    _no_horizontal_scroll(page)
    screenshot(page, f"answers-staff-edit-{lang}")
    page.get_by_role("button", name=text["save_edit"]).click()
    expect(page.get_by_role("status")).to_have_text(text["saved"])

    # The resident returns on their phone (the same device cookie) and sees the answer.
    context = browser.new_context(locale="en-US", **_phone_options())
    context.set_default_timeout(TIMEOUT_MS)
    try:
        context.add_cookies([{"name": "respondent", "value": URLSafeSerializer("e2e", salt="respondent").dumps(token),
                              "url": live_server}])
        resident = context.new_page()
        resident.goto(f"{live_server}/{lang}/m/{municipality}/rate/LI-WATER")
        mine = resident.locator("#my-answers")
        expect(mine.get_by_role("heading", name=text["mine"])).to_be_visible()
        expect(mine).to_contain_text(comment)
        expect(mine).to_contain_text(answer_text)
        expect(resident.locator('input[name="overall"]')).to_have_count(5)  # and the form to rate again
        _no_horizontal_scroll(resident)
        screenshot(resident, f"answers-resident-form-{lang}")
        resident.goto(f"{live_server}/{lang}/m/{municipality}/")
        mine = resident.locator("#my-answers")
        expect(mine).to_contain_text(answer_text)
        mine.get_by_label(text["yes"], exact=True).check()
        mine.get_by_role("button", name=text["send"]).click()
        expect(resident.get_by_role("status").first).to_have_text(text["thanks"])
        expect(resident.locator(".answer").first).to_contain_text(text["edited"])
        # the comment list says, against the comment, that it was answered
        expect(resident.locator("ul.comments li", has_text=comment)).to_contain_text(text["answered"])
        _no_horizontal_scroll(resident)
        screenshot(resident, f"answers-resident-page-{lang}")
    finally:
        context.close()
    assert live_db(_judgement, rating_id) == (due, lang, True)

    # The kenesh report, printed by the browser to an A4 PDF.
    report = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 800})
    try:
        printed = report.new_page()
        printed.goto(f"{live_server}/{lang}/m/{municipality}/print")
        expect(printed.get_by_role("heading", level=1)).to_contain_text(text["report"])
        expect(printed.locator(".report")).to_contain_text(answer_text)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        pdf = SCREENSHOTS.parent / f"kenesh-report-{lang}.pdf"
        printed.pdf(path=str(pdf), format="A4", print_background=True)
        assert pdf.read_bytes().startswith(b"%PDF-") and pdf.stat().st_size > 5000
    finally:
        report.close()
