"""The inbound-mail corpus (tests/data/inbound/*.eml) and a scene to reply in: an employee
(priya@tallyworks.example, the address the corpus writes from), a post, a customer's
owed comment, and the reply address of the mail she got about it."""

import itertools
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.inbound.addresses import make_token, reply_address
from blogapp.models import AuditEvent, Comment, MailMessage, Role, User
from blogapp.models.base import utcnow

CORPUS = Path(__file__).parent / "data" / "inbound"
DOMAIN = "inbound.tallyworks.example"
PRIYA = "priya@tallyworks.example"
_MAIL_MINUTES = itertools.count()


def corpus(name: str, address: str | None = None) -> bytes:
    """A corpus message, addressed to ``address`` (a reply+<token>@ address) when given."""
    raw = (CORPUS / name).read_bytes()
    if address is not None:
        token = address.partition("@")[0].removeprefix("reply+")
        raw = raw.replace(b"TOKEN", token.encode())
    return raw


@dataclass
class Scene:
    employee: User
    comment: Comment
    address: str

    def replies(self) -> list[Comment]:
        return list(
            db.session.scalars(
                sa.select(Comment).where(Comment.parent_id == self.comment.id).order_by(Comment.id)
            )
        )

    def refusals(self) -> list[MailMessage]:
        return list(
            db.session.scalars(
                sa.select(MailMessage)
                .where(MailMessage.kind == "inbound_refused")
                .order_by(MailMessage.id)
            )
        )

    def audit(self, action: str) -> list[AuditEvent]:
        return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def make_scene(app, make_user, make_post, make_comment) -> Scene:
    """The scene, made with conftest's factories (each test module's ``scene`` fixture)."""
    app.config["INBOUND_MAIL_DOMAIN"] = DOMAIN
    priya = make_user(Role.STAFF, name="Priya Shah", email=PRIYA, job_title="Head of Support")
    post = make_post(author=priya, title="Exporting invoices")
    comment = make_comment(
        post, body="My export drops the tax column. Why?", guest=("Sam", "sam@example.com")
    )
    return Scene(priya, comment, reply_address("comment", comment.id, priya.id))


def reply_by_mail(comment: Comment, person: User | None, text: str):
    """``person`` (None: a guest) answers ``comment`` from the mail they got about it."""
    from flask import current_app

    from blogapp.inbound.receive import receive

    current_app.config["INBOUND_MAIL_DOMAIN"] = DOMAIN
    # Each its own mail: a token names (comment, person, minute issued), so two in the same
    # minute would be one address, used once.
    issued = utcnow() - timedelta(minutes=next(_MAIL_MINUTES))
    token = make_token("comment", comment.id, person.id if person else 0, now=issued)
    address = f"reply+{token}@{DOMAIN}"
    sender = person.email if person else "guest@example.com"
    raw = (
        f"From: {sender}\nTo: {address}\nSubject: Re: a comment\n"
        f"Message-ID: <{abs(hash(text))}@mail.example>\n\n{text}\n\n"
        "On Mon, 3 Feb 2025 at 10:04, Blog wrote:\n> the comment\n"
    )
    return receive(raw.encode())
