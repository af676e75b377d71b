"""The journey that matters most: a resident on a 360×740 phone rates the drinking water (LI-WATER)
of Ak-Bulun aiyl aimak, in Kyrgyz and in Russian, with and without JavaScript, and offline.

The live server keeps the anti-abuse rule ``too_fast`` (ABUSE_MIN_FILL_SECONDS, 3 s): a form sent
sooner after it was shown is quarantined. A person needs longer than that anyway, so the tests wait
until the form has been on screen for FILL_SECONDS and check that the rating was not quarantined.
"""
import re
import time

import pytest
from playwright.sync_api import expect

from .conftest import screenshot
from .test_find_municipality import AK_BULUN, assert_no_horizontal_scroll, assert_tappable, url

SUBJECT = "LI-WATER"
COMMENT = "Суу таза эмес, ң ө ү"
FILL_SECONDS = 3.1  # just over ABUSE_MIN_FILL_SECONDS
TEXT = {
    "ky": {
        "rate": "Кызматтарга жана жергиликтүү маселелерге баа берүү",
        "subject": "Ичүүчү суу",
        "words": {2: "Жаман", 4: "Жакшы"},
        "your_score": "Сиздин бааңыз",
        "your_comment": "Сиздин пикириңиз",
        "thanks": "Рахмат!",
        "recorded": "Бааңыз катталды.",
        "replaced": "мурунку бааңыз ушул баа менен алмаштырылды",
        "not_enough": "Баалар азырынча жетишсиз: баа 10 баа чогулгандан кийин көрсөтүлөт.",
        "choose_score": "1ден 5ке чейин баа тандаңыз.",
        "offline": "Интернет жок. Бааңыз ушул телефондо сакталды жана интернет пайда болгондо жөнөтүлөт.",
    },
    "ru": {
        "rate": "Оценить услуги и местные вопросы",
        "subject": "Питьевая вода",
        "words": {2: "Плохо", 4: "Хорошо"},
        "your_score": "Ваша оценка",
        "your_comment": "Ваш комментарий",
        "thanks": "Спасибо!",
        "recorded": "Ваша оценка записана.",
        "replaced": "Ваша прежняя оценка этой услуги за",
        "not_enough": "Пока недостаточно оценок: показатель выводится начиная с 10 оценок.",
        "choose_score": "Выберите оценку от 1 до 5.",
        "offline": "Нет интернета. Ваша оценка сохранена на этом телефоне и будет отправлена, когда связь появится.",
    },
}


def form_path(lang):
    return f"/{lang}/m/{AK_BULUN}/rate/{SUBJECT}"


def thanks_url(live_server, lang, replaced):
    return url(live_server, f"{form_path(lang)}/thanks?replaced={int(replaced)}")


def open_form_from_municipality(page, live_server, lang):
    """Municipality page → "rate" button → drinking water. Returns when the form was shown."""
    page.goto(f"{live_server}/{lang}/m/{AK_BULUN}/")
    button = page.locator(f'main a.button[href="/{lang}/m/{AK_BULUN}/rate"]')
    expect(button).to_have_text(TEXT[lang]["rate"])
    assert_tappable(button, "rate button")
    button.tap()
    expect(page).to_have_url(url(live_server, f"/{lang}/m/{AK_BULUN}/rate"))
    assert_no_horizontal_scroll(page)
    item = page.locator(f'main ul.list a[href="{form_path(lang)}"]')
    expect(item).to_contain_text(TEXT[lang]["subject"])
    assert_tappable(item, "drinking water item")
    item.tap()
    return on_form(page, live_server, lang)


def on_form(page, live_server, lang):
    expect(page).to_have_url(url(live_server, form_path(lang)))
    expect(page.locator("h1")).to_have_text(TEXT[lang]["subject"])
    return time.monotonic()


def choose_overall(page, score):
    choice = page.locator("fieldset.scale label.choice").filter(has=page.locator(f'input[name="overall"][value="{score}"]'))
    expect(choice).to_have_count(1)
    choice.tap()
    expect(page.locator(f'input[name="overall"][value="{score}"]')).to_be_checked()


