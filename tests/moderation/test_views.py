"""The moderation queue in the browser's terms: who reaches it, the forms, PRG, CSRF, escaping."""
import json

import pytest
from sqlalchemy import select

from feedback.audit.models import AuditEntry
from feedback.ratings.services import current_period
from feedback.scorecards.queries import subject_summary
from tests.conftest import csrf_token
from tests.helpers import fresh_get

from .conftest import AK_BULUN, ISSYK_KUL, KARAKOL

QUEUE = "/{lang}/moderation/"


@pytest.fixture
def moderator(client, create_user, sign_in):
    user = create_user("moderator")
    sign_in(client, user)
    return user


def _queue(app, client, lang="ky", query=""):
    response = fresh_get(app, client, QUEUE.format(lang=lang) + query)
    return response, response.get_data(as_text=True)


def _post(app, client, url, data=None, lang="ky", query=""):
    """POST with the CSRF token of the queue page that shows the item (its tab)."""
    if not query and "/ratings/" in url:
        query = "?tab=quarantine"
    _, html = _queue(app, client, lang, query)
    with app.app_context():
        return client.post(url, data={"csrf_token": csrf_token(html), **(data or {})})


def test_anonymous_is_sent_to_sign_in(app, client):
    response = fresh_get(app, client, QUEUE.format(lang="ru"))
    assert response.status_code == 302
    assert "/ru/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["lsg_staff", "state_evaluator", "analyst", "monitor"])
def test_other_roles_are_refused(app, client, create_user, sign_in, role):
    fields = {"municipality_code": AK_BULUN} if role == "lsg_staff" else {}
    sign_in(client, create_user(role, **fields))
    assert fresh_get(app, client, QUEUE.format(lang="ky")).status_code == 403


@pytest.mark.parametrize("role", ["lsg_staff", "analyst"])
def test_other_roles_cannot_decide(app, client, create_user, sign_in, make_rating, role):
    rating = make_rating(comment="Жакшы")
    fields = {"municipality_code": AK_BULUN} if role == "lsg_staff" else {}
    sign_in(client, create_user(role, **fields))
    with app.app_context():
        response = client.post(f"/ky/moderation/comments/{rating.id}/approve", data={})
    assert response.status_code in (400, 403)  # no CSRF token to steal: refused either way
    assert rating.comment_status == "pending"


@pytest.mark.parametrize("lang,title", [("ky", "Модерация"), ("ru", "Модерация")])
def test_moderator_and_admin_see_the_queue_in_both_languages(app, client, create_user, sign_in, make_rating, lang, title):
    make_rating(comment="Суу күнүнө эки саат гана келет", flags="")
    for user in (create_user("moderator"), create_user("admin")):
        sign_in(client, user)
        response, html = _queue(app, client, lang)
        assert response.status_code == 200
        assert title in html and "Суу күнүнө эки саат гана келет" in html
        assert 'id="count-pending"' in html and 'id="count-quarantined"' in html
        assert '<label for="region">' in html and '<label for="q">' in html  # by name, not by a 14-digit code


def test_subject_and_municipality_names_in_the_page_language(app, client, moderator, make_rating):
    from feedback.catalog.models import Subject
    from feedback.territory.models import Municipality

    make_rating(comment="Текст")
    from feedback.db import db

    municipality = db.session.get(Municipality, AK_BULUN)
    subject = db.session.get(Subject, "LI-WATER")
    for lang in ("ky", "ru"):
        _, html = _queue(app, client, lang, f"?municipality={AK_BULUN}")
        assert municipality.name(lang) in html and subject.name(lang) in html


