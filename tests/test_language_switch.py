"""The language switch keeps the place, and never points at a route that only accepts POST."""
from feedback.i18n import switch_url


def test_switch_keeps_the_page_and_its_query(app):
    with app.app_context(), app.test_request_context("/ru/search?q=ak"):
        app.preprocess_request()
        assert switch_url("ky") == "/ky/search?q=ak"


def test_switch_from_a_post_only_route_goes_to_the_home_page(app):
    with app.app_context(), app.test_request_context("/ru/moderation/comments/5/approve", method="POST"):
        assert switch_url("ky") == "/ky/"
