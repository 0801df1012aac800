"""The rules for getting back into an account and proving an address: password reset
by a mailed link, and email verification."""

from flask import current_app, render_template, url_for

from blogapp.accounts import services, sessions, throttle, tokens
from blogapp.extensions import db
from blogapp.mail.outbox import queue_mail
from blogapp.models import User
from blogapp.models.base import utcnow
from blogapp.sitesettings.store import site_settings


def request_password_reset(email: str) -> None:
    """Mail a reset link to ``email``'s account, or a note that it has none; commits.

    Both answers cost the same work (one look-up, one message written), so neither
    the page nor its timing says whether the address has an account. Each address
    gets a few messages an hour at most, whoever asks.
    """
    email = services.normalize_email(email)
    user = services.user_by_email(email)
    if not throttle.may_mail(throttle.RESET_MAIL, email):
        return
    site = site_settings()["SITE_NAME"]
    if user is not None and user.is_active:
        link = url_for(
            "accounts.recovery.reset_password", token=tokens.reset_token(user), _external=True
        )
        body = render_template("accounts/mail_reset.txt", user=user, link=link)
        queue_mail(
            "account_reset", user.email, f"Reset your password on {site}", body, account=True
        )
    else:
        # A disabled account is told nothing more than a stranger is.
        body = render_template(
            "accounts/mail_reset_no_account.txt",
            email=email,
            register=url_for("accounts.register", _external=True),
        )
        queue_mail(
            "account_reset_no_account", email, f"Password reset on {site}", body, account=True
        )
    db.session.commit()


def reset_password(user: User, password: str) -> int:
    """Set ``user``'s new password from a reset link; every sign-in ends. Commits.

    The link proved the address, so it counts as verified. How many sign-ins ended.
    """
    if not user.is_active:
        raise services.AccountError(
            "This account is disabled. Ask the site's administrators if you think "
            "this is a mistake."
        )
    user.set_password(password, current_app.config["PASSWORD_HASH_METHOD"])
    user.email_verified_at = user.email_verified_at or utcnow()
    ended = sessions.end_sessions(user)
    throttle.record_success(user.email)  # the owner is back; the failed-login count is theirs
    db.session.commit()
    return ended


def needs_verification(user: User) -> bool:
    """Whether ``user`` is a reader who has not yet followed their verification link."""
    return not user.is_employee and not user.email_verified


def holds_comments_of(user: User | None) -> bool:
    """Whether the site holds this account's comments for a moderator until it verifies
    its address (UNVERIFIED_COMMENTS = "hold")."""
    return (
        user is not None
        and site_settings()["UNVERIFIED_COMMENTS"] == "hold"
        and needs_verification(user)
    )


def resend_verification(user: User) -> bool:
    """Mail ``user`` a new verification link (a few an hour at most); commits.
    False when the limit held it back."""
    if not throttle.may_mail(throttle.VERIFY_MAIL, user.email):
        return False
    site = site_settings()["SITE_NAME"]
    body = render_template(
        "accounts/mail_verify.txt",
        user=user,
        link=url_for(
            "accounts.recovery.verify_email", token=tokens.verify_token(user), _external=True
        ),
        holds_comments=site_settings()["UNVERIFIED_COMMENTS"] == "hold",
    )
    queue_mail("account_verify", user.email, f"Verify your address on {site}", body, account=True)
    db.session.commit()
    return True


def verify_email(user: User) -> bool:
    """Mark ``user``'s address verified; False if it already was. Commits."""
    if user.email_verified:
        return False
    user.email_verified_at = utcnow()
    db.session.commit()
    return True
