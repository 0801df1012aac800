"""`flask users ...`: create, invite, list, change roles, disable and enable accounts.

Each verb calls the service the People page calls (blogapp/admin/services.py).
"""

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from blogapp.accounts import services
from blogapp.accounts.forms import PASSWORD_MIN
from blogapp.admin import services as people
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


@users_cli.command("invite")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True, help="Display name, shown publicly.")
@click.option("--title", "job_title", required=True, help="Job title, shown with answers.")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role.employees()]),
    default="staff",
    show_default=True,
)
@with_appcontext
def invite_user_command(email, display_name, job_title, role):
    """Invite an employee: they choose a password from the link mailed to them."""
    try:
        user = people.invite_employee(email, display_name, Role(role), job_title, by=None)
    except services.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Invited {user.role} {user.display_name} <{user.email}>; the mail is queued.")


@users_cli.command("list")
@click.option("--role", type=click.Choice([r.value for r in ACCOUNT_ROLES]), help="Only this role.")
@click.option("--search", default="", help="Part of a name or email.")
@with_appcontext
def list_users_command(role, search):
    """List accounts, employees first."""
    # Most rights first: admins, moderators, staff, then readers (ACCOUNT_ROLES's order).
    order = sa.case({r.value: -n for n, r in enumerate(ACCOUNT_ROLES)}, value=User.role)
    query = people.people_query(search, role or "").order_by(None).order_by(order, User.id)
    for user in db.session.scalars(query):
        state = people.status_of(user)
        state = f"  ({state})" if state != "active" else ""
        click.echo(f"{user.id:>5}  {user.role:<9}  {user.email}  {user.name_and_title}{state}")


def _account(email: str) -> User:
    user = services.user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account has the email {email}.")
    return user


@users_cli.command("role")
@click.argument("email")
@click.argument("role", type=click.Choice([r.value for r in Role.employees()]))
@with_appcontext
def role_command(email, role):
    """Make an employee staff, moderator or admin."""
    user = _account(email)
    try:
        changed = people.change_role(user, Role(role), by=None)
    except services.AccountError as error:
        raise click.ClickException(str(error)) from None
    said = "is now" if changed else "was already"
    click.echo(f"{user.display_name} <{user.email}> {said} {role}.")


@users_cli.command("disable")
@click.argument("email")
@click.option(
    "--reassign-to",
    "reassign_to",
    metavar="EMAIL",
    help="Who takes their owed comments that have no other author to go to.",
)
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Give every owed comment to --reassign-to, not to each post's author.",
)
@with_appcontext
def disable_user_command(email, reassign_to, everything):
    """Disable an account: no more logins, every sign-in ended, owed comments handed over."""
    user = _account(email)
    picked = _account(reassign_to) if reassign_to else None
    try:
        moves = people.disable_account(user, None, picked, everything=everything)
    except services.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Disabled {user.display_name} <{user.email}>; every sign-in ended.")
    for move in moves:
        click.echo(f"  comment {move.comment.id} now goes to {move.to.display_name}")


@users_cli.command("enable")
@click.argument("email")
@with_appcontext
def enable_user_command(email):
    """Let a disabled account log in again."""
    user = _account(email)
    people.enable_account(user, by=None)
    click.echo(f"Enabled {user.display_name} <{user.email}>.")
