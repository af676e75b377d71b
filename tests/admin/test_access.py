"""Every admin page: administrators only; other roles 403; anonymous visitors go to sign in."""
import pytest

from tests.helpers import fresh_get

AK_BULUN = "41702205805000"

GET_PAGES = [
    "/{lang}/admin/", "/{lang}/admin/users", "/{lang}/admin/users/new", "/{lang}/admin/users/{uid}",
    "/{lang}/admin/periods", "/{lang}/admin/catalog", "/{lang}/admin/catalog/subject/{subject}",
    "/{lang}/admin/catalog/criterion/{criterion}", "/{lang}/admin/catalog/indicator/{indicator}",
    "/{lang}/admin/registry", "/{lang}/admin/registry?q=%D0%B0%D0%BA-%D0%B1%D1%83%D0%BB%D1%83%D0%BD",
    "/{lang}/admin/registry?q=" + AK_BULUN, "/{lang}/admin/registry/" + AK_BULUN,
]
POST_ACTIONS = [
    "/ru/admin/users/new", "/ru/admin/users/{uid}", "/ru/admin/users/{uid}/disable", "/ru/admin/users/{uid}/enable",
    "/ru/admin/users/{uid}/end-sessions", "/ru/admin/users/{uid}/reset-totp", "/ru/admin/periods",
    "/ru/admin/periods/2020/close", "/ru/admin/catalog/subject/{subject}", "/ru/admin/catalog/subject/{subject}/retire",
    "/ru/admin/registry/" + AK_BULUN,
]
OTHER_ROLES = {
    "moderator": {}, "lsg_staff": {"municipality_code": AK_BULUN}, "state_evaluator": {"agency_code": "AG"},
    "monitor": {"region_code": "41702000000000"}, "analyst": {},
}


@pytest.fixture
def codes(session, create_user):
    from sqlalchemy import select

    from feedback.catalog.models import Agency, Criterion, StateIndicator, Subject

    target = create_user("lsg_staff", municipality_code=AK_BULUN)
    return {"uid": target.id, "subject": session.scalars(select(Subject.code)).first(),
            "criterion": session.scalars(select(Criterion.code)).first(),
            "indicator": session.scalars(select(StateIndicator.code)).first(),
            "agency": session.scalars(select(Agency.code)).first()}


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_admin_reaches_every_page(app, client, create_user, sign_in, codes, lang):
    sign_in(client, create_user("admin"))
    for page in GET_PAGES:
        url = page.format(lang=lang, **codes)
        response = fresh_get(app, client, url)
        assert response.status_code == 200, url


@pytest.mark.parametrize("role", list(OTHER_ROLES))
def test_other_roles_get_403(app, client, create_user, sign_in, codes, role):
    scope = dict(OTHER_ROLES[role])
    if "agency_code" in scope:
        scope["agency_code"] = codes["agency"]
    sign_in(client, create_user(role, **scope))
    for page in GET_PAGES:
        url = page.format(lang="ru", **codes)
        assert fresh_get(app, client, url).status_code == 403, url
    from tests.conftest import csrf_token

    token = csrf_token(fresh_get(app, client, "/ru/account").get_data(as_text=True))
    for action in POST_ACTIONS:
        url = action.format(**codes)
        with app.app_context():
            assert client.post(url, data={"csrf_token": token}).status_code == 403, url


def test_anonymous_is_sent_to_sign_in(app, client, codes):
    for page in GET_PAGES:
        url = page.format(lang="ky", **codes)
        response = fresh_get(app, client, url)
        assert response.status_code == 302, url
        assert "/ky/login?next=" in response.headers["Location"]


def test_admin_pages_have_no_english(app, client, create_user, sign_in, codes):
    import re

    from tests.helpers import visible_text

    sign_in(client, create_user("admin"))
    english = re.compile(r"\b(Users|Periods|Catalog|Registry|Save|Sign out|Role|Email|Password|Open|Name)\b")
    for page in GET_PAGES:
        for lang in ("ky", "ru"):
            text = visible_text(fresh_get(app, client, page.format(lang=lang, **codes)).get_data(as_text=True))
            assert not english.findall(text), (page, lang, english.findall(text))
