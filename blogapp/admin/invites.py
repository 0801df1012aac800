"""Invitations: an employee's account exists from the invite, but cannot log in until its
owner chooses a password through the link mailed to them.

No column says "invited". Until the password is chosen, the password hash is a random
marker with no ``$`` in it, which no password matches (werkzeug's check answers False
for it), so login refuses the account exactly as it refuses a wrong password. The link
is signed with the secret key over the user's id and a digest of that marker: choosing
the password changes the hash, so the link works once; inviting again changes the
marker, so only the newest link works; and it expires after INVITE_MAX_AGE.
"""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, render_template, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from blogapp.extensions import db
from blogapp.mail.outbox import queue_mail
from blogapp.models import User
from blogapp.sitesettings.store import site_settings

INVITE_MAX_AGE = timedelta(days=7)
_PENDING_PREFIX = "invited:"
_SALT = "people-invitation"
DEAD_LINK = (
    "This link has expired or has already been used. Ask an admin of the site to send "
    "you a new invitation."
)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _stamp(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:24]


def is_pending(user: User) -> bool:
    """Whether ``user`` was invited and has not chosen a password yet."""
    return user.password_hash.startswith(_PENDING_PREFIX)


def pending_clause():
    """SQL: the account was invited and has no password yet."""
    return User.password_hash.startswith(_PENDING_PREFIX, autoescape=True)


def mark_pending(user: User) -> None:
    """Give ``user`` a new unusable password; any earlier invitation link stops working."""
    user.password_hash = _PENDING_PREFIX + secrets.token_urlsafe(32)


def invitation_token(user: User) -> str:
    return _serializer().dumps({"u": user.id, "s": _stamp(user)})


def user_for_token(token: str) -> User | None:
    """The invited, enabled user a link was made for, if it is fresh and unused."""
    if len(token) > 500:
        return None
    try:
        data = _serializer().loads(token, max_age=INVITE_MAX_AGE.total_seconds())
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = db.session.get(User, data["u"])
    if user is None or not is_pending(user) or user.disabled_at is not None:
        return None
    return user if secrets.compare_digest(str(data.get("s")), _stamp(user)) else None


def mail_invitation(user: User, by: User | None) -> None:
    """Queue the invitation, with its set-password link, in the current transaction
    (account mail: it reaches an address that unsubscribed from notifications too)."""
    site = site_settings()["SITE_NAME"]
    body = render_template(
        "admin/mail_invite.txt",
        user=user,
        by=by,
        site=site,
        link=url_for("welcome.set_password", token=invitation_token(user), _external=True),
        days=INVITE_MAX_AGE.days,
    )
    who = by.display_name if by is not None else "The team"
    queue_mail("account_invitation", user.email, f"{who} invited you to {site}", body, account=True)
