"""`flask users create | disable | enable | end-sessions`."""
from sqlalchemy import select

from feedback.accounts.models import User, UserSession
from feedback.audit.models import AuditEntry
from tests.helpers import fresh_get

GOOD = "тоолор жана суулар 2025"
AK_BULUN = "41702205805000"


def run(app, *args, env=None, input=None):
    return app.test_cli_runner().invoke(args=["users", *args], env=env or {}, input=input)


def test_create_with_the_environment_password(app, session):
    result = run(app, "create", "staff@example.kg", "--role", "lsg_staff", "--municipality", AK_BULUN,
                 "--name", "Айгүл", env={"FEEDBACK_NEW_USER_PASSWORD": GOOD})
    assert result.exit_code == 0, result.output
    user = session.scalar(select(User).where(User.email == "staff@example.kg"))
    assert user.role == "lsg_staff" and user.municipality_code == AK_BULUN and user.name == "Айгүл"
    assert user.password_hash.startswith("$argon2") and GOOD not in result.output
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "user.create",
                                                    AuditEntry.entity_id == str(user.id)))
    assert entry is not None and GOOD not in entry.after


def test_create_with_a_prompt(app, session):
    result = run(app, "create", "admin@example.kg", "--role", "admin", input=f"{GOOD}\n{GOOD}\n",
                 env={"FEEDBACK_NEW_USER_PASSWORD": ""})
    assert result.exit_code == 0, result.output
    assert GOOD not in result.output
    assert "second factor" in result.output
    assert session.scalar(select(User).where(User.email == "admin@example.kg")).role == "admin"


def test_bad_role(app):
    result = run(app, "create", "x@example.kg", "--role", "king", env={"FEEDBACK_NEW_USER_PASSWORD": GOOD})
    assert result.exit_code != 0 and "king" in result.output


def test_missing_scope(app, session):
    for args in (["--role", "lsg_staff"], ["--role", "state_evaluator"], ["--role", "monitor"],
                 ["--role", "admin", "--municipality", AK_BULUN], ["--role", "lsg_staff", "--municipality", "41799999999999"]):
        result = run(app, "create", "x@example.kg", *args, env={"FEEDBACK_NEW_USER_PASSWORD": GOOD})
        assert result.exit_code != 0, args
        assert "Error" in result.output
    assert session.scalar(select(User).where(User.email == "x@example.kg")) is None


def test_weak_password_refused(app, session):
    result = run(app, "create", "x@example.kg", "--role", "analyst", env={"FEEDBACK_NEW_USER_PASSWORD": "qwerty123456"})
    assert result.exit_code != 0 and "common" in result.output
    result = run(app, "create", "x@example.kg", "--role", "analyst", env={"FEEDBACK_NEW_USER_PASSWORD": "short"})
    assert result.exit_code != 0 and "at least 12" in result.output


def test_duplicate_email(app, create_user):
    create_user("analyst", email="dup@example.kg")
    result = run(app, "create", "DUP@example.kg", "--role", "analyst", env={"FEEDBACK_NEW_USER_PASSWORD": GOOD})
    assert result.exit_code != 0 and "already exists" in result.output


def test_disable_and_end_sessions(app, client, create_user, sign_in, session):
    user = create_user("moderator")
    sign_in(client, user)
    result = run(app, "end-sessions", user.email)
    assert result.exit_code == 0 and "ended 1" in result.output
    assert fresh_get(app, client, "/ru/account").status_code == 302
    sign_in(client, user)
    result = run(app, "disable", user.email)
    assert result.exit_code == 0
    session.refresh(user)
    assert not user.active
    assert fresh_get(app, client, "/ru/account").status_code == 302
    assert session.scalars(select(UserSession).where(UserSession.user_id == user.id,
                                                     UserSession.ended_at.is_(None))).all() == []
    assert run(app, "enable", user.email).exit_code == 0
    assert run(app, "disable", "nobody@example.kg").exit_code != 0
