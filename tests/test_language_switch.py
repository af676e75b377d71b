"""The language switch keeps the place, and never points at a route that only accepts POST."""
from feedback.i18n import switch_url


def test_switch_keeps_the_page_and_its_query(app):
    with app.app_context(), app.test_request_context("/ru/search?q=ak"):
        app.preprocess_request()
        assert switch_url("ky") == "/ky/search?q=ak"


def test_switch_from_a_post_only_route_goes_to_the_home_page(app):
    with app.app_context(), app.test_request_context("/ru/moderation/comments/5/approve", method="POST"):
        assert switch_url("ky") == "/ky/"


def test_a_first_visit_remembers_the_language_for_a_year_in_an_httponly_lax_cookie(app):
    import email.utils
    import time

    for base, secure in (("http://localhost", False), ("https://localhost", True)):
        client = app.test_client()
        before = int(time.time())
        response = client.get("/ru/", base_url=base)
        after = int(time.time())
        [cookie] = [value for value in response.headers.getlist("Set-Cookie") if value.startswith("lang=")]
        parts = [part.strip() for part in cookie.split(";")]
        assert parts[0] == "lang=ru"
        assert {"HttpOnly", "Path=/", "SameSite=Lax", "Max-Age=31536000"} <= set(parts)
        assert ("Secure" in parts) is secure
        expires = email.utils.parsedate_to_datetime(next(p for p in parts if p.startswith("Expires=")).split("=", 1)[1])
        assert before + 31536000 <= expires.timestamp() <= after + 31536000
        assert not any(value.startswith("lang=") for value in client.get("/ru/", base_url=base).headers.getlist("Set-Cookie"))


def test_a_header_a_view_set_is_kept_and_the_others_added(app):
    from flask import make_response

    from feedback.security import set_headers

    with app.test_request_context("/ru/"):
        response = set_headers(make_response("x", 200, {"X-Frame-Options": "SAMEORIGIN"}))
    assert response.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
