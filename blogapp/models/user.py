"""People: customers (readers) and employees (staff, moderators, admins)."""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_login import AnonymousUserMixin, UserMixin
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from blogapp.extensions import db
from blogapp.models.base import utcnow


class Role(enum.StrEnum):
    GUEST = "guest"
    READER = "reader"
    STAFF = "staff"
    MODERATOR = "moderator"
    ADMIN = "admin"

    @property
    def is_employee(self) -> bool:
        return self in EMPLOYEE_ROLES


EMPLOYEE_ROLES = frozenset({Role.STAFF, Role.MODERATOR, Role.ADMIN})
# Roles a stored account may have; a guest is someone without an account.
ACCOUNT_ROLES = (Role.READER, Role.STAFF, Role.MODERATOR, Role.ADMIN)

# Hashing a password for an unknown email costs as much as checking a real one,
# so the login form's timing does not tell whether an account exists.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint("role IN ('reader', 'staff', 'moderator', 'admin')", name="role_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[str] = mapped_column(sa.String(16), default=Role.READER.value)
    display_name: Mapped[str] = mapped_column(sa.String(80))
    # Public profile URL for employees: /authors/<slug>.
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    job_title: Mapped[str | None] = mapped_column(sa.String(120))
    bio: Mapped[str | None] = mapped_column(sa.Text)
    avatar: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def is_employee(self) -> bool:
        return self.role_enum.is_employee

    def has_role(self, *roles: Role) -> bool:
        return self.role_enum in roles

    def set_password(self, password: str, method: str = "scrypt") -> None:
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @staticmethod
    def check_password_for_nobody(password: str) -> bool:
        """Spend the time of a real check; always False."""
        check_password_hash(_DUMMY_HASH, password)
        return False


class Guest(AnonymousUserMixin):
    """The anonymous visitor, with the same role questions a User answers."""

    role = Role.GUEST.value
    role_enum = Role.GUEST
    is_employee = False
    display_name = "Guest"

    def has_role(self, *roles: Role) -> bool:
        return Role.GUEST in roles
