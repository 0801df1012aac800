"""People: customers (readers) and employees (staff, moderators, admins)."""

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_login import AnonymousUserMixin, UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from blogapp.extensions import db
from blogapp.models.base import enum_check, utcnow


class Role(enum.StrEnum):
    GUEST = "guest"
    READER = "reader"
    STAFF = "staff"
    MODERATOR = "moderator"
    ADMIN = "admin"

    @classmethod
    def of(cls, value: str | None) -> "Role":
        """The role a stored value names; no account at all (None) is a guest."""
        return cls.GUEST if value is None else cls(value)

    @property
    def is_employee(self) -> bool:
        """ARCHITECTURE.md: employees are staff, moderators and admins; everyone else (readers
        and guests) is a customer."""
        return self in EMPLOYEE_ROLES

    @property
    def is_moderator(self) -> bool:
        """Moderators clear the response queue and the moderation page; admins too."""
        return self in MODERATOR_ROLES

    @classmethod
    def employees(cls) -> list["Role"]:
        """The employee roles, fewest rights first (what an invitation or a role change offers)."""
        return [role for role in ACCOUNT_ROLES if role.is_employee]


# The one definition of each group of roles. Outside blogapp/models, ask a user, a role or
# a comment (is_employee, is_moderator, by_customer, employee_clause(), customer_clause())
# instead of naming roles: tests/test_rules_defined_once.py greps for a second definition.
EMPLOYEE_ROLES = (Role.STAFF, Role.MODERATOR, Role.ADMIN)
MODERATOR_ROLES = (Role.MODERATOR, Role.ADMIN)
# Roles a stored account may have; a guest is someone without an account.
ACCOUNT_ROLES = (Role.READER, Role.STAFF, Role.MODERATOR, Role.ADMIN)

# Hashing a password for an unknown email costs as much as checking a real one,
# so the login form's timing does not tell whether an account exists.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (enum_check("role", ACCOUNT_ROLES),)

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
    # A disabled account cannot log in and its sessions are ended; who did it and when.
    disabled_at: Mapped[datetime | None]
    disabled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # When the owner followed the link mailed to this address; None until then.
    email_verified_at: Mapped[datetime | None]
    # Which notification mails the owner wants (each mail's unsubscribe link turns one off).
    notify_replies: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    notify_acknowledged: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    notify_follows: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # Commenting on a post follows its thread (a customer's choice; employees follow by hand).
    follow_on_comment: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # Employees' replies to comments on this author's posts wait for their approval
    # (blogapp/responses/review_gate.py); set by the author or an admin.
    replies_need_review: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Who the admin named to take this person's owed comments when disabling them: new
    # comments on their posts go there (responses/services.py, taker_for_absent_author).
    handover_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # The owner deleted the account: the row stays (their kept comments and the audit
    # log point at it) with nothing personal left in it, and nobody can log in to it.
    deleted_at: Mapped[datetime | None]

    handover_to: Mapped["User | None"] = relationship(
        remote_side=[id], foreign_keys=[handover_to_id]
    )
    disabled_by: Mapped["User | None"] = relationship(
        remote_side=[id], foreign_keys=[disabled_by_id]
    )

    # The sign-in this request came with (set by the user loader or at login): the
    # login id Flask-Login keeps in the session and remember cookie names it.
    login_session = None  # a LoginSession
    login_token = None  # its token, as the cookies carry it

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"

    @property
    def name_and_title(self) -> str:
        """"Jane Doe, Head of Support" (just the name when there is no job title)."""
        return f"{self.display_name}, {self.job_title}" if self.job_title else self.display_name

    # UserMixin compares users by get_id(), which names a sign-in here, not a person.
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, User):
            return NotImplemented
        return self is other or (self.id is not None and self.id == other.id)

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = object.__hash__

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None and self.deleted_at is None

    def get_id(self) -> str:
        """Flask-Login's id for this sign-in: ``<user id>:<session token>``, so that ending
        the session server-side makes its cookies (session and remember-me) worthless."""
        if self.login_token is None:
            raise RuntimeError("get_id() needs a sign-in: call sessions.start_session first")
        return f"{self.id}:{self.login_token}"

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def is_employee(self) -> bool:
        return self.role_enum.is_employee

    @property
    def is_moderator(self) -> bool:
        return self.role_enum.is_moderator

    @classmethod
    def employee_clause(cls) -> sa.ColumnElement[bool]:
        """SQL for is_employee (works on an alias of User too)."""
        return cls.role.in_([role.value for role in EMPLOYEE_ROLES])

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


class LoginSession(db.Model):
    """One signed-in browser: its cookies carry the token whose hash is stored here.

    Deleting the row logs that browser out, whatever cookies it kept.
    """

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # SHA-256 of the token: a copy of the database does not hand out sessions.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # After this the cookies no longer sign in: the remember-me cookie's lifetime, or
    # PERMANENT_SESSION_LIFETIME for a sign-in that lasts while the browser is open.
    expires_at: Mapped[datetime]
    user_agent: Mapped[str | None] = mapped_column(sa.String(200))

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<LoginSession {self.id} of user {self.user_id}>"


class Guest(AnonymousUserMixin):
    """The anonymous visitor, with the same role questions a User answers."""

    role = Role.GUEST.value
    role_enum = Role.GUEST
    is_employee = Role.GUEST.is_employee
    is_moderator = Role.GUEST.is_moderator
    display_name = "Guest"

    def has_role(self, *roles: Role) -> bool:
        return Role.GUEST in roles
