"""Finding a municipality by its own name or a village's name, however the resident spells it."""
import pytest
from sqlalchemy import select

from feedback.territory.models import Municipality, Village
from feedback.territory.search import fold, fold_latin, search_key, search_municipalities

AK_BULUN = "41702205805000"
AK_SUU = "41702205000000"
ISSYK_KUL = "41702000000000"


# --- folding ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Ак-Булуң", "акбулун"),
    ("ак булун", "акбулун"),
    ("АК-БУЛУН", "акбулун"),
    ("  Ак -  Булун ", "акбулун"),
    ("Түргөн", "тургон"),
    ("ТҮРГӨН", "тургон"),
    ("Тюрген", "тюрген"),
    ("Джети-Огуз", "жетиогуз"),
    ("Жети-Өгүз", "жетиогуз"),
    ("Алёшино", "алешино"),
    ("Кой-Таш", "коиташ"),
    ("Сары-Ой", "сарыои"),
    ("Подъём", "подем"),
    ("Ак-Булун (село)", "акбулунсело"),
    ("", ""),
    ("-- ", ""),
])
def test_fold(text, expected):
    assert fold(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Ак-Булуң", "akbulun"),
    ("AK-BULUN", "akbulun"),
    ("Ak-Bulun", "akbulun"),
    ("ak bulun", "akbulun"),
    ("Джети-Огуз", "jetioguz"),
    ("Djety-Oguz", "jetioguz"),
    ("Dzhety-Oguz", "jetioguz"),
    ("Jety-Oguz", "jetioguz"),
    ("Жалал-Абад", "jalalabad"),
    ("Zhalal-Abad", "jalalabad"),
    ("Чуй", "chui"),
    ("Chui", "chui"),
    ("Chuy", "chui"),
    ("Ысык-Көл", "isikkol"),
    ("Issyk-Kul", "issikkul"),
    ("Тюп", "tiup"),
    ("Tyup", "tiup"),
    ("Хайдаркан", "haidarkan"),
    ("Khaidarkan", "haidarkan"),
])
def test_fold_latin(text, expected):
    assert fold_latin(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Kök-Jar", "kokjar"),
    ("Özgön", "ozgon"),
    ("Tüp", "tup"),
    ("Kyzyl-Suú", "kizilsuu"),
])
def test_fold_latin_keeps_latin_letters_with_diacritics(text, expected):
    """Kyrgyz in Latin letters writes ө ү as ö ü: they are o and u, not dropped."""
    assert fold_latin(text) == expected


def test_fold_latin_is_ascii():
    for name in ("Ак-Булуң", "Түргөн", "Ысык-Көл", "Щорс", "Кёк-Жар", "Kök-Jar"):
        key = fold_latin(name)
        assert key.isascii() and key.isalnum()


def test_search_key_holds_both_skeletons_of_every_name_once():
    key = search_key("Ак-Булун", "Ак-Булуң", "Ак-Булун")
    assert key.split() == ["акбулун", "akbulun"]
    key = search_key("Тюрген", "Түргөн")
    assert key.split() == ["тюрген", "tiurgen", "тургон", "turgon"]


def test_search_key_skips_empty_names():
    assert search_key("", "--", "Ош") == "ош osh"


def test_stored_search_key(session):
    key = session.get(Municipality, AK_BULUN).search_key.split()
    assert "акбулун" in key and "akbulun" in key


# --- search_municipalities -----------------------------------------------------------------------

@pytest.mark.parametrize("query", ["Ак-Булуң", "ак булун", "AK-BULUN", "Ak-Bulun", "акбулун",
                                   "Ак-Булунский", "Ак-Булуң айыл аймагы", "  ак-булуң  "])
def test_finds_ak_bulun_by_its_name(query):
    results = search_municipalities(query)
    codes = [r.code for r in results]
    assert AK_BULUN in codes
    hit = results[codes.index(AK_BULUN)]
    assert hit.municipality.district_code == AK_SUU
    assert hit.village is None  # found by its own name


