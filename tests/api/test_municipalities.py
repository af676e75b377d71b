"""The public JSON API under /api/v1 (PRODUCT.md, "Public JSON API")."""
import re

import pytest
from sqlalchemy import func, select

from feedback.territory.models import Municipality
from tests.helpers import fresh_get

AK_BULUN = "41702205805000"
AK_SUU = "41702205000000"
ISSYK_KUL = "41702000000000"
CONTRACT_KEYS = {"code", "name_ky", "name_ru", "kind", "region_code", "district_code"}


def get_json(client, url, status=200, **params):
    response = client.get(url, query_string=params)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


# --- list ----------------------------------------------------------------------------------------

def test_list_all(client):
    data = get_json(client, "/api/v1/municipalities")
    assert data["total"] == 484
    assert len(data["items"]) == 484
    assert data["offset"] == 0
    for item in data["items"]:
        assert CONTRACT_KEYS <= set(item)
        assert re.fullmatch(r"417\d{11}", item["code"])
        assert item["kind"] in ("aiyl_aimak", "city")
    codes = [item["code"] for item in data["items"]]
    assert codes == sorted(codes) and len(set(codes)) == 484


def test_list_item(client):
    items = get_json(client, "/api/v1/municipalities", q="Ак-Булуң", kind="aiyl_aimak")["items"]
    item = next(i for i in items if i["code"] == AK_BULUN)
    assert item["name_ky"] == "Ак-Булуң айыл аймагы"
    assert item["name_ru"] == "Ак-Булунский айылный аймак"
    assert item["kind"] == "aiyl_aimak"
    assert item["region_code"] == ISSYK_KUL
    assert item["district_code"] == AK_SUU
    assert item["name_ky_derived"] is True
    assert item["valid_to"] is None and item["successor_code"] is None


def test_republican_city_has_no_district(client):
    items = get_json(client, "/api/v1/municipalities", q="Бишкек", kind="city")["items"]
    bishkek = next(i for i in items if i["code"] == "41711000000000")
    assert bishkek["district_code"] is None
    assert bishkek["region_code"] == "41711000000000"


@pytest.mark.parametrize("q", ["Ак-Булуң", "ак булун", "AK-BULUN", "Ak-Bulun", "акбулун", "Түргөн", "Тюрген"])
def test_filter_q(client, q):
    data = get_json(client, "/api/v1/municipalities", q=q)
    assert AK_BULUN in [i["code"] for i in data["items"]]
    assert data["total"] == len(data["items"]) < 484


def test_filter_q_matches_nothing(client):
    data = get_json(client, "/api/v1/municipalities", q="Қазақстанбаймырза")
    assert data == {**data, "items": [], "total": 0}


def test_filter_region(client, session):
    data = get_json(client, "/api/v1/municipalities", region=ISSYK_KUL)
    expected = session.scalar(select(func.count()).select_from(Municipality)
                              .where(Municipality.region_code == ISSYK_KUL))
    assert data["total"] == expected == len(data["items"])
    assert 0 < expected < 484
    assert all(i["region_code"] == ISSYK_KUL for i in data["items"])


def test_filter_district(client):
    data = get_json(client, "/api/v1/municipalities", district=AK_SUU)
    assert data["total"] == len(data["items"]) > 1
    assert all(i["district_code"] == AK_SUU for i in data["items"])
    assert AK_BULUN in [i["code"] for i in data["items"]]


@pytest.mark.parametrize("kind, total", [("city", 31), ("aiyl_aimak", 453)])
def test_filter_kind(client, kind, total):
    data = get_json(client, "/api/v1/municipalities", kind=kind)
    assert data["total"] == total
    assert {i["kind"] for i in data["items"]} == {kind}


def test_filters_combine(client):
    data = get_json(client, "/api/v1/municipalities", q="Ак", district=AK_SUU, kind="aiyl_aimak")
    assert data["items"]
    assert all(i["district_code"] == AK_SUU and i["kind"] == "aiyl_aimak" for i in data["items"])
    other_region = get_json(client, "/api/v1/municipalities", q="Ак-Булуң", region="41708000000000")
    assert AK_BULUN not in [i["code"] for i in other_region["items"]]


def test_unknown_region_gives_an_empty_list(client):
    assert get_json(client, "/api/v1/municipalities", region="41799000000000")["total"] == 0


