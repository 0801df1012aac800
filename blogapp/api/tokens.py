"""Personal access tokens: made, listed, revoked, and the one a request's
``Authorization: Bearer`` header names."""

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.models import ApiToken, Scope, User
from blogapp.models.base import utcnow

PREFIX = "pat_"
# 32 random bytes: nobody guesses one, so a fast hash (SHA-256) is safe to store.
SECRET_BYTES = 32
NAME_MAX = 80
# "Last used" moves at most this often: a read costs no write on most requests.
LAST_USED_EVERY = timedelta(minutes=1)
MAX_TOKENS = 50


class TokenError(ValueError):
    """A token that cannot be made as asked; ``field`` names the form field to blame."""

    def __init__(self, message: str, field: str = "name"):
        super().__init__(message)
        self.field = field


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name: str, scopes: list[str]) -> tuple[ApiToken, str]:
    """A new token for ``user``: its row and its secret, which is never shown again."""
    name = " ".join((name or "").split())
    if not name:
        raise TokenError("Give the token a name, so you know later what uses it.")
    if len(name) > NAME_MAX:
        raise TokenError(f"Keep the name under {NAME_MAX} characters.")
    allowed = {scope.value for scope in Scope.allowed_to(user.role_enum)}
    chosen = [scope.value for scope in Scope if scope.value in set(scopes)]
    if not chosen:
        raise TokenError("Choose at least one scope.", field="scopes")
    if set(scopes) - allowed:
        raise TokenError("Your role cannot give a token that scope.", field="scopes")
    if len(active_tokens(user)) >= MAX_TOKENS:
        raise TokenError(f"You have {MAX_TOKENS} tokens; revoke one you no longer use first.")
    secret = PREFIX + secrets.token_urlsafe(SECRET_BYTES)
    token = ApiToken(
        user=user,
        name=name,
        scopes=" ".join(chosen),
        token_hash=hash_token(secret),
        hint=secret[: len(PREFIX) + 4],
    )
    db.session.add(token)
    db.session.commit()
    return token, secret


def active_tokens(user: User) -> list[ApiToken]:
    """The person's tokens that still work, newest first."""
    query = (
        sa.select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return list(db.session.scalars(query))


def revoke_token(user: User, token_id: int) -> bool:
    """Revoke one of ``user``'s own tokens; False when there is no such token of theirs."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    db.session.commit()
    return True


def token_for(secret: str, now: datetime | None = None) -> ApiToken | None:
    """The working token whose secret this is: not revoked, its person neither disabled nor
    gone. Notes its use, at most once a minute."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = db.session.scalars(
        sa.select(ApiToken).where(ApiToken.token_hash == hash_token(secret))
    ).one_or_none()
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    now = now or utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        # Conditional, so two requests at once write it once; committed on its own, before
        # the operation's work, so a failed operation still counts as a use.
        db.session.execute(
            sa.update(ApiToken)
            .where(
                ApiToken.id == token.id,
                sa.or_(
                    ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - LAST_USED_EVERY
                ),
            )
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    return token
