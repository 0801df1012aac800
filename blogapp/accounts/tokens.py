"""Signed links mailed about an account: reset a password, verify an address.

No table: a token signs the account's id and a stamp of what the link may change,
so it stops working once that has changed. A reset link signs a digest of the
password hash, so the reset it makes (or any other password change) spends it; a
verification link signs the address it verifies, so it dies if the address changes.
"""

import hashlib
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from blogapp.extensions import db
from blogapp.models import User

RESET_MAX_AGE = 60 * 60  # one hour
VERIFY_MAX_AGE = 7 * 24 * 60 * 60  # a week: a verification mail may wait in a busy inbox
# Long enough for any token made here; anything longer is refused unread.
MAX_TOKEN_LENGTH = 1000


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"account-{purpose}")


def _stamp(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _dump(purpose: str, user: User, **fields: Any) -> str:
    return _serializer(purpose).dumps({"u": user.id, **fields})


def _load(purpose: str, token: str, max_age: int | None) -> tuple[User, dict] | None:
    if len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except BadSignature:  # altered, or older than max_age (SignatureExpired)
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = db.session.get(User, data["u"])
    return (user, data) if user is not None else None


def reset_token(user: User) -> str:
    """A link's token that sets a new password for ``user`` once, within an hour."""
    return _dump("reset", user, s=_stamp(user.password_hash))


def user_for_reset(token: str) -> User | None:
    """The account a reset token is for, or None if it is altered, expired or spent."""
    found = _load("reset", token, RESET_MAX_AGE)
    if found is None:
        return None
    user, data = found
    return user if data.get("s") == _stamp(user.password_hash) else None


def verify_token(user: User) -> str:
    """A link's token that proves ``user`` reads mail at their current address."""
    return _dump("verify", user, e=user.email)


def user_for_verify(token: str) -> User | None:
    """The account a verification token is for while its address is unchanged, else None."""
    found = _load("verify", token, VERIFY_MAX_AGE)
    if found is None:
        return None
    user, data = found
    return user if data.get("e") == user.email else None


EMAIL_CHANGE_MAX_AGE = 60 * 60
GUEST_REMOVAL_MAX_AGE = 24 * 60 * 60
# Notification choices an unsubscribe link can turn off, by the User column it clears.
NOTIFICATION_COLUMNS = {
    "replies": "notify_replies",
    "acknowledged": "notify_acknowledged",
    "follows": "notify_follows",
}


def email_change_token(user: User, new_email: str) -> str:
    """A link's token, mailed to ``new_email``, that moves ``user`` to it within an hour;
    spent once the account's address changes."""
    return _dump("email", user, e=new_email, s=_stamp(user.email))


def email_change_for(token: str) -> tuple[User, str] | None:
    """The account and the new address an email-change token names, else None."""
    found = _load("email", token, EMAIL_CHANGE_MAX_AGE)
    if found is None:
        return None
    user, data = found
    if data.get("s") != _stamp(user.email) or not isinstance(data.get("e"), str):
        return None
    return user, data["e"]


def unsubscribe_token(user: User, choice: str) -> str:
    """A lasting token that turns off one notification choice of ``user``."""
    return _dump("unsubscribe", user, k=choice)


def unsubscribe_for(token: str) -> tuple[User, str] | None:
    """The account and the choice an unsubscribe token turns off, else None."""
    found = _load("unsubscribe", token, max_age=None)
    if found is None or found[1].get("k") not in NOTIFICATION_COLUMNS:
        return None
    return found[0], found[1]["k"]


def guest_removal_token(email: str) -> str:
    """A link's token, mailed to ``email``, that removes the guest comments written with it."""
    return _serializer("guest-removal").dumps({"g": email})


def guest_email_for(token: str) -> str | None:
    """The guest address a removal token was mailed to, while it is under a day old."""
    if len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        data = _serializer("guest-removal").loads(token, max_age=GUEST_REMOVAL_MAX_AGE)
    except BadSignature:
        return None
    email = data.get("g") if isinstance(data, dict) else None
    return email if isinstance(email, str) else None
