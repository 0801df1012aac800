"""What the index holds for a post or a comment, built from the database's current state.

Indexed: published and scheduled posts (a scheduled one is found once its
published_at has passed: the query filters on it), published and held
comments. Drafts, spam and removed comments are never in the index. A guest's
email is never part of a document.
"""

import hashlib
import html
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from blogapp.models import Comment, CommentStatus, Post, PostStatus, Role, Tag, User
from blogapp.models.post import post_tags
from blogapp.search.hooks import hooks_of

INDEXED_POST_STATUSES = (PostStatus.PUBLISHED.value, PostStatus.SCHEDULED.value)
INDEXED_COMMENT_STATUSES = (CommentStatus.PUBLISHED.value, CommentStatus.HELD.value)


@dataclass(frozen=True)
class ResponseState:
    """Where a comment stands in the response tracker; None where unknown."""

    owed: bool | None = None
    acknowledged_by_id: int | None = None
    assigned_to_id: int | None = None
    due_at: datetime | None = None
    # Owed again after its author said an answer did not help: its clock runs from then,
    # not from its creation (the Whoosh index keeps the due time of these few only).
    reopened: bool = False


UNKNOWN = ResponseState()


def overdue_cutoff(now: datetime) -> datetime | None:
    """The latest creation time of a comment overdue at ``now``, from the tracker
    (search/hooks.py); None without one."""
    return hooks_of().overdue_cutoff(now)


def response_states(session: Session, comment_ids: Sequence[int]) -> Mapping[int, ResponseState]:
    """Each comment's response state, from the tracker (search/hooks.py); empty without one."""
    if not comment_ids:
        return {}
    return hooks_of().response_states(session, comment_ids)


@dataclass(frozen=True)
class SearchDoc:
    """One searchable post or comment, as both backends store it."""

    kind: str
    object_id: int
    post_id: int
    post_title: str
    title: str
    body: str
    author_id: int | None
    author_name: str
    author_staff: bool
    tags: tuple[str, ...]
    status: str
    created_at: datetime
    published_at: datetime | None
    response: ResponseState = field(default=UNKNOWN)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.object_id}"

    @property
    def fingerprint(self) -> str:
        """A digest of everything indexed: `flask search check` compares it."""
        r = self.response
        parts = (
            self.key, self.post_id, self.post_title, self.title, self.body, self.author_id,
            self.author_name, self.author_staff, " ".join(self.tags), self.status,
            self.created_at.isoformat(), self.published_at and self.published_at.isoformat(),
            r.owed, r.acknowledged_by_id, r.assigned_to_id, r.due_at and r.due_at.isoformat(),
        )  # fmt: skip
        if r.reopened:  # only then: every other document's digest stays as it was
            parts += ("reopened",)
        return hashlib.sha1(repr(parts).encode()).hexdigest()


def key_of(kind: str, object_id: int) -> str:
    return f"{kind}:{object_id}"


def split_key(key: str) -> tuple[str, int]:
    kind, _, object_id = key.partition(":")
    return kind, int(object_id)


