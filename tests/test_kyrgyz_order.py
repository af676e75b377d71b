"""Every list of names on the main pages is in the page's alphabetical order: Kyrgyz pages by the
Kyrgyz alphabet (… н ң о ө п … у ү ф …) and Kyrgyz names, Russian pages by Russian names."""
import html as htmllib
import re

import pytest
from sqlalchemy import select

from feedback.territory.models import District, Region

# Written out here, independently of feedback.i18n, so that this test can catch a wrong helper.
KYRGYZ = "абвгдеёжзийклмнңоөпрстуүфхцчшщъыьэюя"
RUSSIAN = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"


def order_key(name: str, alphabet: str) -> list[int]:
    return [alphabet.index(ch) for ch in name.lower() if ch in alphabet]


def page_lists(html: str) -> list[list[str]]:
    """The names of each <ul class="list"> (the first <span> of an item, else its text) and <select>
    of places."""
    lists = []
    for body in re.findall(r'<ul class="list">(.*?)</ul>', html, re.S):
        items = []
        for item in re.findall(r"<li[^>]*>(.*?)</li>", body, re.S):
            span = re.search(r"<span>(.*?)</span>", item, re.S)
            items.append(htmllib.unescape(re.sub(r"<[^>]+>", "", span.group(1) if span else item)).strip())
        lists.append(items)
    # selects of places (not of ordered values like age bands)
    for body in re.findall(r'<select[^>]*name="[^"]*(?:village|region|district)[^"]*"[^>]*>(.*?)</select>', html, re.S):
        lists.append([htmllib.unescape(text).strip() for value, text in
                      re.findall(r'<option value="([^"]*)"[^>]*>(.*?)</option>', body, re.S) if value])
    return [names for names in lists if len(names) > 1]


def assert_in_order(url: str, html: str, alphabet: str) -> int:
    lists = page_lists(html)
    for names in lists:
        keys = [order_key(n, alphabet) for n in names]
        assert keys == sorted(keys), (url, names)
    return len(lists)


def main_pages(session, lang: str) -> list[str]:
    urls = [f"/{lang}/", f"/{lang}/search?q=Жжжжаргылчакстан"]
    urls += [f"/{lang}/r/{code}/" for code in session.scalars(select(Region.code))]
    urls += [f"/{lang}/d/{code}/" for code in session.scalars(select(District.code).order_by(District.code))]
    # municipality pages with many villages, and the rating form's village list
    urls += [f"/{lang}/m/{code}/" for code in ("41702205805000", "41706255822000", "41708222834000")]
    urls += [f"/{lang}/m/41702205805000/rate/LI-WATER"]
    return urls


@pytest.mark.parametrize("lang, alphabet", [("ky", KYRGYZ), ("ru", RUSSIAN)])
def test_every_list_on_the_main_pages_is_in_alphabetical_order(client, session, lang, alphabet):
    checked = 0
    for url in main_pages(session, lang):
        response = client.get(url)
        assert response.status_code == 200, url
        checked += assert_in_order(url, response.get_data(as_text=True), alphabet)
    assert checked >= 50


def test_kyrgyz_letters_sort_in_their_place(client):
    """Ысык-Көл comes after Нарын on /ky/ (ы is near the end of the Kyrgyz alphabet)."""
    html = client.get("/ky/").get_data(as_text=True)
    names = page_lists(html)[0]
    assert names.index("Нарын облусу") < names.index("Ысык-Көл облусу")
    assert names.index("Ош облусу") < names.index("Талас облусу")


def test_order_key_is_the_kyrgyz_alphabet():
    words = ["Өзгөн", "Ноокат", "Ыссык", "Үч-Коргон", "Ош", "Уч", "Ңа", "Ф"]
    assert sorted(words, key=lambda w: order_key(w, KYRGYZ)) == ["Ноокат", "Ңа", "Ош", "Өзгөн", "Уч", "Үч-Коргон", "Ф", "Ыссык"]


def test_the_helper_sorts_kyrgyz_names():
    from feedback.i18n import collation_key

    words = ["Үч-Коргон", "Уч-Терек", "Өзгөн", "Ош", "Ноокат", "Ңа"]
    assert sorted(words, key=lambda w: collation_key(w, "ky")) == ["Ноокат", "Ңа", "Ош", "Өзгөн", "Уч-Терек", "Үч-Коргон"]
    assert sorted(["Ёлка", "Ель", "Жук"], key=lambda w: collation_key(w, "ru")) == ["Ель", "Ёлка", "Жук"]
