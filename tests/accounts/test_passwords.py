"""Password policy, hashing, password change and the sessions it ends."""
import pytest
from sqlalchemy import select, text

from feedback.accounts import services
from feedback.accounts.models import User, UserSession
from feedback.audit.models import AuditEntry
from tests.accounts.util import PASSWORD, post
from tests.helpers import fresh_get


@pytest.mark.parametrize("password", ["short", "elevenchars", "           "])
def test_too_short(app, password):
    with pytest.raises(services.AccountError) as error:
        services.check_password_policy(password)
    assert error.value.field == "password"
    assert "12" in str(error.value)


@pytest.mark.parametrize("password", ["password1234", "PassWord1234", "qwerty123456", "123456789012",
                                      "1q2w3e4r5t6y", "йцукенгшщзхъ", "ЙЦУКЕНГШЩЗХЪ"])
def test_common_passwords_are_refused(app, password):
    with pytest.raises(services.AccountError, match="common"):
        services.check_password_policy(password)


def test_the_common_list_is_shipped_and_large(app):
    common = services.common_passwords()
    assert len(common) >= 1000
    for word in ("123456", "password", "qwerty", "123456789", "12345678", "111111", "1q2w3e4r", "qwerty123", "йцукен"):
        assert word in common


def test_email_as_password_is_refused(app):
    with pytest.raises(services.AccountError):
        services.check_password_policy("aigerim.toktogulova", email="aigerim.toktogulova@example.kg")


def test_a_good_password_passes(app):
    services.check_password_policy("жашыл тоолор 2025 кочкор")


def test_password_is_stored_only_as_an_argon2_hash(app, session):
    password = "Ысык-Көл жээгинде 2025"
    user = services.create_user("clear@example.kg", "moderator", password, actor_id=None)
    session.flush()
    row = session.execute(text("SELECT * FROM user_account WHERE id = :id"), {"id": user.id}).mappings().one()
    assert row["password_hash"].startswith("$argon2id$")
    assert all(password not in str(value) for value in row.values())
    for entry in session.scalars(select(AuditEntry)):
        assert password not in entry.before and password not in entry.after
        assert "password_hash" not in entry.after


def test_password_change_ends_other_sessions(app, client, create_user, sign_in, session):
    user = create_user("lsg_staff", municipality_code="41702205805000")
    other = app.test_client()
    sign_in(client, user)
    sign_in(other, user)
    assert fresh_get(app, other, "/ru/account").status_code == 200
    new = "новый длинный пароль 2025"
    response = post(app, client, "/ru/account/password",
                    {"current_password": PASSWORD, "password": new, "confirm": new}, token_from="/ru/account")
    assert response.status_code == 303
    assert fresh_get(app, client, "/ru/account").status_code == 200
    assert fresh_get(app, other, "/ru/account").status_code == 302
    open_rows = session.scalars(select(UserSession).where(UserSession.user_id == user.id,
                                                          UserSession.ended_at.is_(None))).all()
    assert len(open_rows) == 1
    session.refresh(user)
    assert services.verify_password(user, new)
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "user.password_changed",
                                                   AuditEntry.entity_id == str(user.id)))


@pytest.mark.parametrize("current, new, confirm, message", [
    ("wrong current password", "новый длинный пароль 2025", "новый длинный пароль 2025", "Текущий пароль неверен"),
    (PASSWORD, "short", "short", "не меньше 12"),
    (PASSWORD, "password1234", "password1234", "распространён"),
    (PASSWORD, "новый длинный пароль 2025", "другой длинный пароль 2025", "не совпадают"),
])
def test_password_change_errors_beside_the_field(app, client, create_user, sign_in, session,
                                                  current, new, confirm, message):
    user = create_user("lsg_staff", municipality_code="41702205805000")
    sign_in(client, user)
    response = post(app, client, "/ru/account/password",
                    {"current_password": current, "password": new, "confirm": confirm}, token_from="/ru/account")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert 'class="error"' in html
    assert new not in html  # never echoed back
    session.refresh(user)
    assert services.verify_password(user, PASSWORD)


def test_email_lookup_ignores_case(app, session):
    services.create_user("Mixed.Case@Example.kg", "analyst", "жашыл тоолор 2025 кочкор", actor_id=None)
    assert session.scalar(select(User.email).where(User.email == "mixed.case@example.kg"))
    assert services.find_user("MIXED.case@example.KG") is not None
