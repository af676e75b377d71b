"""Budget transparency in the browser, in Kyrgyz and in Russian: a monitor fills the checklist on a
phone with a photo of a notice board and submits; the LSG's staff reply to an item; a second
monitor peer-reviews and disagrees on one item; the first monitor makes it final; the public
scorecard shows the track. And a resident names budget priorities on a phone with JavaScript off.
"""
import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, TIMEOUT_MS, screenshot
from .data_fixtures import PASSWORD, create_user, live_db  # noqa: F401 (live_db is a fixture)
from .test_find_municipality import assert_no_horizontal_scroll

REGION = "41704000000000"  # Naryn region: no other journey works there
MUNICIPALITY = {"ky": "41704210806000", "ru": "41704210808000"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
TEXT = {
    "ky": {"submit": "Баалоону жөнөтүү", "submitted": "Жөнөтүлдү. Эми ЖӨБ органы ар бир пунктка жооп бере алат, ал эми экинчи байкоочу баалоону текшерет.",
           "send": "Жоопторду жөнөтүү", "sent": "Жообуңуз сакталды.", "review": "Текшерүүнү сактоо",
           "reviewed": "Текшерүүңүз сакталды.", "final": "Акыркы кылып бекитүү",
           "finalised": "Баалоо акыркы болуп бекитилди. Эми ал баалоо барагында көрүнөт.",
           "disagrees": "Текшерген кесиптеши макул эмес", "priorities": "Артыкчылыктарымды жөнөтүү",
           "saved": "Бюджеттик артыкчылыктарыңыз сакталды."},
    "ru": {"submit": "Отправить оценку", "submitted": "Отправлено. Теперь орган МСУ может ответить на каждый пункт, а второй наблюдатель проверит оценку.",
           "send": "Отправить ответы", "sent": "Ваш ответ сохранён.", "review": "Сохранить проверку",
           "reviewed": "Ваша проверка сохранена.", "final": "Сделать окончательной",
           "finalised": "Оценка окончательная. Теперь она видна в оценочной карте.",
           "disagrees": "Рецензент не согласен", "priorities": "Отправить мои приоритеты",
           "saved": "Ваши бюджетные приоритеты сохранены."},
}


def _open_period() -> int:
    from feedback.catalog.models import Period
    from feedback.db import db
    from feedback.ratings.services import current_period

    year = current_period()
    if db.session.get(Period, year) is None:
        db.session.add(Period(year=year, status="open"))
    return year


def _items() -> list[str]:
    from sqlalchemy import select

    from feedback.catalog.models import TransparencyItem
    from feedback.db import db

    return list(db.session.scalars(select(TransparencyItem.code).order_by(TransparencyItem.code)))


def _state(municipality: str) -> tuple:
    from sqlalchemy import select

    from feedback.db import db
    from feedback.transparency.models import TransparencyAssessment

    a = db.session.scalar(select(TransparencyAssessment).where(TransparencyAssessment.municipality_code == municipality))
    return a.status, len(a.evidence), len(a.replies), sum(1 for x in a.answers if x.review_agrees is False)


def _sign_in(page, live_server, lang, email):
    page.goto(f"{live_server}/{lang}/login")
    page.locator('input[name="email"]').fill(email)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator(f'form[action="/{lang}/login"] button[type="submit"]').click()


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_monitor_reply_review_finalise_scorecard(live_server, live_db, browser, phone, lang):  # noqa: F811
    text, code = TEXT[lang], MUNICIPALITY[lang]
    year = live_db(_open_period)
    items = live_db(_items)
    emails = {who: f"{who}-bt-{lang}@example.kg" for who in ("monitor", "reviewer", "staff")}
    live_db(create_user, "monitor", email=emails["monitor"], region_code=REGION)
    live_db(create_user, "monitor", email=emails["reviewer"], region_code=REGION)
    live_db(create_user, "lsg_staff", email=emails["staff"], municipality_code=code)

    # The monitor signs in on a phone and lands on their home: their municipalities, what is due.
    _sign_in(phone, live_server, lang, emails["monitor"])
    expect(phone).to_have_url(f"{live_server}/{lang}/monitor/")
    phone.locator(f'a[href^="/{lang}/monitor/{code}/"]').click()
    for item in items:
        answer = {"BT-1-06": "na", "BT-3-01": "partial", "BT-3-02": "no"}.get(item, "yes")
        phone.locator(f'input[name="item-{item}"][value="{answer}"]').check()
    phone.locator('input[name="file-BT-2-02"]').set_input_files(
        {"name": "жарыя тактасы.png", "mimeType": "image/png", "buffer": PNG})
    phone.locator("#note-BT-2-02").fill(f"Такта айыл өкмөтүндө ({lang}) ң ө ү")
    assert_no_horizontal_scroll(phone)
    screenshot(phone, f"transparency-form-{lang}")
    phone.get_by_role("button", name=text["submit"], exact=True).click()
    expect(phone.get_by_role("status")).to_have_text(text["submitted"])
    assert live_db(_state, code) == ("submitted", 1, 0, 0)
    assessment_url = phone.url.split("&done=")[0]

    def other(email):
        context = browser.new_context(locale="en-US", viewport=DESKTOP)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        _sign_in(page, live_server, lang, email)
        return context, page

    # The LSG replies to an item.
    context, staff = other(emails["staff"])
    try:
        expect(staff).to_have_url(f"{live_server}/{lang}/staff/")
        staff.locator(f'a[href^="/{lang}/staff/transparency/"]').first.click()
        staff.locator("#reply-BT-3-02").fill(f"Угуулар протоколу сайтта ({lang}).")
        staff.get_by_role("button", name=text["send"], exact=True).click()
        expect(staff.get_by_role("status")).to_contain_text(text["sent"])
    finally:
        context.close()

    # A second monitor reviews and disagrees on one item.
    context, reviewer = other(emails["reviewer"])
    try:
        reviewer.locator('a[href$="/review"]').first.click()
        reviewer.locator('input[name="review-BT-3-01"][value="no"]').check()
        reviewer.locator("#review-note-BT-3-01").fill("Кулактандыруу жок.")
        reviewer.get_by_role("button", name=text["review"], exact=True).click()
        expect(reviewer.get_by_role("status")).to_have_text(text["reviewed"])
    finally:
        context.close()
    assert live_db(_state, code) == ("reviewed", 1, 1, 1)

    # The first monitor makes it final; the public scorecard shows the track.
    phone.goto(assessment_url)
    phone.get_by_role("button", name=text["final"], exact=True).click()
    expect(phone.get_by_role("status")).to_have_text(text["finalised"])
    phone.goto(f"{live_server}/{lang}/m/{code}/?period={year}")
    track = phone.locator(".track", has=phone.locator("#sc-budget"))
    # (100 + 100 + (20×50 + 15×0 + 65×100)/100) / 3 = 91.7
    expect(track.locator(".value")).to_have_text("91,7")
    expect(track).to_contain_text(text["disagrees"])
    expect(track).to_contain_text(f"Угуулар протоколу сайтта ({lang}).")
    screenshot(phone, f"transparency-scorecard-{lang}")


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_resident_names_priorities_without_javascript(live_server, live_db, phone_nojs, lang):  # noqa: F811
    code = MUNICIPALITY[lang]
    live_db(_open_period)
    page = phone_nojs
    page.goto(f"{live_server}/{lang}/m/{code}/")
    page.locator(f'a[href="/{lang}/m/{code}/budget"]').click()
    page.locator('select[name="first"]').select_option("LI-WATER")
    page.locator('select[name="second"]').select_option("LI-ROADS")
    screenshot(page, f"budget-priorities-{lang}")
    page.wait_for_timeout(3100)  # the form refuses answers sent faster than a person can read it
    page.get_by_role("button", name=TEXT[lang]["priorities"], exact=True).click()
    expect(page.get_by_role("status")).to_have_text(TEXT[lang]["saved"])
