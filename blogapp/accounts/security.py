"""The rules for keeping an account safe: logging in, password changes, disabled accounts."""

import sqlalchemy as sa
from flask import current_app

from blogapp.accounts import services, sessions, throttle
from blogapp.accounts.services import AccountError
from blogapp.extensions import db
from blogapp.models import Role, User
from blogapp.models.base import utcnow
from blogapp.responses.audit import Action, record


def log_in(email: str, password: str, address: str | None) -> User:
    """The user these credentials sign in, under the login throttle.

    Raises TooManyAttempts before checking the password when the account or the
    address has failed too often, and AccountError when the login is refused.
    """
    throttle.check_attempt(email, address)
    user = services.authenticate(email, password)
    if user is None or not user.is_active:
        throttle.record_failure(address)
        if user is None:
            raise AccountError("Email or password is incorrect.", "password")
        # Only someone who knows the password learns this.
        raise AccountError(
            "This account is disabled. Ask the site's administrators if you think "
            "this is a mistake."
        )
    throttle.record_success(email)
    return user


def change_password(user: User, current: str, new: str, address: str | None) -> int:
    """Set a new password and end every other sign-in; how many ended. Commits.

    The current password is checked under the login throttle: a borrowed session
    cannot be used to guess it faster than the login form allows.
    """
    throttle.check_attempt(user.email, address)
    if not user.check_password(current):
        throttle.record_failure(address)
        raise AccountError("That is not your current password.", "current_password")
    throttle.record_success(user.email)
    if current == new:
        raise AccountError("The new password is the same as the current one.", "new_password")
    user.set_password(new, current_app.config["PASSWORD_HASH_METHOD"])
    ended = sessions.end_sessions(user, keep=user.login_session)
    db.session.commit()
    return ended


def _other_active_admins(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(User.id)).where(
            User.role == Role.ADMIN.value, User.disabled_at.is_(None), User.id != user.id
        )
    )


def disable_account(user: User, by: User | None) -> None:
    """Disable ``user``: no more logins, every sign-in ended; audited. Commits.

    ``by`` is the admin doing it, None from the command line.
    """
    if user.disabled_at is not None:
        return
    if by is not None and by.id == user.id:
        raise AccountError("You cannot disable your own account.")
    if user.has_role(Role.ADMIN) and not _other_active_admins(user):
        raise AccountError(f"{user.email} is the only active admin; make another admin first.")
    user.disabled_at = utcnow()
    user.disabled_by_id = by.id if by is not None else None
    sessions.end_sessions(user)
    record(Action.ACCOUNT_DISABLED, by, subject=user)
    db.session.commit()


def enable_account(user: User, by: User | None) -> None:
    """Let ``user`` log in again; audited. Commits."""
    if user.disabled_at is None:
        return
    user.disabled_at = None
    user.disabled_by_id = None
    record(Action.ACCOUNT_ENABLED, by, subject=user)
    db.session.commit()
