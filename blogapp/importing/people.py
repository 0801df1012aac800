"""Authors of the old site as Parley employees: matched by email, else made disabled.

An author whose email belongs to an employee is that employee. Anyone else gets a new
staff account that cannot log in (disabled, a random password) under their display
name, so their posts and answers keep a named author; an admin may enable it later
from People. A reader's account with the same email is left alone (a customer does not
become staff by an import): the new account gets an address that cannot receive mail.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from blogapp.extensions import db
from blogapp.importing.known import KnownIds
from blogapp.importing.records import SourceAuthor
from blogapp.importing.report import ImportReport
from blogapp.models import Role, User
from blogapp.models.base import slugify, utcnow


def _unique_slug(base: str) -> str:
    base = slugify(base, 70) or "author"
    slug, n = base, 1
    while db.session.scalar(sa.select(User.id).where(User.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def placeholder_email(source: str, login: str) -> str:
    return f"{source}-{slugify(login, 60) or 'author'}@imported.invalid"


class Authors:
    """Logins of the old site → employee ids here."""

    def __init__(self, known: KnownIds, report: ImportReport, actor: User | None):
        self.known = known
        self.report = report
        self.actor = actor
        self.by_login: dict[str, int] = dict(known.ids.get("author", {}))
        self._planned = -1  # dry run: made-up ids for authors that would be created
        self._employee_emails: dict[str, int | None] = {}

    def add(self, author: SourceAuthor) -> int:
        """The employee for ``author``, matched or created (or, in a dry run, planned)."""
        if (known := self.by_login.get(author.login)) is not None:
            self.report.count("author", "matched", f"{author.display_name} (imported before)")
            return known
        user = None
        if author.email:
            user = db.session.scalar(
                sa.select(User).where(sa.func.lower(User.email) == author.email.lower())
            )
        if user is not None and user.is_employee:
            self.report.count("author", "matched", f"{author.display_name} → {user.email}")
            local_id = user.id
        elif self.known.dry_run:
            self.report.count("author", "created", f"{author.display_name} (disabled staff)")
            local_id = self._planned
            self._planned -= 1
        else:
            local_id = self._create(author, email_taken=user is not None)
        self.by_login[author.login] = local_id
        if local_id > 0:
            self.known.remember("author", author.login, local_id)
        return local_id

    def _create(self, author: SourceAuthor, email_taken: bool) -> int:
        email = author.email.lower() if author.email and not email_taken else ""
        now = utcnow()
        user = User(
            email=email or placeholder_email(author.source, author.login),
            password_hash=generate_password_hash(secrets.token_urlsafe(32)),
            role=Role.STAFF.value,
            display_name=(author.display_name or author.login)[:80],
            slug=_unique_slug(author.display_name or author.login),
            disabled_at=now,
            disabled_by_id=self.actor.id if self.actor else None,
        )
        db.session.add(user)
        db.session.flush()
        self.report.count("author", "created", f"{user.display_name} (disabled staff)")
        return user.id

    def employee_with_email(self, email: str) -> int | None:
        """The employee whose address this is (for a comment the old system vouched was
        written under that address), if any."""
        email = email.strip().lower()
        if not email:
            return None
        if email not in self._employee_emails:
            user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == email))
            self._employee_emails[email] = user.id if user and user.is_employee else None
        return self._employee_emails[email]

    def login_id(self, login: str, source: str) -> int:
        """The employee for a login seen only on a post (WXR 1.0 lists no authors)."""
        if login in self.by_login:
            return self.by_login[login]
        return self.add(SourceAuthor(source=source, source_id=login, login=login,
                                     display_name=login))  # fmt: skip
