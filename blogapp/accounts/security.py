"""The rules for keeping an account safe: logging in, password changes."""

from flask import current_app

from blogapp.accounts import services, sessions, throttle
from blogapp.accounts.services import AccountError
from blogapp.extensions import db
from blogapp.models import User


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


# Disabling and enabling accounts: blogapp/admin/services.py (the People page and
# `flask users` share it).
