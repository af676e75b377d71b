"""Hostile input, fuzzed (Hypothesis) and from the OpenAPI description (schemathesis): never a
5xx, nothing half-written, output escaped."""
import json

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from feedback.db import db
from feedback.ratings.models import Rating, Respondent
from tests.conftest import csrf_token
from tests.ratings.test_views import AK_BULUN, Resident

HOSTILE = st.one_of(
    st.text(max_size=50),
    st.text(min_size=1000, max_size=3000, alphabet="ыңөү<>&\"' \x00"),
    st.sampled_from(["<script>alert(1)</script>", "' OR 1=1 --", "\x00", "\ud800", "5", "0", "-1", "1e400",
                     "99999999999999999999999", "NaN", "{{7*7}}", "../../etc/passwd", "%00", "\u202e", "ң" * 5000]),
)
JSON_VALUE = st.recursive(st.none() | st.booleans() | st.integers(min_value=-10**30, max_value=10**30)
                          | st.floats(allow_nan=True) | HOSTILE,
                          lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                          max_leaves=8)
FUZZ = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)


def counts() -> tuple[int, int]:
    return db.session.scalar(select(func.count()).select_from(Rating)), \
        db.session.scalar(select(func.count()).select_from(Respondent))


def _form_safe(value: str) -> str:
    # A browser cannot send a lone surrogate in a form; raw invalid bytes are fuzzed below.
    return value.encode("utf-8", "replace").decode("utf-8")


@FUZZ
@given(payload=st.dictionaries(st.sampled_from(["municipality", "subject", "overall", "criteria", "comment",
                                                "client_id", "sex", "age_band", "village", "extra"]),
                               JSON_VALUE, max_size=6))
def test_api_ratings_fuzzed(app, payload):
    payload.setdefault("municipality", AK_BULUN)
    payload.setdefault("subject", "LI-WATER")
    before = counts()
    with app.app_context():
        body = json.dumps(payload)  # lone surrogates travel as \ud800 escapes, as an attacker sends them
        response = app.test_client().post("/api/v1/ratings", data=body, content_type="application/json")
    assert response.status_code < 500, response.get_data(as_text=True)
    assert response.is_json
    if response.status_code >= 400:
        assert counts() == before  # nothing half-written


@pytest.mark.parametrize("body", [
    "[" * 1000 + "]" * 1000,
    '{"municipality": "x", "subject": "y", "overall": 3, "criteria": ' + "[" * 100_000 + "]" * 100_000 + "}",
    '{"municipality": "41702205805000", "subject": "LI-WATER", "overall": 3, "comment": "\\ud800"}',
    '{"municipality": "41702205805000", "subject": "LI-WATER", "overall": "5"}',
    '{"municipality": "41702205805000", "subject": "LI-WATER", "overall": 4, "criteria": {"CR-RESULT": 0}}',
    '{"municipality": "41702205805000", "subject": "LI-WATER", "overall": 1e400}',
    '{"municipality": "41702205805000", "subject": "LI-WATER", "overall": 4, "client_id": "\\u0000abcdefgh"}',
])
def test_api_hostile_bodies_are_4xx(client, body):
    before = counts()
    response = client.post("/api/v1/ratings", data=body, content_type="application/json")
    assert 400 <= response.status_code < 500 and response.get_json()["error"]["message"]
    assert counts() == before


def test_api_unknown_lang_is_400(client):
    response = client.get("/api/v1/catalog?lang=en")
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "lang"


@FUZZ
@given(fields=st.dictionaries(st.sampled_from(["overall", "comment", "sex", "age_band", "village", "website",
                                               "started", "criterion_CR-RESULT", "csrf_token"]),
                              HOSTILE.map(_form_safe), max_size=6))
def test_rating_form_fuzzed(app, fields):
    with app.app_context():
        client = app.test_client()
        url = f"/ru/m/{AK_BULUN}/rate/LI-WATER"
        data = {"csrf_token": csrf_token(client.get(url).get_data(as_text=True)), **fields}
        before = counts()
        response = client.post(url, data=data)
    assert response.status_code < 500
    if response.status_code >= 400:
        assert counts() == before
    html = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html


@FUZZ
@given(raw=st.binary(max_size=300))
def test_rating_form_raw_bytes(app, raw):
    """Invalid UTF-8, NUL and anything else as the raw form body."""
    with app.app_context():
        response = app.test_client().post(f"/ru/m/{AK_BULUN}/rate/LI-WATER", data=raw,
                                          content_type="application/x-www-form-urlencoded")
    assert response.status_code < 500


@FUZZ
@given(email=HOSTILE.map(_form_safe), password=HOSTILE.map(_form_safe), nxt=HOSTILE.map(_form_safe))
def test_login_form_fuzzed(app, email, password, nxt):
    with app.app_context():
        client = app.test_client()
        token = csrf_token(client.get("/ru/login").get_data(as_text=True))
        response = client.post("/ru/login", data={"csrf_token": token, "email": email, "password": password,
                                                   "next": nxt})
    assert response.status_code < 500
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


@FUZZ
@given(path=st.sampled_from(["/api/v1/municipalities", f"/api/v1/municipalities/{AK_BULUN}/scorecard",
                             "/api/v1/compare", "/ru/search", f"/ky/m/{AK_BULUN}/"]),
       params=st.dictionaries(st.sampled_from(["q", "region", "district", "kind", "limit", "offset", "period",
                                               "methodology", "level", "lang", "current", "verified"]),
                              HOSTILE.map(_form_safe), max_size=4))
def test_query_parameters_fuzzed(app, path, params):
    with app.app_context():
        response = app.test_client().get(path, query_string=params)
    assert response.status_code < 500
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


def test_schemathesis_finds_no_server_error_and_no_schema_violation(app):
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def check(case):
            with app.app_context():
                response = case.call(headers={"Accept-Encoding": "identity"})  # plain bodies for the checks
            try:
                case.validate_response(response, checks=[not_a_server_error, response_schema_conformance,
                                                         status_code_conformance])
            except Exception as exc:  # noqa: BLE001  (collected: one report for every operation)
                failures.append(f"{case.operation.label}: {exc}")
                raise

        try:
            check()
        except Exception:  # noqa: BLE001, S110
            pass
    assert not failures, "\n".join(failures[:5])


@FUZZ
@given(phone=HOSTILE.map(_form_safe))
def test_phone_form_fuzzed(app, phone):
    with app.app_context():
        client = app.test_client()
        token = csrf_token(client.get("/ru/verify").get_data(as_text=True))
        response = client.post("/ru/verify", data={"csrf_token": token, "phone": phone})
    assert response.status_code < 500
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


@FUZZ
@given(reason=HOSTILE.map(_form_safe))
def test_moderator_reject_reason_fuzzed(app, client, create_user, sign_in, reason):
    with app.app_context():
        Resident(app).api({"municipality": AK_BULUN, "subject": "LI-WATER", "overall": 2, "comment": "<b>текст</b>"})
        rating_id = db.session.scalar(select(func.max(Rating.id)))
        sign_in(client, create_user("moderator"))
        page = client.get("/ru/moderation/").get_data(as_text=True)
        response = client.post(f"/ru/moderation/comments/{rating_id}/reject",
                               data={"csrf_token": csrf_token(page), "reason": reason})
    assert response.status_code < 500
    html = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "<b>текст</b>" not in html