# Inline elements join their words to the text around them ("<em>CSV</em>," reads
# "CSV,"); any other tag separates words.
_INLINE = "a|abbr|b|code|del|em|i|ins|kbd|mark|s|small|span|strong|sub|sup"
_INLINE_TAG = re.compile(rf"</?(?:{_INLINE})\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def html_text(rendered: str) -> str:
    """The words of HTML that markup.py produced: tags out, entities decoded, control
    characters (which the snippet highlighter uses as markers) removed."""
    text = html.unescape(_TAG.sub(" ", _INLINE_TAG.sub("", rendered or "")))
    return _SPACE.sub(" ", _CONTROL.sub(" ", text)).strip()


def _tags_by_post(session: Session, post_ids: Iterable[int] | None) -> dict[int, tuple[str, ...]]:
    query = sa.select(post_tags.c.post_id, Tag.slug).join(Tag, Tag.id == post_tags.c.tag_id)
    if post_ids is not None:
        query = query.where(post_tags.c.post_id.in_(list(post_ids)))
    tags: dict[int, list[str]] = {}
    for post_id, slug in session.execute(query):
        tags.setdefault(post_id, []).append(slug)
    return {post_id: tuple(sorted(slugs)) for post_id, slugs in tags.items()}


def _post_query() -> sa.Select:
    return sa.select(
        Post.id, Post.title, Post.body_html, Post.status, Post.published_at,
        Post.author_id, User.display_name, User.role,
    ).join(User, User.id == Post.author_id)  # fmt: skip


def _comment_query() -> sa.Select:
    return (
        sa.select(
            Comment.id,
            Comment.post_id,
            Comment.body_html,
            Comment.status,
            Comment.created_at,
            Comment.author_id,
            Comment.guest_name,
            User.display_name,
            User.role,
            Post.title,
        )  # fmt: skip
        .join(Post, Post.id == Comment.post_id)
        .outerjoin(User, User.id == Comment.author_id)
    )


def _post_doc(row, tags: tuple[str, ...]) -> SearchDoc | None:
    id_, title, body_html, status, published_at, author_id, name, role = row
    if status not in INDEXED_POST_STATUSES or published_at is None:
        return None
    return SearchDoc(
        kind="post", object_id=id_, post_id=id_, post_title=title, title=title,
        body=html_text(body_html), author_id=author_id, author_name=name,
        author_staff=Role.of(role).is_employee, tags=tags, status=status,
        created_at=published_at, published_at=published_at,
    )  # fmt: skip


def _comment_doc(row, tags: tuple[str, ...], state: ResponseState) -> SearchDoc | None:
    id_, post_id, body_html, status, created_at, author_id, guest_name, name, role, title = row
    if status not in INDEXED_COMMENT_STATUSES:
        return None
    return SearchDoc(
        kind="comment", object_id=id_, post_id=post_id, post_title=title, title="",
        body=html_text(body_html), author_id=author_id,
        author_name=name if author_id else (guest_name or "Guest"),
        author_staff=Role.of(role).is_employee, tags=tags, status=status,
        created_at=created_at, published_at=None, response=state,
    )  # fmt: skip


def documents_for(
    session: Session, post_ids: Iterable[int], comment_ids: Iterable[int]
) -> tuple[list[SearchDoc], list[str]]:
    """The current documents for these posts and comments, and the keys to delete
    (rows that are gone, or no longer searchable)."""
    post_ids, comment_ids = sorted(set(post_ids)), sorted(set(comment_ids))
    docs: list[SearchDoc] = []
    gone: list[str] = []
    if post_ids:
        rows = session.execute(_post_query().where(Post.id.in_(post_ids))).all()
        tags = _tags_by_post(session, post_ids)
        for row in rows:
            doc = _post_doc(row, tags.get(row[0], ()))
            docs.append(doc) if doc else gone.append(key_of("post", row[0]))
        found = {row[0] for row in rows}
        gone += [key_of("post", i) for i in post_ids if i not in found]
    if comment_ids:
        rows = session.execute(_comment_query().where(Comment.id.in_(comment_ids))).all()
        tags = _tags_by_post(session, {row[1] for row in rows})
        states = response_states(session, [row[0] for row in rows])
        for row in rows:
            doc = _comment_doc(row, tags.get(row[1], ()), states.get(row[0], UNKNOWN))
            docs.append(doc) if doc else gone.append(key_of("comment", row[0]))
        found = {row[0] for row in rows}
        gone += [key_of("comment", i) for i in comment_ids if i not in found]
    return docs, gone


def comment_ids_on(session: Session, post_ids: Iterable[int]) -> list[int]:
    return list(session.scalars(sa.select(Comment.id).where(Comment.post_id.in_(list(post_ids)))))


def ids_by_author(session: Session, user_ids: Iterable[int]) -> tuple[list[int], list[int]]:
    """The posts and comments written by these people."""
    user_ids = list(user_ids)
    posts = session.scalars(sa.select(Post.id).where(Post.author_id.in_(user_ids)))
    comments = session.scalars(sa.select(Comment.id).where(Comment.author_id.in_(user_ids)))
    return list(posts), list(comments)


def count_all_documents(session: Session) -> int:
    posts = session.scalar(
        sa.select(sa.func.count(Post.id)).where(
            Post.status.in_(INDEXED_POST_STATUSES), Post.published_at.is_not(None)
        )
    )
    comments = session.scalar(
        sa.select(sa.func.count(Comment.id)).where(Comment.status.in_(INDEXED_COMMENT_STATUSES))
    )
    return posts + comments


def all_documents(session: Session, batch: int = 2000) -> Iterator[SearchDoc]:
    """Every searchable post and comment, read in batches of ``batch`` rows."""
    tags = _tags_by_post(session, None)
    post_query = _post_query().where(
        Post.status.in_(INDEXED_POST_STATUSES), Post.published_at.is_not(None)
    )
    for row in session.execute(post_query.order_by(Post.id)):
        yield _post_doc(row, tags.get(row[0], ()))
    comment_query = _comment_query().where(Comment.status.in_(INDEXED_COMMENT_STATUSES))
    last_id = 0
    while True:
        rows = session.execute(
            comment_query.where(Comment.id > last_id).order_by(Comment.id).limit(batch)
        ).all()
        if not rows:
            return
        states = response_states(session, [row[0] for row in rows])
        for row in rows:
            yield _comment_doc(row, tags.get(row[1], ()), states.get(row[0], UNKNOWN))
        last_id = rows[-1][0]