@pytest.mark.parametrize("query, village_ru", [
    ("Ак-Булак", "Ак-Булак"),
    ("Токтогул", "Токтогул"),
    ("Тюрген", "Тюрген"),
    ("Түргөн", "Тюрген"),
    ("түргөн", "Тюрген"),
    ("ТЮРГЕН", "Тюрген"),
    ("Tyurgen", "Тюрген"),
])
def test_finds_ak_bulun_by_a_village(query, village_ru):
    results = search_municipalities(query)
    hits = [r for r in results if r.code == AK_BULUN]
    assert len(hits) == 1, [r.code for r in results]
    assert hits[0].village is not None
    assert hits[0].village.name_ru == village_ru
    assert hits[0].village.municipality_code == AK_BULUN


def test_village_match_of_a_village_named_like_its_aimak(session):
    """Ак-Булун village lies in Ак-Булун aimak: the aimak is found once, by its own name."""
    results = search_municipalities("Ак-Булун")
    assert [r.code for r in results].count(AK_BULUN) == 1


def test_own_name_matches_come_before_village_matches():
    results = search_municipalities("Ак-Булак")
    kinds = [r.village is None for r in results]
    assert kinds == sorted(kinds, reverse=True)
    assert kinds[0] is True  # Ак-Булак aiyl aimak exists
    assert any(not own for own in kinds)


def test_every_result_is_distinct():
    codes = [r.code for r in search_municipalities("Ак", limit=100)]
    assert len(codes) == len(set(codes))


def test_results_are_limited():
    assert len(search_municipalities("Ак", limit=5)) == 5
    assert len(search_municipalities("Ак", limit=1)) == 1
    assert len(search_municipalities("Ак")) == 20  # the default limit
    # the limit also caps results found through villages
    village_only = search_municipalities("Ак-Булак", limit=2)
    assert len(village_only) == 2


@pytest.mark.parametrize("query", ["", "а", "A", " ", "-", "ң", "--- ", None])
def test_short_query_gives_nothing(query):
    assert search_municipalities(query) == []


def test_nothing_found():
    assert search_municipalities("Қазақстанбаймырза") == []
    assert search_municipalities("zzqqxx") == []


def test_wildcards_in_the_query_are_not_wildcards():
    assert search_municipalities("%%") == []
    assert search_municipalities("__") == []


def test_filter_by_region(session):
    results = search_municipalities("Ак", limit=500, region=ISSYK_KUL)
    assert results
    assert all(r.municipality.region_code == ISSYK_KUL for r in results)
    assert AK_BULUN in [r.code for r in search_municipalities("Ак-Булуң", region=ISSYK_KUL)]
    assert AK_BULUN not in [r.code for r in search_municipalities("Ак-Булуң", region="41708000000000")]


def test_filter_by_district():
    results = search_municipalities("Ак", limit=500, district=AK_SUU)
    assert results
    assert all(r.municipality.district_code == AK_SUU for r in results)
    assert AK_BULUN in [r.code for r in search_municipalities("Түргөн", district=AK_SUU)]
    assert AK_BULUN not in [r.code for r in search_municipalities("Түргөн", district="41702210000000")]


def test_filter_by_kind():
    cities = search_municipalities("Кара", limit=500, kind="city")
    assert "41702410000010" in [r.code for r in cities]  # Karakol
    assert all(r.municipality.kind == "city" for r in cities)
    aimaks = search_municipalities("Кара", limit=500, kind="aiyl_aimak")
    assert aimaks and all(r.municipality.kind == "aiyl_aimak" for r in aimaks)
    assert AK_BULUN not in [r.code for r in search_municipalities("Ак-Булуң", kind="city")]


