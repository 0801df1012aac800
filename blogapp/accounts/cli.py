"""`flask users ...`: create employees, list, disable and enable accounts."""

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from blogapp.accounts import security, services
from blogapp.accounts.forms import PASSWORD_MIN
from blogapp.extensions import db
from blogapp.models import ACCOUNT_ROLES, Role, User

users_cli = click.Group("users", help="Manage accounts.")


@users_cli.command("create")
@click.option(
    "--role",
    type=click.Choice([r.value for r in ACCOUNT_ROLES]),
    required=True,
    help="reader, staff, moderator or admin.",
)
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True, help="Display name, shown publicly.")
@click.option("--title", "job_title", default="", help="Job title (employees).")
@click.option("--bio", default="", help="A short public bio (employees).")
@click.password_option(
    "--password", prompt="Password", help="Prompted for when not given.", envvar="PARLEY_PASSWORD"
)
@with_appcontext
def create_user_command(role, email, display_name, job_title, bio, password):
    """Create an account; employees get a public profile."""
    if len(password) < PASSWORD_MIN:
        raise click.ClickException(f"The password must have at least {PASSWORD_MIN} characters.")
    role = Role(role)
    if role.is_employee and not job_title.strip():
        raise click.ClickException("Employees need a job title: pass --title.")
    try:
        user = services.create_user(email, password, display_name, role, job_title, bio)
    except services.AccountError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created {user.role} {user.display_name} <{user.email}> (id {user.id}).")


@users_cli.command("list")
@with_appcontext
def list_users_command():
    """List accounts, employees first."""
    # Most rights first: admins, moderators, staff, then readers (ACCOUNT_ROLES's order).
    order = sa.case({r.value: -n for n, r in enumerate(ACCOUNT_ROLES)}, value=User.role)
    for user in db.session.scalars(sa.select(User).order_by(order, User.id)):
        title = f", {user.job_title}" if user.job_title else ""
        disabled = "  (disabled)" if user.disabled_at else ""
        click.echo(
            f"{user.id:>5}  {user.role:<9}  {user.email}  {user.display_name}{title}{disabled}"
        )


def _account(email: str) -> User:
    user = services.user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account has the email {email}.")
    return user


@users_cli.command("disable")
@click.argument("email")
@with_appcontext
def disable_user_command(email):
    """Disable an account: no more logins, every sign-in ended."""
    user = _account(email)
    try:
        security.disable_account(user, by=None)
    except services.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Disabled {user.display_name} <{user.email}>; every sign-in ended.")


@users_cli.command("enable")
@click.argument("email")
@with_appcontext
def enable_user_command(email):
    """Let a disabled account log in again."""
    user = _account(email)
    security.enable_account(user, by=None)
    click.echo(f"Enabled {user.display_name} <{user.email}>.")