def test_paging(client):
    first = get_json(client, "/api/v1/municipalities", limit=10)
    second = get_json(client, "/api/v1/municipalities", limit=10, offset=10)
    assert first["total"] == second["total"] == 484
    assert (first["limit"], second["offset"]) == (10, 10)
    assert len(first["items"]) == len(second["items"]) == 10
    everything = [i["code"] for i in get_json(client, "/api/v1/municipalities")["items"]]
    assert [i["code"] for i in first["items"] + second["items"]] == everything[:20]
    last = get_json(client, "/api/v1/municipalities", limit=500, offset=480)
    assert len(last["items"]) == 4


def test_merged_municipalities_only_on_request(client, session):
    import datetime as dt

    m = session.get(Municipality, AK_BULUN)
    m.valid_to = dt.date(2024, 12, 27)
    session.flush()
    assert get_json(client, "/api/v1/municipalities")["total"] == 483
    data = get_json(client, "/api/v1/municipalities", current="false")
    assert data["total"] == 484
    ended = next(i for i in data["items"] if i["code"] == AK_BULUN)
    assert ended["valid_to"] == "2024-12-27"


@pytest.mark.parametrize("params, field", [
    ({"kind": "village"}, "kind"),
    ({"kind": "CITY"}, "kind"),
    ({"limit": "0"}, "limit"),
    ({"limit": "501"}, "limit"),
    ({"limit": "ten"}, "limit"),
    ({"limit": "-1"}, "limit"),
    ({"limit": "1.5"}, "limit"),
    ({"offset": "-1"}, "offset"),
    ({"offset": "x"}, "offset"),
])
def test_bad_parameters(client, params, field):
    data = get_json(client, "/api/v1/municipalities", status=400, **params)
    assert data["error"]["code"] == "invalid_parameter"
    assert data["error"]["field"] == field
    assert data["error"]["message"]


# --- one municipality ----------------------------------------------------------------------------

def test_one_municipality_with_villages(client):
    data = get_json(client, f"/api/v1/municipalities/{AK_BULUN}")
    assert CONTRACT_KEYS <= set(data)
    assert data["code"] == AK_BULUN
    assert data["name_ky"] == "Ак-Булуң айыл аймагы"
    assert data["district_code"] == AK_SUU
    villages = {v["name_ru"]: v for v in data["villages"]}
    assert set(villages) == {"Ак-Булак", "Ак-Булун", "Токтогул", "Тюрген"}
    assert villages["Тюрген"]["name_ky"] == "Түргөн"
    assert villages["Тюрген"]["code"] == "41702205805040"
    assert villages["Токтогул"]["name_ky_derived"] is False
    assert villages["Тюрген"]["name_ky_derived"] is True


def test_city_without_villages(client):
    data = get_json(client, "/api/v1/municipalities/41711000000000")
    assert data["villages"] == []
    assert data["district_code"] is None


def test_unknown_code_is_a_json_404(client):
    data = get_json(client, "/api/v1/municipalities/41799999999999", status=404)
    assert data["error"]["code"] == "not_found"
    assert "41799999999999" in data["error"]["message"]


def _message(app, client, url, **kwargs):
    return fresh_get(app, client, url, **kwargs).get_json()["error"]["message"]


def test_unknown_code_message_is_translated(app, client):
    url = "/api/v1/municipalities/41799999999999"
    ru = _message(app, client, url, query_string={"lang": "ru"})
    ky = _message(app, client, url, query_string={"lang": "ky"})
    assert ru != ky
    for message in (ru, ky):
        assert "No municipality has the code" not in message
        assert "41799999999999" in message
    assert re.search(r"[а-яА-Я]", ru) and re.search(r"[а-яА-ЯңөүҢӨҮ]", ky)


def test_error_language_from_accept_language(app, client):
    url = "/api/v1/municipalities/41799999999999"
    ru = _message(app, client, url, headers={"Accept-Language": "ru"})
    ky = _message(app, client, url, headers={"Accept-Language": "ky"})
    default = _message(app, client, url)
    assert ru != ky
    assert ru == _message(app, client, url, query_string={"lang": "ru"})
    assert default == ky  # Kyrgyz when unsure
    # ?lang wins over Accept-Language
    assert _message(app, client, url, query_string={"lang": "ky"}, headers={"Accept-Language": "ru"}) == ky


