"""The rules for accounts: who may register, who is who, where to go next."""

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, render_template, url_for

from blogapp.accounts import throttle, tokens
from blogapp.extensions import db
from blogapp.mail.outbox import queue_mail
from blogapp.models import ACCOUNT_ROLES, Role, User
from blogapp.models.base import slugify
from blogapp.names import clean_name
from blogapp.sitesettings.store import site_settings


class AccountError(ValueError):
    """A request about an account that cannot be carried out; the message says why."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def normalize_email(email: str) -> str:
    return email.strip().lower()


def user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalize_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The user with this email and password, or None; the same time either way."""
    user = user_by_email(email)
    if user is None:
        return User.check_password_for_nobody(password) or None
    return user if user.check_password(password) else None


def unique_user_slug(name: str) -> str:
    base = slugify(name, max_length=70) or "person"
    slug, n = base, 1
    while db.session.scalar(sa.select(User.id).where(User.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_user(
    email: str,
    password: str,
    display_name: str,
    role: Role = Role.READER,
    job_title: str | None = None,
    bio: str | None = None,
) -> User:
    """Add an account (not committed). Raises AccountError if the email is taken."""
    if role not in ACCOUNT_ROLES:
        raise AccountError(f"{role} is not a role an account can have.", "role")
    email = normalize_email(email)
    if user_by_email(email) is not None:
        raise AccountError("An account with this email already exists. Log in instead?", "email")
    display_name = clean_name(display_name)
    user = User(
        email=email,
        display_name=display_name,
        slug=unique_user_slug(display_name),
        role=role.value,
        job_title=(job_title or "").strip() or None,
        bio=(bio or "").strip() or None,
    )
    user.set_password(password, current_app.config["PASSWORD_HASH_METHOD"])
    db.session.add(user)
    return user


def register_reader(email: str, password: str, display_name: str) -> User | None:
    """Register a customer account, or mail the owner if the address is taken; commits.

    Either way the address gets one message and the caller answers the same, so the
    form does not tell strangers who has an account. None when the address was taken.
    """
    email = normalize_email(email)
    owner = user_by_email(email)
    if owner is None:
        try:
            user = create_user(email, password, display_name, Role.READER)
            _mail_new_reader(user)
            db.session.commit()
            return user
        except sa.exc.IntegrityError:  # registered a moment ago by another request
            db.session.rollback()
            owner = user_by_email(email)
            if owner is None:
                raise
    else:
        # The new account's password hash costs this much; so does the other answer.
        User.check_password_for_nobody(password)
    if throttle.may_notify_taken_address(email):
        _mail_taken_address(owner)
    db.session.commit()
    return None


def _mail_new_reader(user: User) -> None:
    db.session.flush()  # the verification link names the account's id
    body = render_template(
        "accounts/mail_welcome.txt",
        user=user,
        link=url_for(
            "accounts.recovery.verify_email", token=tokens.verify_token(user), _external=True
        ),
        login=url_for("accounts.login", _external=True),
        holds_comments=site_settings()["UNVERIFIED_COMMENTS"] == "hold",
    )
    queue_mail(
        "account_welcome",
        user.email,
        f"Welcome to {site_settings()['SITE_NAME']}",
        body,
        account=True,
    )


def _mail_taken_address(owner: User) -> None:
    body = render_template(
        "accounts/mail_address_taken.txt",
        user=owner,
        login=url_for("accounts.login", _external=True),
        forgot=url_for("accounts.recovery.forgot_password", _external=True),
    )
    subject = f"Someone tried to register on {site_settings()['SITE_NAME']} with your address"
    queue_mail("account_address_taken", owner.email, subject, body, account=True)


def safe_next(target: str | None, host: str) -> str | None:
    """``target`` if it is a path on this site, else None: no open redirects."""
    if not target or "\\" in target or any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return target if parts.scheme in ("http", "https") and parts.netloc == host else None
    if not target.startswith("/") or target.startswith("//"):
        return None
    return target
