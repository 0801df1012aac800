"""Personal access tokens: a person's key to the JSON API (/api/v1), one row a token."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blogapp.extensions import db
from blogapp.models.base import utcnow
from blogapp.models.user import Role, User


class Scope(enum.StrEnum):
    READ = "read"
    COMMENT = "comment"
    RESPOND = "respond"
    MODERATE = "moderate"
    PUBLISH = "publish"

    @classmethod
    def allowed_to(cls, role: Role) -> list["Scope"]:
        """The scopes a person of ``role`` may give a token: what their role may do anyway."""
        if not role.is_employee:
            return [cls.READ, cls.COMMENT]
        scopes = [cls.READ, cls.COMMENT, cls.RESPOND, cls.PUBLISH]
        return scopes + [cls.MODERATE] if role.is_moderator else scopes


class ApiToken(db.Model):
    """A named, scoped token; only the SHA-256 of its secret is kept (shown once)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    # Space-separated Scope values, as OAuth writes scopes.
    scopes: Mapped[str] = mapped_column(sa.String(80))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The first characters of the token, to tell tokens apart in the list.
    hint: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Moved at most once a minute (api/tokens.py): a read does not become a write.
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.name!r} of user {self.user_id}>"

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())
