"""Finding a municipality by its own name or a village's name, however the resident spells it."""
import pytest
from sqlalchemy import select

from feedback.territory.models import Municipality, Village
from feedback.territory.search import fold, max_typos, rank, search_key, search_municipalities

AK_BULUN = "41702205805000"
AK_SUU = "41702205000000"
ISSYK_KUL = "41702000000000"


# --- normalisation: one rule per test ---------------------------------------------------------------

@pytest.mark.parametrize("variants", [
    ("Ак-Булуң", "ак булун", "АК-БУЛУН", "  Ак -  Булун ", "акбулун"),  # case, hyphens, spaces
    ("Түргөн", "ТҮРГӨН", "тургон"),                                     # ө ү typed as о у
])
def test_case_hyphens_spaces_and_kyrgyz_letters_fold_together(variants):
    assert len({fold(v) for v in variants}) == 1


@pytest.mark.parametrize("scheme, latin, cyrillic", [
    ("ISO 9", "Čolpon-Ata", "Чолпон-Ата"),
    ("ISO 9", "Džety-Oguz", "Джеты-Огуз"),
    ("ISO 9", "Gulʹča", "Гульча"),
    ("ISO 9", "Kara-Koûn", "Кара-Коюн"),
    ("ISO 9 (Kyrgyz letters)", "Kôk-Žar", "Көк-Жар"),
    ("BGN/PCGN", "Dzhety-Oguz", "Джеты-Огуз"),
    ("BGN/PCGN", "Ananyevo", "Ананьево"),
    ("BGN/PCGN", "Belovodskoye", "Беловодское"),
    ("BGN/PCGN", "Semyonovka", "Семёновка"),
    ("BGN/PCGN", "Kok-Yangak", "Кок-Янгак"),
    ("BGN/PCGN", "Khaidarkan", "Хайдаркан"),
    ("BGN/PCGN", "Shopokov", "Шопоков"),
    ("informal j", "Jalal-Abad", "Жалал-Абад"),
    ("informal dj", "Djalal-Abad", "Джалал-Абад"),
    ("informal dzh", "Dzhalal-Abad", "Жалал-Абад"),
    ("informal zh", "Zhalal-Abad", "Жалал-Абад"),
    ("ng for ң", "Chong-Kemin", "Чоң-Кемин"),
    ("ng for ң", "Ichke-Bulung", "Ичке-Булуң"),
    ("ö for ө", "Özgön", "Өзгөн"),
    ("oe for ө", "Oezgoen", "Өзгөн"),
    ("o for ө", "Ozgon", "Өзгөн"),
    ("ü for ү", "Tüp", "Түп"),
    ("ue for ү", "Tuep", "Түп"),
    ("u for ү", "Tup", "Түп"),
    ("yu for ю", "Tyup", "Тюп"),
    ("y for ы", "Balykchy", "Балыкчы"),
    ("i for ы", "Balikchi", "Балыкчы"),
    ("y for й", "Chuy", "Чуй"),
    ("kh for х", "Khauz", "Хауз"),
    ("h for х", "Hauz", "Хауз"),
    ("ya for я", "Yangi-Bazar", "Янги-Базар"),
    ("ia for я", "Iangi-Bazar", "Янги-Базар"),
    ("yo for ё", "Semyonovka", "Семёновка"),
    ("e for ё", "Semenovka", "Семёновка"),
    ("ts for ц", "Tsentralnoye", "Центральное"),
    ("c for ц", "Centralnoe", "Центральное"),
    ("sh for ш", "Tash-Kumyr", "Таш-Кумыр"),
    ("ch for ч", "Chaek", "Чаек"),
    ("shch for щ", "Shchors", "Щорс"),
])
def test_latin_transliterations_fold_to_the_cyrillic_name(scheme, latin, cyrillic):
    assert fold(latin) == fold(cyrillic), scheme


@pytest.mark.parametrize("typed, name", [
    ("Aк-Суу", "Ак-Суу"),          # Latin A
    ("Kочкорка", "Кочкорка"),      # Latin K
    ("Таш-Kумыр", "Таш-Кумыр"),
    ("Ибpаимов", "Ибраимов"),      # Latin p for р
    ("Сaйлык", "Сайлык"),
    ("Кара-Balta", "Кара-Балта"),  # a part in each script
    ("Kара-Кol", "Кара-Көл"),
    ("Кaра-Cуу", "Кара-Суу"),      # Latin c for с
    ("Hарын", "Нарын"),            # Latin H for Н
    ("Bасильевка", "Васильевка"),  # Latin B for В
    ("Kаrа-Bаltа", "Кара-Балта"),
])
def test_lookalike_letters_of_the_other_script(typed, name):
    assert fold(typed) == fold(name)


