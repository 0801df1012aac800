"""Signed-in browsers, one LoginSession row each, so that any of them can be ended.

Flask-Login keeps ``User.get_id()`` in the session cookie and the remember-me
cookie; here that id is ``<user id>:<token>`` and the token's hash is a row. The
user loader accepts a cookie only while its row exists and the account is
enabled, so logging out (this browser), logging out everywhere, changing the
password (every other browser) and disabling the account (every browser) take
effect on the next request, whatever cookies were copied.
"""

import functools
import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from blogapp.extensions import db
from blogapp.models import LoginSession, User
from blogapp.models.base import utcnow

# Flask-Login's own default for REMEMBER_COOKIE_DURATION.
DEFAULT_LIFETIME = timedelta(days=365)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _lifetime(remember: bool) -> timedelta:
    """How long a sign-in lasts: the remember-me cookie's life, or a month without it
    (the browser may keep its session cookie open that long; few people do)."""
    setting = "REMEMBER_COOKIE_DURATION" if remember else "PERMANENT_SESSION_LIFETIME"
    lifetime = current_app.config.get(setting, DEFAULT_LIFETIME)
    return lifetime if isinstance(lifetime, timedelta) else timedelta(seconds=lifetime)


def start_session(user: User, remember: bool, user_agent: str | None = None) -> LoginSession:
    """A new sign-in for ``user`` (not committed); call before ``login_user``."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = LoginSession(
        user=user,
        token_hash=_hash(token),
        created_at=now,
        expires_at=now + _lifetime(remember),
        user_agent=(user_agent or "")[:200],
    )
    db.session.add(row)
    # Expired sign-ins are forgotten here, so rows of browsers that never logged out
    # do not pile up.
    db.session.execute(
        sa.delete(LoginSession).where(
            LoginSession.user_id == user.id, LoginSession.expires_at < now
        )
    )
    user.login_session, user.login_token = row, token
    return row


@functools.cache
def _sign_in() -> sa.Select:
    """The sign-in with ``:token_hash`` and its user: built once, every request asks."""
    return (
        sa.select(LoginSession)
        .options(joinedload(LoginSession.user))
        .where(LoginSession.token_hash == sa.bindparam("token_hash"))
    )


def user_for_login_id(login_id: str) -> User | None:
    """The enabled user a cookie's ``<user id>:<token>`` still signs in, else None."""
    user_id, _, token = login_id.partition(":")
    if not user_id.isdigit() or not token or len(token) > 100:
        return None
    row = db.session.scalar(_sign_in(), {"token_hash": _hash(token)})
    if row is None or str(row.user_id) != user_id:
        return None
    if not row.user.is_active or row.expires_at < utcnow():
        return None
    row.user.login_session, row.user.login_token = row, token
    return row.user


def end_session(user: User) -> None:
    """Log out the browser this request came from (not committed)."""
    if user.login_session is not None:
        db.session.execute(sa.delete(LoginSession).where(LoginSession.id == user.login_session.id))


def end_sessions(user: User, keep: LoginSession | None = None) -> int:
    """Log ``user`` out of every browser but ``keep`` (not committed); how many ended."""
    query = sa.delete(LoginSession).where(LoginSession.user_id == user.id)
    if keep is not None:
        query = query.where(LoginSession.id != keep.id)
    return db.session.execute(query).rowcount


def signed_in_browsers(user: User) -> list[LoginSession]:
    """The user's current sign-ins, newest first."""
    return list(
        db.session.scalars(
            sa.select(LoginSession)
            .where(LoginSession.user_id == user.id, LoginSession.expires_at >= utcnow())
            .order_by(LoginSession.created_at.desc(), LoginSession.id.desc())
        )
    )
