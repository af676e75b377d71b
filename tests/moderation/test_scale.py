"""Moderation at scale: filter by district and by the local government's name, canned reasons in
both languages, bulk approve and reject (all or nothing), the admin's navigation links to it."""
import pytest

from feedback.territory.models import Municipality
from tests.conftest import csrf_token
from tests.helpers import fresh_get

from .conftest import AK_BULUN, ISSYK_KUL, KARAKOL
from .test_views import _queue


@pytest.fixture
def moderator(client, create_user, sign_in):
    user = create_user("moderator")
    sign_in(client, user)
    return user


def _bulk(app, client, data, lang="ru"):
    from feedback.db import db

    _, html = _queue(app, client, lang)
    with app.app_context():
        response = client.post(f"/{lang}/moderation/comments/bulk", data={"csrf_token": csrf_token(html), **data})
    db.session.expire_all()  # the request had a session of its own
    return response


def test_filter_by_district_and_name(app, client, session, moderator, make_rating, elsewhere):
    make_rating(comment="Ак-Булундан")
    make_rating(KARAKOL, comment="Караколдон")
    make_rating(elsewhere.code, comment="Алыстан")
    district = session.get(Municipality, AK_BULUN).district_code
    _, html = _queue(app, client, "ky", f"?region={ISSYK_KUL}&district={district}")
    assert "Ак-Булундан" in html and "Караколдон" not in html and "Алыстан" not in html
    assert f'<option value="{district}" selected>' in html
    _, html = _queue(app, client, "ru", "?q=Каракол")
    assert "Караколдон" in html and "Ак-Булундан" not in html and "Алыстан" not in html


def test_bulk_approve(app, client, moderator, make_rating):
    a, b, c = make_rating(comment="бир"), make_rating(comment="эки"), make_rating(comment="үч")
    response = _bulk(app, client, {"action": "approve", "rating": [a.id, b.id]})
    assert response.status_code == 303
    assert (a.comment_status, b.comment_status, c.comment_status) == ("approved", "approved", "pending")


@pytest.mark.parametrize(("lang", "words"), [("ky", "Кордоо"), ("ru", "Оскорбления")])
def test_bulk_reject_with_a_canned_reason_in_the_moderators_language(app, client, moderator, make_rating,
                                                                      lang, words):
    a, b = make_rating(comment="бир"), make_rating(comment="эки")
    response = _bulk(app, client, {"action": "reject", "canned": "insult", "rating": [a.id, b.id]}, lang)
    assert response.status_code == 303
    assert a.comment_status == b.comment_status == "rejected"
    assert a.comment_rejection_reason.startswith(words)


def test_single_reject_with_a_canned_reason(app, client, session, moderator, make_rating):
    rating = make_rating(comment="Сатам арзан http://x.kg")
    _, html = _queue(app, client, "ru")
    assert 'value="spam"' in html
    with app.app_context():
        response = client.post(f"/ru/moderation/comments/{rating.id}/reject",
                               data={"csrf_token": csrf_token(html), "canned": "spam", "reason": ""})
    session.expire_all()
    assert response.status_code == 303 and rating.comment_status == "rejected"
    assert rating.comment_rejection_reason.startswith("Реклама")


def test_bulk_is_all_or_nothing(app, client, create_user, sign_in, make_rating, elsewhere):
    sign_in(client, create_user("moderator", region_code=ISSYK_KUL))
    mine, far = make_rating(comment="бир"), make_rating(elsewhere.code, comment="алыс")
    response = _bulk(app, client, {"action": "approve", "rating": [mine.id, far.id]})
    assert response.status_code == 404  # one outside the scope: nothing is decided
    assert mine.comment_status == far.comment_status == "pending"
    response = _bulk(app, client, {"action": "reject", "rating": [mine.id]})  # no reason at all
    assert response.status_code == 303 and mine.comment_status == "pending"


def test_admin_navigation_links_to_moderation(app, client, create_user, sign_in):
    sign_in(client, create_user("admin"))
    html = fresh_get(app, client, "/ky/admin/").get_data(as_text=True)
    assert 'href="/ky/moderation/"' in html
