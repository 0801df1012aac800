"""Shared ground for the private support tests (blogapp/private)."""

import re

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


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PASSWORD = "correct horse battery"  # the make_user fixture's


def csrf_of(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def browser(app, user=None):
    """A test client of its own, signed in as ``user`` through the login form (None: anonymous).
    Use with the ``separate_browsers`` fixture."""
    client = app.test_client()
    if user is not None:
        page = client.get("/account/login")
        answer = client.post(
            "/account/login",
            data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        )
        assert answer.status_code in (302, 303), answer.text[:500]
    return client
