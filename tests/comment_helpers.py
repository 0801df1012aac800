"""Sending the comment form the way a browser does, and reading back what was stored."""

import re

import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.models import Comment
from tests.conftest import CSRF_RE

SHOWN_RE = re.compile(r'name="shown" type="hidden" value="([^"]*)"')
GAIL = ("Gail Guest", "gail@example.com")


def form_fields(html: str) -> dict:
    """The hidden fields a browser would send back with the comment form (a guest's form
    on the post page has neither token nor clock)."""
    csrf, shown = CSRF_RE.search(html), SHOWN_RE.search(html)
    return {
        "csrf_token": csrf.group(1) if csrf else "",
        "shown": shown.group(1) if shown else "",
        "website": "",
    }


def submit(client, post, body, *, guest=None, parent=None, page_url=None, **extra):
    """Fill in and send the comment form the way a browser does."""
    slug = post.slug
    # A fresh app context, so nothing cached in `g` (user, CSRF token) leaks between clients.
    with client.application.app_context():
        page = client.get(page_url or f"/posts/{slug}")
        data = form_fields(page.text) | {"body": body}
        if guest:
            data |= {"name": guest[0], "email": guest[1]}
        if parent is not None:
            data["parent_id"] = str(parent.id)
        data |= extra
        return client.post(f"/posts/{slug}/comments", data=data)


def comments_of(post) -> list[Comment]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(Comment).where(Comment.post_id == post.id).order_by(Comment.id)
        )
    )