def test_a_comment_is_escaped(app, client, moderator, make_rating):
    make_rating(comment='<script>alert("x")</script><b>bold</b>')
    _, html = _queue(app, client, "ru", f"?municipality={AK_BULUN}")
    assert "<script>alert" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(" in html


def test_flags_are_shown_in_words(app, client, moderator, make_rating):
    make_rating(comment="Звоните 0555 123 456, www.example.kg", flags="link,phone")
    _, html = _queue(app, client, "ru", f"?municipality={AK_BULUN}")
    assert "содержит ссылку" in html and "содержит номер телефона" in html


def test_approve_posts_then_redirects(app, client, session, moderator, make_rating):
    rating = make_rating(comment="Жакшы иштешет")
    query = f"?tab=comments&municipality={AK_BULUN}"
    response = _post(app, client, f"/ky/moderation/comments/{rating.id}/approve{query}", query=query)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/ky/moderation/?")
    assert f"municipality={AK_BULUN}" in response.headers["Location"]
    session.refresh(rating)
    assert rating.comment_status == "approved" and rating.comment_moderated_by == moderator.id
    _, html = _queue(app, client, "ky", query)
    assert "Жакшы иштешет" not in html  # left the queue
    entry = session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert entry.action == "comment.approve" and entry.actor_id == moderator.id


def test_reject_needs_a_reason(app, client, session, moderator, make_rating):
    rating = make_rating(comment="Жарнама")
    response = _post(app, client, f"/ru/moderation/comments/{rating.id}/reject", {"reason": "  "}, lang="ru")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Укажите причину" in html and f'id="reason-{rating.id}-error"' in html
    session.refresh(rating)
    assert rating.comment_status == "pending"
    assert session.scalar(select(AuditEntry).where(AuditEntry.entity_id == str(rating.id))) is None


def test_reject_with_a_reason(app, client, session, moderator, make_rating):
    rating = make_rating(comment="Жарнама")
    response = _post(app, client, f"/ru/moderation/comments/{rating.id}/reject", {"reason": "Реклама"}, lang="ru")
    assert response.status_code == 303
    session.refresh(rating)
    assert (rating.comment_status, rating.comment_rejection_reason) == ("rejected", "Реклама")
    entry = session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert entry.action == "comment.reject" and json.loads(entry.after)["comment_rejection_reason"] == "Реклама"


def test_flag(app, client, session, moderator, make_rating):
    rating = make_rating(comment="Текшерүү керек")
    assert _post(app, client, f"/ky/moderation/comments/{rating.id}/flag").status_code == 303
    session.refresh(rating)
    assert rating.comment_status == "pending" and "moderator" in rating.comment_flags
    _, html = _queue(app, client, "ky", f"?municipality={AK_BULUN}")
    assert "Текшерүү керек" in html


def test_release_from_the_quarantine_tab(app, client, session, moderator, make_rating):
    rating = make_rating(overall=5, status="quarantined", rule="burst_device")
    query = "?tab=quarantine"
    _, html = _queue(app, client, "ru", query + f"&municipality={AK_BULUN}")
    assert "с одного телефона или компьютера" in html  # the rule in words
    before = subject_summary(AK_BULUN, "LI-WATER", current_period())
    response = _post(app, client, f"/ru/moderation/ratings/{rating.id}/release{query}", lang="ru")
    assert response.status_code == 303 and "tab=quarantine" in response.headers["Location"]
    session.refresh(rating)
    assert rating.status == "accepted" and rating.quarantine_decision == "released"
    after = subject_summary(AK_BULUN, "LI-WATER", current_period())
    assert (after.n, after.quarantined) == (before.n + 1, before.quarantined - 1)


def test_confirm_from_the_quarantine_tab(app, client, session, moderator, make_rating):
    rating = make_rating(status="quarantined", rule="honeypot")
    assert _post(app, client, f"/ky/moderation/ratings/{rating.id}/confirm?tab=quarantine").status_code == 303
    session.refresh(rating)
    assert (rating.status, rating.quarantine_decision) == ("quarantined", "confirmed")


@pytest.mark.parametrize("rule", ["honeypot", "too_fast", "own_staff", "burst_address", "burst_device"])
def test_every_rule_is_told_in_words(app, client, moderator, make_rating, rule):
    make_rating(status="quarantined", rule=rule)
    for lang in ("ky", "ru"):
        _, html = _queue(app, client, lang, f"?tab=quarantine&municipality={AK_BULUN}")
        assert rule not in html.split("<main", 1)[1].replace(f'value="{rule}"', "")


def test_without_csrf_token_nothing_changes(app, client, moderator, make_rating):
    rating = make_rating(comment="Жакшы")
    with app.app_context():
        response = client.post(f"/ky/moderation/comments/{rating.id}/approve", data={})
    assert response.status_code == 400
    assert rating.comment_status == "pending"


def test_unknown_action_and_item_are_404(app, client, moderator, make_rating):
    rating = make_rating(comment="Жакшы")
    assert _post(app, client, f"/ky/moderation/comments/{rating.id}/publish").status_code == 404
    assert _post(app, client, "/ky/moderation/comments/999999999/approve").status_code == 404


def test_regional_moderator_sees_and_decides_only_in_their_region(app, client, session, create_user, sign_in,
                                                                   make_rating, elsewhere):
    sign_in(client, create_user("moderator", region_code=ISSYK_KUL))
    here = make_rating(KARAKOL, comment="Караколдон пикир")
    there = make_rating(elsewhere.code, comment="Башка облустан пикир")
    quarantined = make_rating(elsewhere.code, "LI-ROADS", status="quarantined")
    _, html = _queue(app, client, "ky", f"?region={elsewhere.region_code}")
    assert "Караколдон пикир" in html and "Башка облустан пикир" not in html
    assert '<select id="region"' not in html
    assert _post(app, client, f"/ky/moderation/comments/{there.id}/approve").status_code == 404
    assert _post(app, client, f"/ky/moderation/comments/{there.id}/reject", {"reason": "x"}).status_code == 404
    assert _post(app, client, f"/ky/moderation/ratings/{quarantined.id}/release", query="?tab=comments").status_code == 404
    session.refresh(there)
    assert there.comment_status == "pending"
    assert _post(app, client, f"/ky/moderation/comments/{here.id}/approve").status_code == 303


def test_filters(app, client, moderator, make_rating, elsewhere):
    make_rating(comment="Ак-Булундан")
    make_rating(KARAKOL, comment="Караколдон")
    make_rating(elsewhere.code, comment="Алыстан")
    _, html = _queue(app, client, "ky", f"?region={ISSYK_KUL}")
    assert "Ак-Булундан" in html and "Караколдон" in html and "Алыстан" not in html
    assert f'<option value="{ISSYK_KUL}" selected>' in html
    _, html = _queue(app, client, "ky", f"?municipality={KARAKOL}")
    assert "Караколдон" in html and "Ак-Булундан" not in html
    response, html = _queue(app, client, "ru", "?municipality=abc&region=1")
    assert response.status_code == 200 and 'role="alert"' in html


def test_counts_are_shown(app, client, create_user, sign_in, make_rating):
    sign_in(client, create_user("admin"))
    make_rating(comment="бир", flags="link")
    make_rating(comment="эки")
    make_rating(status="quarantined")
    _, html = _queue(app, client, "ky", f"?municipality={AK_BULUN}")
    assert '<dd id="count-pending">2</dd>' in html
    assert '<dd id="count-flagged">1</dd>' in html
    assert '<dd id="count-quarantined">1</dd>' in html


@pytest.mark.parametrize("lang", ["ky", "ru"])
@pytest.mark.parametrize("tab", ["comments", "quarantine"])
def test_no_english_on_the_queue(app, client, moderator, make_rating, lang, tab):
    import re

    from tests.helpers import labelled_attributes, visible_text

    make_rating(comment="Пикир", flags="link,phone,email,moderator")
    make_rating(status="quarantined", rule="own_staff")
    make_rating(status="quarantined", rule="too_fast").quarantine_decision = "confirmed"
    _, html = _queue(app, client, lang, f"?tab={tab}&municipality={AK_BULUN}")
    words = re.compile(r"\b(Moderation|Approve|Reject|Release|Confirm|Flag|Comments?|Region|Show|Clear|Reason|"
                       r"Page|quarantine\w*|contains|score|rating|the|of|for|and|Why)\b", re.IGNORECASE)
    text = visible_text(html) + " " + " ".join(labelled_attributes(html))
    assert not words.findall(text), text
