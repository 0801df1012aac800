"""The rules for a person's own account: their name, address and notification choices."""

import sqlalchemy as sa
from flask import render_template, url_for

from blogapp.accounts import services, throttle, tokens
from blogapp.accounts.services import AccountError
from blogapp.extensions import db
from blogapp.mail.outbox import queue_mail
from blogapp.models import Comment, User
from blogapp.models.base import utcnow
from blogapp.names import clean_name, imitates_employee, imitation_message
from blogapp.sitesettings.store import site_settings


def touch_comments_of(user: User) -> None:
    """Bump ``changed_at`` of the user's comments: cached threads show the author's name
    and key on it (blogapp/comments/cache.py)."""
    db.session.execute(
        sa.update(Comment).where(Comment.author_id == user.id).values(changed_at=utcnow())
    )


def rename(user: User, display_name: str) -> None:
    """Change the name shown next to ``user``'s comments; commits."""
    display_name = clean_name(display_name)
    if len(display_name) < 2:
        raise AccountError("Your name needs at least two characters.", "display_name")
    if imitates_employee(display_name, except_user=user):
        raise AccountError(imitation_message(), "display_name")
    if display_name != user.display_name:
        user.display_name = display_name
        touch_comments_of(user)
    db.session.commit()


def check_password(user: User, password: str, address: str | None, field: str) -> None:
    """Re-check ``user``'s password before a change that could take the account away,
    under the login throttle (TooManyAttempts), so a borrowed browser cannot guess it."""
    throttle.check_attempt(user.email, address)
    if not user.check_password(password):
        throttle.record_failure(address)
        raise AccountError("That is not your password.", field)
    throttle.record_success(user.email)


def request_email_change(user: User, new_email: str, password: str, address: str | None):
    """Mail a confirmation link to ``new_email``; commits. The answer is the same whether
    or not another account has that address: its owner is told instead."""
    check_password(user, password, address, "password")
    new_email = services.normalize_email(new_email)
    if new_email == user.email:
        raise AccountError("That is already your address.", "new_email")
    site = site_settings()["SITE_NAME"]
    if services.user_by_email(new_email) is not None:
        if throttle.may_notify_taken_address(new_email):
            body = render_template("accounts/mail_email_taken.txt", email=new_email)
            queue_mail(
                "account_email_taken", new_email, f"Your address on {site}", body, account=True
            )
    elif throttle.may_mail(throttle.VERIFY_MAIL, new_email):
        link = url_for(
            "accounts.me.confirm_email",
            token=tokens.email_change_token(user, new_email),
            _external=True,
        )
        body = render_template("accounts/mail_email_change.txt", user=user, link=link)
        queue_mail(
            "account_email_change",
            new_email,
            f"Confirm your new address on {site}",
            body,
            account=True,
        )
    db.session.commit()


def change_email(user: User, new_email: str) -> None:
    """Move ``user`` to ``new_email`` (proved by the link it was sent); the old address
    is told. Commits."""
    if not user.is_active:
        raise AccountError("This account can no longer be changed.")
    if services.user_by_email(new_email) is not None:
        raise AccountError("Another account has taken this address meanwhile.")
    old = user.email
    user.email = new_email
    user.email_verified_at = utcnow()
    body = render_template("accounts/mail_email_changed.txt", user=user, old=old, new=new_email)
    site = site_settings()["SITE_NAME"]
    queue_mail(
        "account_email_changed", old, f"Your address on {site} was changed", body, account=True
    )
    db.session.commit()


def set_notifications(user: User, **choices: bool) -> None:
    """Record which notification mails ``user`` wants (``replies=``, ``acknowledged=``,
    ``follows=``: tokens.NOTIFICATION_COLUMNS) and whether commenting follows a thread
    (``follow_on_comment=``); commits."""
    columns = {**tokens.NOTIFICATION_COLUMNS, "follow_on_comment": "follow_on_comment"}
    for choice, wanted in choices.items():
        setattr(user, columns[choice], bool(wanted))
    db.session.commit()


def unsubscribe(user: User, choice: str) -> None:
    """Turn off one notification choice from a mail's link; commits."""
    setattr(user, tokens.NOTIFICATION_COLUMNS[choice], False)
    db.session.commit()


def wants(user: User | None, choice: str) -> bool:
    """Whether an account wants this kind of notification (a guest has no choices here)."""
    return user is None or bool(getattr(user, tokens.NOTIFICATION_COLUMNS[choice]))