def test_lookalikes_read_in_the_script_of_the_word():
    """A Cyrillic р inside a Latin word is a Latin p, not r."""
    assert fold("Ak-Turрak") == fold("Ak-Turpak")


@pytest.mark.parametrize("typed, name", [
    ("Подъезд", "Подъезд"), ("Подьезд", "Подъезд"), ("Подезд", "Подъезд"),  # soft and hard signs
    ("Гульча", "Гулча"),
])
def test_soft_and_hard_signs_are_ignored(typed, name):
    assert fold(typed) == fold(name)


@pytest.mark.parametrize("query", [
    "г. Каракол", "город Каракол", "Каракол шаары", "Каракол ш.", "Каракол г.",
    "с. Каракол", "село Каракол", "Каракол айылы", "Каракол айыл окмоту", "Каракол айыл өкмөтү",
    "Каракол айыл аймагы", "Каракол аймак", "Каракол а/о", "Каракольский айылный аймак",
])
def test_kind_words_are_dropped(query):
    assert fold(query) == fold("Каракол")


@pytest.mark.parametrize("query", ["Кочкор району", "Кочкорский район", "Кочкорского района",
                                   "Ысык-Көл облусу", "Иссык-Кульская область"])
def test_district_and_region_kind_words_are_dropped(query):
    assert fold(query) in {fold("Кочкор"), fold("Ысык-Көл"), fold("Иссык-Куль")}


@pytest.mark.parametrize("length, typos", [(2, 0), (3, 0), (4, 1), (5, 1), (6, 2), (8, 2), (9, 3), (14, 3)])
def test_typos_allowed_grow_with_the_length(length, typos):
    assert max_typos(length) == typos


@pytest.mark.parametrize("query, code", [
    ("Каракл", "41702410000010"),    # a letter missing
    ("Балыкчи", "41702420000010"),   # и for ы
    ("Барскон", "41702210815000"),
    ("Токтогл", "41703225600010"),
    ("Сакулук", "41708222865000"),   # о typed а
    ("Бишкке", "41711000000000"),    # two letters swapped
])
def test_one_letter_typos_find_the_place(query, code):
    assert code in [h.code for h in rank(query)[:3]]


def test_no_typos_for_very_short_words():
    assert "41721000000000" not in [h.code for h in rank("Ом")]


def test_consonant_skeleton_finds_old_russian_names():
    """Daraut-Kurgan (the Soviet name) is the village Дароот-Коргон of Чоң-Алай aimak."""
    hits = rank("Daraut-Kurgan")
    assert hits[0].code == "41706259851000" and hits[0].village_code == "41706259851010"


def test_search_key_holds_each_skeleton_once():
    assert search_key("Ак-Булун", "Ак-Булуң", "Ак-Булун").split() == ["akbulun"]
    assert search_key("", "--", "Ош") == fold("Osh")


def test_stored_search_key(session):
    assert "akbulun" in session.get(Municipality, AK_BULUN).search_key.split()


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


def test_own_name_matches_come_before_village_matches_of_the_same_rank():
    hits = [h for h in rank("Ак-Булак") if h.tier == 0]
    own = [h.village_code is None for h in hits]
    assert own == sorted(own, reverse=True)
    assert own[0] is True  # Ак-Булак aiyl aimak exists
    assert any(not o for o in own)


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


# --- ranking -------------------------------------------------------------------------------------

def test_exact_before_prefix_before_word_before_near():
    for query in ("Кара-Суу", "Кара-Ка", "Кемин", "Каракль"):
        tiers = [h.tier for h in rank(query)]
        assert tiers == sorted(tiers), query
    assert {h.tier for h in rank("Кара-Ка")} >= {1, 3}
    assert 2 in {h.tier for h in rank("Кемин")}  # Чоң-Кемин by a word of its name


def test_a_city_comes_before_the_aimak_and_villages_of_its_name():
    hits = [h for h in rank("Каракол") if h.tier == 0]
    assert hits[0].code == "41702410000010"  # the city
    codes = [h.code for h in hits]
    aimak = codes.index("41702205813000")    # Каракол aiyl aimak, by its own name
    assert all(h.village_code for h in hits[aimak + 1:])
    assert all(h.village_code is None for h in hits[:aimak])


def test_osh_is_the_city_first_in_page_and_api(client):
    assert rank("Ош")[0].code == "41721000000000"
    items = client.get("/api/v1/municipalities", query_string={"q": "Ош"}).get_json()["items"]
    assert items[0]["code"] == "41721000000000"
    html = client.get("/ru/search", query_string={"q": "Ош"}).get_data(as_text=True)
    assert html.index('href="/ru/m/') == html.index('href="/ru/m/41721000000000/')


