"""The state evaluator's journey, in Kyrgyz and in Russian, at a PC: sign in with the second factor,
find the municipality in the worklist, score the indicators, save a draft, attach a document,
submit; the LSG's staff sign in on a phone and contest it with a document; the evaluator finds it
by the "contested" filter and the name, reads the contest above the finalise button, replies with
a document, and makes the evaluation final rejecting the contest, after which it is read-only.
"""
import pyotp
import pytest
from playwright.sync_api import expect

from .conftest import TIMEOUT_MS, _phone_options, screenshot
from .data_fixtures import PASSWORD, create_user, live_db  # noqa: F401 (live_db is a fixture)

POWER = "DP-MILITARY"  # overseen by the Ministry of Defence (MOD)
REGION, DISTRICT = "41702000000000", "41702205000000"
# One municipality per language, none used by other journeys.
MUNICIPALITY = {"ky": "41702205807000", "ru": "41702205812000"}
PDF = b"%PDF-1.4\n%e2e\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
TEXT = {
    "ky": {"save": "Долбоорду сактоо", "saved": "Сакталды.", "submit": "Баалоону жөнөтүү",
           "submitted": "Жөнөтүлдү. Эми ЖӨБ органы баалоону көрүп, ага жооп бере алат.",
           "contest": "Баалоого макул эмеспиз (талашабыз)", "body": "Текстиңиз", "send": "Жоопту жөнөтүү",
           "sent": "Жообуңуз сакталды. Баалоочу аны көрөт.", "final": "Акыркы кылып бекитүү",
           "finalised": "Баалоо акыркы болуп бекитилди.", "state_part": "Мамлекеттин үлүшү",
           "reply": "ЖӨБ органына жообуңуз", "send_reply": "Жоопту жөнөтүү",
           "replied": "Жообуңуз жөнөтүлдү. ЖӨБ органы аны көрөт.",
           "reject": "Талаш четке кагылды (баалар өзгөрбөйт)", "rejected": "ЖӨБ органынын талашы четке кагылды."},
    "ru": {"save": "Сохранить черновик", "saved": "Сохранено.", "submit": "Отправить оценку",
           "submitted": "Отправлено. Теперь орган МСУ видит оценку и может на неё ответить.",
           "contest": "Оспариваем оценку", "body": "Ваш текст", "send": "Отправить ответ",
           "sent": "Ваш ответ сохранён. Эксперт ведомства его увидит.", "final": "Сделать окончательной",
           "finalised": "Оценка стала окончательной.", "state_part": "Вклад государства",
           "reply": "Ваш ответ органу МСУ", "send_reply": "Отправить ответ",
           "replied": "Ваш ответ отправлен. Орган МСУ его увидит.",
           "reject": "Возражение отклонено (оценки остаются)", "rejected": "Возражение органа МСУ отклонено."},
}


def _open_period() -> int:
    from feedback.catalog.models import Period
    from feedback.db import db
    from feedback.ratings.services import current_period

    year = current_period()
    period = db.session.get(Period, year)
    if period is None:
        db.session.add(Period(year=year, status="open"))
    return year


def _enrol(user_id: int, secret: str) -> None:
    from feedback.accounts.models import User
    from feedback.db import db

    user = db.session.get(User, user_id)
    user.totp_secret, user.totp_enabled = secret, True


def _indicators() -> list[tuple[str, str]]:
    from sqlalchemy import select

    from feedback.catalog.models import StateIndicator
    from feedback.db import db

    return [(i.code, i.scale) for i in db.session.scalars(select(StateIndicator).order_by(StateIndicator.position))]


def _status(municipality: str) -> tuple:
    from sqlalchemy import select

    from feedback.db import db
    from feedback.evaluation.models import StateEvaluation

    ev = db.session.scalar(select(StateEvaluation).where(StateEvaluation.municipality_code == municipality))
    return ev.status, len(ev.scores), len(ev.evidence), [r.kind for r in ev.responses]


def _name(municipality: str) -> str:
    from feedback.db import db
    from feedback.territory.models import Municipality

    return db.session.get(Municipality, municipality).name_ru


