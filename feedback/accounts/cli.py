"""`flask users …`: managing accounts from the command line."""
import os

import click
from flask.cli import AppGroup

from ..db import db
from .models import ROLES

users_cli = AppGroup("users", help="Accounts of people who act for an institution.")

PASSWORD_ENV = "FEEDBACK_NEW_USER_PASSWORD"


def _user_or_fail(email: str):
    from .services import find_user

    user = find_user(email)
    if user is None:
        raise click.ClickException(f"no user with the email {email}")
    return user


@users_cli.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(ROLES), help="The user's role.")
@click.option("--municipality", "municipalities", multiple=True, metavar="SOATE",
              help="lsg_staff: their municipality; monitor: one of theirs (repeatable).")
@click.option("--agency", metavar="CODE", help="state_evaluator: the agency they work for.")
@click.option("--region", metavar="SOATE", help="moderator, state_evaluator, monitor: limit to one region.")
@click.option("--name", default="", help="The person's name as shown to administrators.")
def create(email, role, municipalities, agency, region, name):
    """Create a user. The password comes from $FEEDBACK_NEW_USER_PASSWORD or a hidden prompt."""
    from .services import AccountError, create_user

    password = os.environ.get(PASSWORD_ENV)
    if not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(email, role, password, name=name, municipalities=list(municipalities), agency=agency,
                           region=region, actor_id=None)
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.field}: {error}") from None
    db.session.commit()
    click.echo(f"created user {user.id} <{user.email}> with role {user.role}")
    if user.needs_second_factor:
        click.echo("this role requires a second factor: the user sets it up at the first sign-in")


@users_cli.command("disable")
@click.argument("email")
def disable(email):
    """Disable a user: they cannot sign in, and their open sessions end at once."""
    from .services import set_active

    user = _user_or_fail(email)
    set_active(user, False, actor_id=None)
    db.session.commit()
    click.echo(f"disabled {user.email}")


@users_cli.command("enable")
@click.argument("email")
def enable(email):
    """Enable a disabled user again (and lift a sign-in lock)."""
    from .services import set_active

    user = _user_or_fail(email)
    set_active(user, True, actor_id=None)
    db.session.commit()
    click.echo(f"enabled {user.email}")


@users_cli.command("end-sessions")
@click.argument("email")
def end_sessions(email):
    """End every open session of a user (they must sign in again)."""
    from .services import end_all_sessions_of

    user = _user_or_fail(email)
    ended = end_all_sessions_of(user, actor_id=None)
    db.session.commit()
    click.echo(f"ended {ended} session(s) of {user.email}")
