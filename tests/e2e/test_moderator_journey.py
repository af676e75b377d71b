"""The moderator's journey, in Kyrgyz and in Russian: sign in at /<lang>/login, find the pending
comments of one municipality, approve one, reject one with a reason, and release a quarantined
rating. The moderator works at a PC; the queue also has to work on a phone, with JavaScript off.
"""
import pytest
from playwright.sync_api import expect

from . import data_fixtures
from .conftest import screenshot
from .data_fixtures import PASSWORD, create_rating, create_user
from .test_find_municipality import assert_no_horizontal_scroll, assert_tappable

live_db = data_fixtures.live_db  # the fixture, made visible to this module
SUBJECT = "LI-ROADS"
# One municipality per journey, none used by the other journeys, so the queues do not mix.
MUNICIPALITY = {"ky": "41702410000010", "ru": "41702215805000"}
TEXT = {
    "ky": {
        "approved": "Пикир жактырылды жана эми жарыяланды.",
        "rejected": "Пикир четке кагылды.",
        "released": "Баа бошотулду: эми ал баалоо барагында эсепке алынат.",
        "reason_label": "Четке кагуунун себеби",
        "approve": "Жактыруу",
        "reject": "Четке кагуу",
        "release": "Бошотуу: бул баа эсепке алынсын",
        "quarantine_tab": "Карантиндеги баалар",
        "rule": "бир телефондон же компьютерден көп баа келген",
        "municipality_label": "ЖӨБ органынын аталышы",
        "show": "Көрсөтүү",
    },
    "ru": {
        "approved": "Комментарий одобрен и теперь опубликован.",
        "rejected": "Комментарий отклонён.",
        "released": "Оценка освобождена: теперь она учитывается в оценочной карте.",
        "reason_label": "Причина отклонения",
        "approve": "Одобрить",
        "reject": "Отклонить",
        "release": "Освободить: учитывать эту оценку",
        "quarantine_tab": "Оценки в карантине",
        "rule": "с одного телефона или компьютера пришло много оценок",
        "municipality_label": "Название органа МСУ",
        "show": "Показать",
    },
}


def _state(rating_id: int) -> tuple:
    from feedback.db import db
    from feedback.ratings.models import Rating

    rating = db.session.get(Rating, rating_id)
    return (rating.status, rating.comment_status, rating.comment_rejection_reason, rating.quarantine_decision,
            rating.comment_moderated_by or rating.quarantine_reviewed_by)


def _name(municipality: str, lang: str) -> str:
    from feedback.db import db
    from feedback.territory.models import Municipality

    return db.session.get(Municipality, municipality).name(lang)


def _sign_in(page, live_server, lang, email):
    page.goto(f"{live_server}/{lang}/login")
    page.locator('input[name="email"]').fill(email)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator(f'form[action="/{lang}/login"] button[type="submit"]').click()
    expect(page).to_have_url(f"{live_server}/{lang}/moderation/")


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_moderator_journey(live_server, live_db, desktop, lang):
    page, text, municipality = desktop, TEXT[lang], MUNICIPALITY[lang]
    email = f"moderator-{lang}@example.kg"
    moderator_id = live_db(create_user, "moderator", email=email)
    good = live_db(create_rating, municipality, SUBJECT, comment=f"Жолдор оңдолду ({lang}) ң ө ү")
    spam = live_db(create_rating, municipality, SUBJECT, comment=f"Арзан кредит www.example.com ({lang})", flags="link")
    caught = live_db(create_rating, municipality, SUBJECT, overall=5, status="quarantined", rule="burst_device")

    _sign_in(page, live_server, lang, email)
    page.get_by_label(text["municipality_label"]).fill(live_db(_name, municipality, lang))
    page.get_by_role("button", name=text["show"], exact=True).click()
    expect(page.locator(f"#rating-{good}")).to_contain_text(f"Жолдор оңдолду ({lang})")
    expect(page.locator(f"#rating-{spam}")).to_be_visible()
    screenshot(page, f"moderation-queue-{lang}")

    page.locator(f"#rating-{good}").get_by_role("button", name=text["approve"], exact=True).click()
    expect(page.get_by_role("status")).to_have_text(text["approved"])
    expect(page.locator(f"#rating-{good}")).to_have_count(0)
    assert "q=" in page.url  # the filter survives the decision

    item = page.locator(f"#rating-{spam}")
    item.get_by_label(text["reason_label"]).fill("Жарнама / Реклама")
    item.get_by_role("button", name=text["reject"], exact=True).click()
    expect(page.get_by_role("status")).to_have_text(text["rejected"])
    expect(page.locator(f"#rating-{spam}")).to_have_count(0)

    page.get_by_role("link", name=text["quarantine_tab"]).click()
    item = page.locator(f"#rating-{caught}")
    expect(item).to_contain_text(text["rule"])
    item.get_by_role("button", name=text["release"]).click()
    expect(page.get_by_role("status")).to_have_text(text["released"])
    expect(page.locator(f"#rating-{caught}")).to_have_count(0)

    assert live_db(_state, good) == ("accepted", "approved", None, None, moderator_id)
    assert live_db(_state, spam) == ("accepted", "rejected", "Жарнама / Реклама", None, moderator_id)
    assert live_db(_state, caught) == ("accepted", None, None, "released", moderator_id)


def test_the_queue_works_on_a_phone_without_javascript(live_server, live_db, phone_nojs):
    page, municipality = phone_nojs, "41702205805000"
    live_db(create_user, "moderator", email="moderator-phone@example.kg")
    rating = live_db(create_rating, municipality, "LI-LIGHT", comment="Көчө жарыгы жок (телефон)")
    _sign_in(page, live_server, "ky", "moderator-phone@example.kg")
    page.goto(f"{live_server}/ky/moderation/?municipality={municipality}")
    item = page.locator(f"#rating-{rating}")
    expect(item).to_contain_text("Көчө жарыгы жок (телефон)")
    assert_no_horizontal_scroll(page)
    assert_tappable(item.locator("button"), "decision button")
    item.get_by_role("button", name=TEXT["ky"]["approve"], exact=True).click()
    expect(page.get_by_role("status")).to_have_text(TEXT["ky"]["approved"])
    screenshot(page, "moderation-phone-ky")