def answer_one_criterion(page):
    details = page.locator("details.more:has(fieldset.criterion)")
    expect(details).not_to_have_attribute("open", re.compile(".*"))
    details.locator("summary").tap()
    expect(details).to_have_attribute("open", "")
    first = details.locator("fieldset.criterion").first
    level = first.locator("label.level").filter(has=page.locator('input[value="4"]'))
    level.tap()
    expect(level.locator("input")).to_be_checked()


def type_comment(page, js=True):
    box = page.locator("textarea#comment")
    box.fill(COMMENT)
    expect(box).to_have_value(COMMENT)
    if js:  # rate.js adds the characters left to the help text
        expect(page.locator("#comment-help")).to_have_text(re.compile(rf"\({1000 - len(COMMENT)}\)$"))


def submit(page, shown_at):
    """Tap "send", once the form has been on screen long enough not to look like a bot's."""
    left = FILL_SECONDS - (time.monotonic() - shown_at)
    if left > 0:
        page.wait_for_timeout(left * 1000)
    button = page.locator("form.rate button[type=submit]")
    assert_tappable(button, "send button")
    button.tap()


def assert_overall_tappable(page):
    assert_tappable(page.locator("fieldset.scale label.choice"), "overall choice")


def assert_thanks(page, live_server, lang, score, replaced):
    text = TEXT[lang]
    expect(page).to_have_url(thanks_url(live_server, lang, replaced))
    expect(page.locator("h1")).to_have_text(text["thanks"])
    main = page.locator("main")
    if replaced:
        expect(main).to_contain_text(text["replaced"])
        expect(main).not_to_contain_text(text["recorded"])
    else:
        expect(main).to_contain_text(text["recorded"])
        expect(main).not_to_contain_text(text["replaced"])
    expect(page.locator(f'dl.facts dt:text-is("{text["your_score"]}") + dd')).to_have_text(
        f"{score} — {text['words'][score]}")
    expect(page.locator(f'dl.facts dt:text-is("{text["your_comment"]}") + dd')).to_contain_text(COMMENT)
    # Not quarantined (no "being checked" note), and no score below the minimum sample.
    expect(page.locator("main .note")).to_have_count(0)
    expect(main).to_contain_text(text["not_enough"])
    expect(page.locator("main p.big")).to_have_count(0)
    assert_no_horizontal_scroll(page)


def not_enough_paragraph(page, lang):
    return page.locator("main p", has_text=TEXT[lang]["not_enough"]).inner_text()


def rate_water(page, live_server, lang, js=True, shot=None):
    shown = open_form_from_municipality(page, live_server, lang)
    assert_no_horizontal_scroll(page)
    if shot:
        screenshot(page, f"rate-form-{shot}")
    choose_overall(page, 4)
    answer_one_criterion(page)
    type_comment(page, js=js)
    assert_no_horizontal_scroll(page)  # with the details open
    if shot:
        screenshot(page, f"rate-form-filled-{shot}")
    submit(page, shown)
    assert_thanks(page, live_server, lang, 4, replaced=False)
    if shot:
        screenshot(page, f"rate-thanks-{shot}")


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_rate_drinking_water(live_server, phone, lang):
    rate_water(phone, live_server, lang, shot=lang)


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_form_fits_a_phone(live_server, phone, lang):
    """No sideways scrolling at 360 px, even with both optional sections open; thumb-sized scores."""
    page = phone
    page.goto(live_server + form_path(lang))
    for summary in page.locator("form.rate details.more > summary").all():
        summary.tap()
    expect(page.locator("form.rate details.more:not([open])")).to_have_count(0)
    assert_no_horizontal_scroll(page)
    assert_overall_tappable(page)


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_rating_again_replaces_the_earlier_one(live_server, phone, lang):
    page = phone
    rate_water(page, live_server, lang)
    so_far = not_enough_paragraph(page, lang)
    # "Rate something else" → drinking water again → a worse score.
    page.locator(f'main a.button[href="/{lang}/m/{AK_BULUN}/rate"]').tap()
    page.locator(f'main ul.list a[href="{form_path(lang)}"]').tap()
    shown = on_form(page, live_server, lang)
    choose_overall(page, 2)
    page.locator("textarea#comment").fill(COMMENT)
    submit(page, shown)
    assert_thanks(page, live_server, lang, 2, replaced=True)
    assert not_enough_paragraph(page, lang) == so_far, "a replaced rating must not be counted twice"
    screenshot(page, f"rate-thanks-replaced-{lang}")