def _sign_in(page, live_server, lang, email, code_secret=None):
    page.goto(f"{live_server}/{lang}/login")
    page.locator('input[name="email"]').fill(email)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator(f'form[action="/{lang}/login"] button[type="submit"]').click()
    if code_secret:
        expect(page).to_have_url(f"{live_server}/{lang}/login/code")
        page.locator('input[name="code"]').fill(pyotp.TOTP(code_secret).now())
        page.locator(f'form[action="/{lang}/login/code"] button[type="submit"]').click()


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_evaluator_journey(live_server, live_db, browser, desktop, lang):  # noqa: F811 (fixture)
    page, text, municipality = desktop, TEXT[lang], MUNICIPALITY[lang]
    year = live_db(_open_period)
    indicators = live_db(_indicators)
    secret = pyotp.random_base32()
    evaluator_email, staff_email = f"evaluator-{lang}@example.kg", f"staff-{lang}@example.kg"
    evaluator_id = live_db(create_user, "state_evaluator", email=evaluator_email, agency_code="MOD")
    live_db(_enrol, evaluator_id, secret)
    live_db(create_user, "lsg_staff", email=staff_email, municipality_code=municipality)

    # The evaluator signs in with the second factor and lands on the worklist.
    _sign_in(page, live_server, lang, evaluator_email, secret)
    expect(page).to_have_url(f"{live_server}/{lang}/evaluate/")
    page.goto(f"{live_server}/{lang}/evaluate/?period={year}&region={REGION}&district={DISTRICT}")
    page.locator(f'a[href^="/{lang}/evaluate/{municipality}/{POWER}/"]').click()
    expect(page.get_by_role("heading", name=text["state_part"])).to_be_visible()

    # A first score, saved as a draft.
    first = indicators[0][0]
    page.locator(f'input[name="ind-{first}"][value="3"]').check()
    page.locator(f"#comment-{first}").fill(f"Отчёттор кечигет ({lang}) ң ө ү")
    page.get_by_role("button", name=text["save"], exact=True).click()
    expect(page.get_by_role("status")).to_have_text(text["saved"])
    assert live_db(_status, municipality)[:2] == ("draft", 1)

    # Every indicator, a document, then submit.
    for code, scale in indicators:
        page.locator(f'input[name="ind-{code}"][value="{"4" if scale == "1-5" else "partial"}"]').check()
    page.locator('input[name="evidence_file"]').set_input_files(
        {"name": "текшерүү акты.pdf", "mimeType": "application/pdf", "buffer": PDF})
    screenshot(page, f"evaluation-form-{lang}")
    page.get_by_role("button", name=text["submit"], exact=True).click()
    expect(page.get_by_role("status")).to_have_text(text["submitted"])
    assert live_db(_status, municipality) == ("submitted", len(indicators), 1, [])

    # The LSG's staff sign in on a phone (no second factor needed for their role) and contest it.
    context = browser.new_context(locale="en-US", **_phone_options())
    context.set_default_timeout(TIMEOUT_MS)
    try:
        staff = context.new_page()
        _sign_in(staff, live_server, lang, staff_email)
        expect(staff).to_have_url(f"{live_server}/{lang}/staff/")
        staff.locator(f'a[href^="/{lang}/staff/evaluations/"]').first.click()
        expect(staff.get_by_role("link", name="текшерүү акты.pdf")).to_be_visible()
        staff.get_by_label(text["contest"]).check()
        staff.get_by_label(text["body"]).fill(f"Аскердик каттоо китеби 3-мартта тапшырылган ({lang}).")
        staff.locator('input[name="evidence_file"]').set_input_files(
            {"name": "тапшыруу акты.pdf", "mimeType": "application/pdf", "buffer": PDF})
        assert staff.evaluate("document.documentElement.scrollWidth") <= 360  # no horizontal scroll
        screenshot(staff, f"staff-evaluation-{lang}")
        staff.get_by_role("button", name=text["send"], exact=True).click()
        expect(staff.get_by_role("status")).to_have_text(text["sent"])
    finally:
        context.close()
    assert live_db(_status, municipality)[3] == ["contest"]

    assert live_db(_status, municipality)[0] == "contested"

    # The evaluator finds it by the "contested" filter and the name, reads the contest above the
    # finalise button, replies with a document, then finalises rejecting the contest.
    name = live_db(_name, municipality)
    page.goto(f"{live_server}/{lang}/evaluate/?period={year}&status=contested&q={name[:4]}")
    page.locator(f'a[href^="/{lang}/evaluate/{municipality}/{POWER}/"]').click()
    contest = page.get_by_text(f"Аскердик каттоо китеби 3-мартта тапшырылган ({lang}).")
    expect(contest).to_be_visible()
    expect(page.get_by_role("link", name="тапшыруу акты.pdf")).to_be_visible()
    above = page.evaluate("""([text]) => {
        const contest = [...document.querySelectorAll('.responses li')].find(li => li.textContent.includes(text));
        const button = document.querySelector('button[value="finalise"]');
        return contest.getBoundingClientRect().top < button.getBoundingClientRect().top; }""",
                          [f"3-мартта тапшырылган ({lang})"])
    assert above
    page.get_by_label(text["reply"]).fill(f"Акт кол коюлбаган ({lang}).")
    page.locator('input[name="reply_file"]').set_input_files(
        {"name": "жооп.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.get_by_role("button", name=text["send_reply"], exact=True).click()
    expect(page.get_by_role("status")).to_have_text(text["replied"])
    expect(page.get_by_text(f"Акт кол коюлбаган ({lang}).")).to_be_visible()
    page.get_by_label(text["reject"]).check()
    screenshot(page, f"evaluation-contested-{lang}")
    page.get_by_role("button", name=text["final"], exact=True).click()
    expect(page.get_by_role("status")).to_have_text(text["finalised"])
    expect(page.get_by_text(text["rejected"])).to_be_visible()
    expect(page.locator('button[name="action"]')).to_have_count(0)
    screenshot(page, f"evaluation-final-{lang}")
    assert live_db(_status, municipality)[0] == "final"
    assert live_db(_status, municipality)[3] == ["contest", "reply"]
