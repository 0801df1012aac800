"""Shared ground for the private support tests (blogapp/private)."""

import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.inbound.addresses import read_address
from blogapp.inbound.handlers import InboundReply, handler_for
from blogapp.models import MailMessage, Role

DOMAIN = "in.example.com"


def people(make_user, make_post):
    """A moderator (Jane Doe, Head of Support), a staff author, a reader, and their post."""
    jane = make_user(Role.MODERATOR, name="Jane Doe", job_title="Head of Support")
    author = make_user(Role.STAFF, name="Sam Staff")
    reader = make_user(Role.READER, name="Rita Reader", email="rita@example.com")
    post = make_post(author=author, title="Billing changes")
    return jane, author, reader, post


def mails(kind: str | None = None) -> list[MailMessage]:
    query = sa.select(MailMessage).order_by(MailMessage.id)
    if kind is not None:
        query = query.where(MailMessage.kind == kind)
    return list(db.session.scalars(query))


def mail_reply(address: str, sender: str, text: str) -> InboundReply:
    """What the inbound path hands a handler for a message sent to ``address``."""
    token = read_address(address)
    assert token is not None, address
    return InboundReply(token, sender.lower(), text, "Re: your comment", "<m1@example.net>")


def deliver(reply: InboundReply):
    """Call the handler registered for the token's purpose, and commit as the inbound path."""
    outcome = handler_for(reply.token.purpose)(reply)
    db.session.commit()
    return outcome
