"""Saved replies: named snippets an employee inserts into a reply box, personal or shared.

A personal one is seen and changed by its owner only; a shared one is seen by every
employee and changed by its owner or a moderator. Snippets are the employees' own
drafting aids, not a change of any comment's state, so they write no audit event.
"""

import re

import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.models import Comment, User
from blogapp.models.base import utcnow
from blogapp.models.replying import SAVED_BODY_MAX, SAVED_TITLE_MAX, SavedReply
from blogapp.responses.services import ResponseError
from blogapp.text import clean_text

MAX_PER_PERSON = 200
PLACEHOLDERS = {"{name}": "the customer's display name", "{post}": "the post's title"}
_PLACEHOLDER = re.compile(r"\{(name|post)\}")


class SavedReplyError(ResponseError):
    """A saved reply that cannot be kept as given; ``field`` is the one to blame."""

    def __init__(self, message: str, field: str = "body"):
        super().__init__(message)
        self.field = field


def visible_to(user: User) -> list[SavedReply]:
    """The saved replies ``user`` may insert: their own, then the shared ones of others."""
    if not user.is_employee:
        return []
    return list(
        db.session.scalars(
            sa.select(SavedReply)
            .where(sa.or_(SavedReply.owner_id == user.id, SavedReply.shared))
            .order_by((SavedReply.owner_id != user.id), sa.func.lower(SavedReply.title))
            .limit(MAX_PER_PERSON * 2)
        )
    )


def can_see(user: User, saved: SavedReply) -> bool:
    return user.is_employee and (saved.owner_id == user.id or saved.shared)


def can_change(user: User, saved: SavedReply) -> bool:
    """Its owner; a shared one, a moderator (or admin) too."""
    return user.is_employee and (saved.owner_id == user.id or (saved.shared and user.is_moderator))


def _clean(title: str | None, body: str | None) -> tuple[str, str]:
    title = clean_text(title or "").strip()
    body = clean_text(body or "").strip()
    if not title:
        raise SavedReplyError("Please give the saved reply a name.", "title")
    if len(title) > SAVED_TITLE_MAX:
        raise SavedReplyError(f"A name has at most {SAVED_TITLE_MAX} characters.", "title")
    if not body:
        raise SavedReplyError("Please write the text of the saved reply.")
    if len(body) > SAVED_BODY_MAX:
        raise SavedReplyError(f"A saved reply has at most {SAVED_BODY_MAX} characters.")
    return title, body


def _name_taken(owner_id: int, title: str, but: int | None = None) -> bool:
    query = sa.select(SavedReply.id).where(
        SavedReply.owner_id == owner_id, sa.func.lower(SavedReply.title) == title.lower()
    )
    if but is not None:
        query = query.where(SavedReply.id != but)
    return db.session.scalar(query.limit(1)) is not None


def create(owner: User, title: str | None, body: str | None, shared: bool) -> SavedReply:
    """Keep a new saved reply for ``owner``; commits."""
    if not owner.is_employee:
        raise SavedReplyError("Only employees keep saved replies.", "title")
    title, body = _clean(title, body)
    if _name_taken(owner.id, title):
        raise SavedReplyError(f"You already have a saved reply called “{title}”.", "title")
    count = db.session.scalar(sa.select(sa.func.count()).where(SavedReply.owner_id == owner.id))
    if count >= MAX_PER_PERSON:
        raise SavedReplyError(
            f"You have {MAX_PER_PERSON} saved replies, the most one person keeps; "
            "delete one you no longer use first.",
            "title",
        )
    saved = SavedReply(owner_id=owner.id, title=title, body=body, shared=bool(shared))
    db.session.add(saved)
    db.session.commit()
    return saved


def update(
    saved: SavedReply, by: User, title: str | None, body: str | None, shared: bool
) -> SavedReply:
    """Change a saved reply; only its owner decides whether it is shared. Commits."""
    if not can_change(by, saved):
        raise SavedReplyError("You can't change this saved reply.", "title")
    title, body = _clean(title, body)
    if _name_taken(saved.owner_id, title, but=saved.id):
        raise SavedReplyError(f"There is already a saved reply called “{title}”.", "title")
    saved.title, saved.body = title, body
    if saved.owner_id == by.id:
        saved.shared = bool(shared)
    saved.updated_at = utcnow()
    db.session.commit()
    return saved


def delete(saved: SavedReply, by: User) -> None:
    """Delete a saved reply; commits."""
    if not can_change(by, saved):
        raise SavedReplyError("You can't delete this saved reply.", "title")
    db.session.delete(saved)
    db.session.commit()


def filled(body: str, comment: Comment) -> str:
    """The snippet with its placeholders filled for ``comment``: plain text, escaped where
    it is drawn like any text in a reply box."""
    values = {"name": comment.author_name, "post": comment.post.title}
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], body)


def appended(text: str | None, snippet: str) -> str:
    """A reply box's text with ``snippet`` added on a paragraph of its own."""
    text = (text or "").rstrip()
    return f"{text}\n\n{snippet}" if text else snippet