def test_bad_parameter_message_is_translated(app, client):
    url = "/api/v1/municipalities"
    ru = _message(app, client, url, query_string={"kind": "x", "lang": "ru"})
    ky = _message(app, client, url, query_string={"kind": "x", "lang": "ky"})
    assert ru != ky
    assert "must be one of" not in ru and "must be one of" not in ky
    ru = _message(app, client, url, query_string={"limit": "0", "lang": "ru"})
    ky = _message(app, client, url, query_string={"limit": "0", "lang": "ky"})
    assert ru != ky
    assert "whole number" not in ru and "whole number" not in ky


def test_unknown_api_route_is_json(client):
    data = get_json(client, "/api/v1/nothing-here", status=404)
    assert data["error"]["code"] == "not_found"


def test_wrong_method_is_json(client):
    response = client.delete("/api/v1/catalog")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"


# --- catalog -------------------------------------------------------------------------------------

def test_catalog(client):
    data = get_json(client, "/api/v1/catalog")
    assert {"subjects", "criteria", "indicators", "checklist"} <= set(data)
    assert len(data["subjects"]) == 49
    assert len(data["criteria"]) == 6
    assert len(data["indicators"]) == 6
    assert len(data["checklist"]) == 19
    assert len(data["agencies"]) == 12
    water = next(s for s in data["subjects"] if s["code"] == "LI-WATER")
    assert water["name_ky"] == "Ичүүчү суу" and water["name_ru"] == "Питьевая вода"
    assert water["kind"] == "local_issue" and water["applies_to"] == "both"
    assert {"description_ky", "description_ru"} <= set(water)
    military = next(s for s in data["subjects"] if s["code"] == "DP-MILITARY")
    assert military["agency"] == "MOD"
    for criterion in data["criteria"]:
        assert [lv["level"] for lv in criterion["levels"]] == [1, 2, 3, 4, 5]
        assert {"question_ky", "question_ru", "applies_to"} <= set(criterion)
    indicators = {i["code"]: i for i in data["indicators"]}
    assert indicators["SI-FUNDING"]["counts_toward_lsg_score"] is False
    assert indicators["SI-METHOD"]["counts_toward_lsg_score"] is False
    assert indicators["SI-EXECUTION"]["counts_toward_lsg_score"] is True
    item = data["checklist"][0]
    assert {"code", "name_ky", "name_ru", "area", "answer_scale", "weight"} <= set(item)


def test_json_is_utf8_with_letters_not_escapes(client):
    """The API's JSON carries ң ө ү and Cyrillic as UTF-8 letters (a third of the catalog's bytes
    otherwise), and parses to the same names."""
    response = client.get("/api/v1/catalog")
    assert response.mimetype == "application/json"
    assert "Ичүүчү суу".encode() in response.data and b"\\u04" not in response.data
    body = client.get("/api/v1/municipalities/41702205805000").data.decode("utf-8")
    assert "\\u04" not in body and any(letter in body for letter in "ңөү")


# --- OpenAPI -------------------------------------------------------------------------------------

def test_openapi_document(client):
    doc = get_json(client, "/api/v1/openapi.json")
    assert doc["openapi"] == "3.1.0"
    assert doc["info"]["title"] and doc["info"]["version"]
    assert {"Municipality", "Village", "Error"} <= set(doc["components"]["schemas"])
    required = set(doc["components"]["schemas"]["Municipality"]["required"])
    assert CONTRACT_KEYS <= required


def _openapi_path(rule: str, prefix: str) -> str:
    path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)
    return path[len(prefix):] if prefix and path.startswith(prefix) else path


def test_openapi_describes_every_route(app, client):
    doc = get_json(client, "/api/v1/openapi.json")
    servers = [s["url"] for s in doc.get("servers", [])]
    prefix = servers[0] if servers else ""
    described = doc["paths"]
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule == "/api/v1/openapi.json":
            continue
        path = _openapi_path(rule.rule, prefix)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method.lower() not in described.get(path, {}):
                missing.append(f"{method} {rule.rule}")
    assert missing == []
    # and nothing is described that does not exist
    routes = {_openapi_path(r.rule, prefix) for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1/")}
    assert set(described) <= routes


def test_openapi_refs_resolve(client):
    doc = get_json(client, "/api/v1/openapi.json")
    text = str(doc)
    for ref in re.findall(r"#/components/schemas/(\w+)", text):
        assert ref in doc["components"]["schemas"], ref


def test_api_has_security_headers_and_no_csrf_for_get(client):
    response = client.get("/api/v1/catalog")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