@pytest.mark.parametrize("query, code", [
    ("Özgön", "41706255600010"),   # Өзгөн / Узген
    ("Tüp", "41702225889000"),     # Түп / Тюп
    ("Kök-Jar", "41708203828000"),  # Көк-Жар / Кок-Джар
])
def test_finds_by_latin_spelling_with_diacritics(query, code):
    assert code in [r.code for r in search_municipalities(query, limit=100)]


def test_finds_cities_in_both_languages():
    for query in ("Каракол", "Karakol", "Каракол шаары", "город Каракол"):
        assert "41702410000010" in [r.code for r in search_municipalities(query)], query
    for query in ("Бишкек", "Bishkek"):
        assert "41711000000000" in [r.code for r in search_municipalities(query)], query


def test_every_village_can_be_found_by_its_russian_name(session):
    """Whatever the name, searching for it finds the village's municipality."""
    villages = session.scalars(select(Village).order_by(Village.code)).all()
    for village in villages[::37]:
        results = search_municipalities(village.name_ru, limit=500)
        assert village.municipality_code in [r.code for r in results], village.name_ru


def test_every_municipality_can_be_found_by_its_kyrgyz_name(session):
    for m in session.scalars(select(Municipality).order_by(Municipality.code)).all()[::11]:
        results = search_municipalities(m.name_ky, limit=500)
        assert m.code in [r.code for r in results], m.name_ky


def test_merged_municipality_comes_after_current_ones(session):
    import datetime as dt

    old = session.get(Municipality, AK_BULUN)
    old.valid_to = dt.date(2024, 12, 27)
    session.flush()
    results = search_municipalities("Ак-Булун")
    own = [r.code for r in results if r.village is None]
    assert own[-1] == AK_BULUN


# --- HTML search ---------------------------------------------------------------------------------

def test_search_page_ru(client):
    response = client.get("/ru/search", query_string={"q": "Ак-Булуң"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Ак-Булунский айылный аймак" in html
    assert "Ак-Суйский район" in html
    assert "Иссык-Кульская область" in html
    assert f"/ru/m/{AK_BULUN}/" in html


def test_search_page_ky(client):
    html = client.get("/ky/search", query_string={"q": "ак булун"}).get_data(as_text=True)
    assert "Ак-Булуң айыл аймагы" in html
    assert "Ак-Суу району" in html
    assert f"/ky/m/{AK_BULUN}/" in html
    assert "Ак-Булунский айылный аймак" not in html


def test_search_page_shows_the_village_that_matched(client):
    html = client.get("/ru/search", query_string={"q": "Түргөн"}).get_data(as_text=True)
    assert "Ак-Булунский айылный аймак" in html
    assert "Тюрген" in html
    html = client.get("/ky/search", query_string={"q": "Тюрген"}).get_data(as_text=True)
    assert "Ак-Булуң айыл аймагы" in html
    assert "Түргөн" in html
    assert "Ак-Суу району" in html


def test_search_page_latin_query(client):
    html = client.get("/ru/search", query_string={"q": "Ak-Bulun"}).get_data(as_text=True)
    assert f"/ru/m/{AK_BULUN}/" in html
    assert 'value="Ak-Bulun"' in html  # the query stays in the box


def test_search_page_without_results(client):
    response = client.get("/ru/search", query_string={"q": "Қазақстанбаймырза"})
    assert response.status_code == 200
    assert "/ru/m/" not in response.get_data(as_text=True)


def test_search_page_without_query(client):
    response = client.get("/ky/search")
    assert response.status_code == 200
    assert "/ky/m/" not in response.get_data(as_text=True)


def test_search_page_escapes_the_query(client):
    html = client.get("/ru/search", query_string={"q": '<script>alert("x")</script>'}).get_data(as_text=True)
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;" in html


def test_search_page_respects_the_limit(app, client):
    app.config["SEARCH_RESULTS_LIMIT"] = 3
    try:
        html = client.get("/ru/search", query_string={"q": "Ак"}).get_data(as_text=True)
    finally:
        app.config["SEARCH_RESULTS_LIMIT"] = 20
    assert html.count('href="/ru/m/') == 3