def test_ties_are_alphabetical_in_the_page_language():
    from feedback.i18n import collation_key
    from feedback.territory.search import current_index

    index = current_index()
    for lang in ("ky", "ru"):
        hits = [h for h in rank("Кара-Суу", lang=lang) if h.tier == 0 and h.village_code]
        names = [index.municipalities[h.code].name_ky if lang == "ky" else index.municipalities[h.code].name_ru
                 for h in hits]
        assert len(names) > 3
        assert names == sorted(names, key=lambda n: collation_key(n, lang))


def test_district_and_place_narrow_the_search():
    """Ак-Сай is a village in many districts; with "Тонский район" the one in Тоң comes first."""
    for query in ("Тонский район Ак-Сай", "Ак-Сай Тоң району", "Ак-Сай, Тонский р-н", "Тон Ак-Сай"):
        hit = rank(query)[0]
        assert hit.code == "41702220808000", query
        assert hit.village_code == "41702220808020"


def test_unknown_extra_words_do_not_hide_the_place():
    assert rank("Каракол кайда")[0].code == "41702410000010"


def test_the_index_follows_the_registry(session):
    """A renamed village is found by its new name at once: the index is keyed by the registry version."""
    village = session.get(Village, "41702205805020")
    assert "41702205805000" not in [h.code for h in rank("Жаңы-Атбашы-Сай")]
    village.name_ky = "Жаңы-Атбашы-Сай"
    session.flush()
    assert rank("Жаңы-Атбашы-Сай")[0].code == "41702205805000"


# --- API and page share the search ---------------------------------------------------------------

def test_api_uses_the_ranking_and_says_what_matched(client):
    data = client.get("/api/v1/municipalities", query_string={"q": "Тюрген"}).get_json()
    hit = next(i for i in data["items"] if i["code"] == AK_BULUN)
    assert hit["match"] == {"by": "village", "village": {"code": "41702205805060", "name_ky": "Түргөн",
                                                         "name_ru": "Тюрген"}} or hit["match"]["by"] == "village"
    data = client.get("/api/v1/municipalities", query_string={"q": "Tokmak"}).get_json()
    assert data["items"][0]["code"] == "41708400000010"
    assert data["items"][0]["match"] == {"by": "name"}
    assert data["total"] >= 1


def test_api_paginates_the_ranking(client):
    full = client.get("/api/v1/municipalities", query_string={"q": "Ак", "limit": 10}).get_json()
    page2 = client.get("/api/v1/municipalities", query_string={"q": "Ак", "limit": 5, "offset": 5}).get_json()
    assert [i["code"] for i in full["items"]][5:] == [i["code"] for i in page2["items"]]
    assert full["total"] == page2["total"] > 10


def test_api_did_you_mean(client):
    data = client.get("/api/v1/municipalities", query_string={"q": "Жжжжаргылчакстан"}).get_json()
    assert data["items"] == [] and data["total"] == 0
    assert "did_you_mean" in data


def test_search_page_offers_a_way_forward(client):
    html = client.get("/ru/search", query_string={"q": "Жжжжаргылчакстан"}).get_data(as_text=True)
    assert "/ru/r/41702000000000/" in html   # the region list
    assert "/ru/search?q=" in html           # did you mean


def test_search_page_says_which_village_matched(client):
    html = client.get("/ky/search", query_string={"q": "Тюрген"}).get_data(as_text=True)
    assert "Түргөн" in html and "Ак-Суу району" in html


def test_words_typed_apart_join_like_a_hyphenated_name():
    assert fold("Мырза Аке") == fold("Мырза-Аке")
    assert rank("Мырза Аке")[0].code == "41706255859000"


def test_a_district_alone_lists_its_municipalities():
    hits = rank("Аксы")
    assert hits[0].code == "41703211610010"  # Кербен, the district's city
    assert all(h.code.startswith("41703211") for h in hits[:10])


def test_vowels_meeting_at_a_hyphen_stay_apart():
    assert fold("Сары-Ой") == fold("сары ой") == fold("Sary-Oy") == "sarioi"


@pytest.mark.parametrize("query, code", [
    ("Maj", "41707225826000"),            # ISO 9: й is j
    ("Oktjabrskiy", "41702205832000"),    # German-style: я is ja
    ("Semjonovka", "41702215825000"),     # ё is jo
    ("Kajyṇdy", "41708219600010"),        # ISO 9 of Кайыңды (the city first)
    ("Jalal-Abad", "41703410000010"),     # and j is still ж
])
def test_latin_j_is_read_both_ways(query, code):
    assert code in [h.code for h in rank(query)[:3]]


def test_two_letters_swapped_count_as_one_typo():
    from rapidfuzz.distance import OSA

    assert OSA.distance(fold("Бапры"), fold("Барпы")) == 1
    assert rank("Бапры")[0].tier in (0, 3)