def test_rate_drinking_water_without_javascript(live_server, phone_nojs):
    rate_water(phone_nojs, live_server, "ky", js=False, shot="nojs-ky")


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_missing_score_is_explained_beside_the_field(live_server, phone, lang):
    page = phone
    shown = open_form_from_municipality(page, live_server, lang)
    type_comment(page)
    submit(page, shown)
    expect(page).to_have_url(url(live_server, form_path(lang)))  # the form again (400), not the thank-you page
    scale = page.locator("fieldset.scale")
    error = scale.locator('#overall-error[role="alert"]')
    expect(error).to_have_text(TEXT[lang]["choose_score"])
    expect(scale).to_have_attribute("aria-describedby", "overall-error")
    # Beside the field: inside its fieldset, between the question and the first choice.
    legend, first = scale.locator("legend").bounding_box(), scale.locator("label.choice").first.bounding_box()
    box = error.bounding_box()
    assert legend["y"] < box["y"] < first["y"], (legend, box, first)
    expect(page.locator("textarea#comment")).to_have_value(COMMENT)
    assert_no_horizontal_scroll(page)
    screenshot(page, f"rate-error-{lang}")
    # Correcting it is enough: the comment need not be typed again.
    choose_overall(page, 4)
    submit(page, shown)
    assert_thanks(page, live_server, lang, 4, replaced=False)


QUEUE = "() => LocalVoiceQueue.all()"  # IndexedDB (static/js/queue.js)


def test_rating_made_offline_is_sent_when_back_online(live_server, phone):
    page, lang = phone, "ky"
    context = page.context
    page.goto(live_server + form_path(lang))
    page.wait_for_load_state("load")  # rate.js (deferred) is set up
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)

    context.set_offline(True)
    assert page.evaluate("navigator.onLine") is False
    choose_overall(page, 4)
    type_comment(page)
    page.locator("form.rate button[type=submit]").tap()
    note = page.locator('main p.note[role="status"]')
    expect(note).to_have_text(TEXT[lang]["offline"])
    expect(page).to_have_url(url(live_server, form_path(lang)))
    assert posts == [], f"sent while offline: {posts}"
    queued = page.evaluate(QUEUE)
    assert len(queued) == 1 and queued[0]["overall"] == 4 and queued[0]["comment"] == COMMENT, queued
    assert queued[0]["municipality"] == AK_BULUN and queued[0]["subject"] == SUBJECT
    screenshot(page, f"rate-offline-{lang}")

    # Back online: the page's "online" handler (or the service worker's Background Sync, whichever
    # takes the queue's lock first) sends the queue to the API.
    sent = []
    context.on("response", lambda r: sent.append(r) if r.url == f"{live_server}/api/v1/ratings"
               and r.request.method == "POST" else None)
    context.set_offline(False)
    for _ in range(100):
        if not page.evaluate(QUEUE):
            break
        page.wait_for_timeout(100)
    assert page.evaluate(QUEUE) == []
    assert sent and sent[0].status == 201, [r.status for r in sent]
    assert sent[0].json()["status"] == "accepted"
    assert {r.request.post_data_json["client_id"] for r in sent} == {queued[0]["client_id"]}

    # The same phone (its respondent cookie came with the API's answer) sees the stored rating.
    page.goto(f"{live_server}{form_path(lang)}/thanks")
    expect(page.locator(f'dl.facts dt:text-is("{TEXT[lang]["your_score"]}") + dd')).to_have_text(
        f"4 — {TEXT[lang]['words'][4]}")
    expect(page.locator(f'dl.facts dt:text-is("{TEXT[lang]["your_comment"]}") + dd')).to_contain_text(COMMENT)
    expect(page.locator("main")).to_contain_text(TEXT[lang]["recorded"])
    expect(page.locator("main .note")).to_have_count(0)
    # Reloading the form later does not send it again.
    posts.clear()
    page.goto(live_server + form_path(lang))
    page.wait_for_load_state("load")
    assert posts == []
