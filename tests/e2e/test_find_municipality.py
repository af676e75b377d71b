"""The foundation journey on a 360×740 phone: a resident finds their aiyl aimak, by search or by
browsing region → district → municipality, in Kyrgyz and in Russian, with and without JavaScript.
"""
import re

import pytest
from playwright.sync_api import expect

from .conftest import PHONE, screenshot

AK_BULUN = "41702205805000"
OTHER = {"ky": "ru", "ru": "ky"}
# What the resident sees, per language (names come from the registry, not from the UI catalog).
TEXT = {
    "ru": {
        "name": "Ак-Булунский айылный аймак",
        "region": "Иссык-Кульская область",
        "district": "Ак-Суйский район",
        "villages": ["Ак-Булак", "Ак-Булун", "Токтогул", "Тюрген"],
        "switch": "Русский",
    },
    "ky": {
        "name": "Ак-Булуң айыл аймагы",
        "region": "Ысык-Көл облусу",
        "district": "Ак-Суу району",
        "villages": ["Ак-Булак", "Ак-Булуң", "Токтогул", "Түргөн"],
        "switch": "Кыргызча",
    },
}
MIN_TAP = 44  # px, WCAG 2.5.5 / Apple HIG; Android asks for 48dp


def url(live_server, path):
    return re.compile("^" + re.escape(live_server + path) + "$")


def assert_no_horizontal_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways: {width}px wide at {PHONE['width']}px"


def assert_tappable(locator, what):
    count = locator.count()
    assert count, f"no {what} on the page"
    for i in range(count):
        item = locator.nth(i)
        box = item.bounding_box()
        assert box and box["height"] >= MIN_TAP, \
            f"{what} {item.inner_text()!r} is {box and box['height']:.1f}px high, under {MIN_TAP}px"


def switch_language(page, live_server, lang, path):
    """Follow the header's switch link to `lang`, expecting the same page at /<lang>/<path>."""
    link = page.locator(f'header a[hreflang="{lang}"]')
    expect(link).to_have_text(TEXT[lang]["switch"])
    assert_tappable(link, "language switch")
    link.click()
    expect(page).to_have_url(url(live_server, f"/{lang}/{path}"))
    expect(page.locator("html")).to_have_attribute("lang", lang)


def open_home(page, live_server, lang):
    """A first visit: "/" sends a browser without ky/ru preference to Kyrgyz; switch if needed."""
    page.goto(live_server + "/")
    expect(page).to_have_url(url(live_server, "/ky/"))
    if lang != "ky":
        switch_language(page, live_server, lang, "")
    assert_no_horizontal_scroll(page)


def assert_on_ak_bulun(page, live_server, lang):
    expect(page).to_have_url(url(live_server, f"/{lang}/m/{AK_BULUN}/"))
    expect(page.locator("h1")).to_have_text(TEXT[lang]["name"])
    villages = page.locator("main ul.tags li")
    expect(villages).to_have_text(TEXT[lang]["villages"])
    assert_no_horizontal_scroll(page)


def search_and_open(page, live_server, lang):
    box = page.locator("input#q")
    expect(box).to_have_attribute("type", "search")
    expect(page.get_by_role("searchbox")).to_have_count(1)
    button = page.locator("form.search button[type=submit]")
    assert_tappable(button, "search button")
    box.fill("ак булун")
    button.click()
    expect(page).to_have_url(re.compile("^" + re.escape(f"{live_server}/{lang}/search?q=")))
    assert_no_horizontal_scroll(page)
    results = page.locator("main ul.list a")
    assert_tappable(results, "search result")
    # Two aiyl aimaks are called Ak-Bulun (Ak-Suu and Tüp districts): pick ours by its code.
    ours = page.locator(f'main ul.list a[href="/{lang}/m/{AK_BULUN}/"]')
    expect(ours).to_have_count(1)
    expect(ours).to_contain_text(TEXT[lang]["name"])
    expect(ours).to_contain_text(TEXT[lang]["district"])
    ours.click()
    assert_on_ak_bulun(page, live_server, lang)


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_find_by_search(live_server, phone, lang):
    page = phone
    open_home(page, live_server, lang)
    screenshot(page, f"home-{lang}")
    search_and_open(page, live_server, lang)
    screenshot(page, f"municipality-{lang}")
    other = OTHER[lang]
    switch_language(page, live_server, other, f"m/{AK_BULUN}/")
    assert_on_ak_bulun(page, live_server, other)


def test_find_by_search_without_javascript(live_server, phone_nojs):
    page = phone_nojs
    open_home(page, live_server, "ky")
    search_and_open(page, live_server, "ky")
    switch_language(page, live_server, "ru", f"m/{AK_BULUN}/")
    assert_on_ak_bulun(page, live_server, "ru")


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_find_by_browsing(live_server, phone, lang):
    page = phone
    open_home(page, live_server, lang)
    text = TEXT[lang]
    for step in ("region", "district", "name"):
        links = page.locator("main ul.list a")
        assert_tappable(links, f"{step} link")
        link = links.filter(has=page.locator("span", has_text=re.compile("^" + re.escape(text[step]) + "$")))
        expect(link).to_have_count(1)
        link.click()
        expect(page.locator("h1")).to_have_text(text[step])
        assert_no_horizontal_scroll(page)
    assert_on_ak_bulun(page, live_server, lang)


def test_header_links_are_tappable(live_server, phone):
    """The header's language switch is big enough to hit with a thumb."""
    phone.goto(f"{live_server}/ru/")
    assert_tappable(phone.locator("header .langs a, header .langs span"), "header language item")


def test_header_brand_is_tappable(live_server, phone):
    phone.goto(f"{live_server}/ru/")
    assert_tappable(phone.locator("header a.brand"), "header home link")
