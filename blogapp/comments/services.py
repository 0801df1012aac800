"""Posting, editing and deleting comments. Views call these; these commit."""

import functools
import hashlib
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from blogapp.accounts.recovery import holds_comments_of
from blogapp.comments import notify
from blogapp.comments.rules import CommentRejected, CommentsClosed, check_body
from blogapp.extensions import db
from blogapp.follows.services import follow_after_commenting
from blogapp.models import Comment, CommentStatus, Post, ProposedReply, User, owed_clause
from blogapp.models.base import utcnow
from blogapp.names import clean_name, imitates_employee, imitation_message
from blogapp.responses.review_gate import hold_for_review, review_needed
from blogapp.responses.services import item_to_join
from blogapp.sitesettings.store import site_settings
from blogapp.text import clean_text

# The same text by the same person on the same post within this time is one comment
# (a double click, a resent form), not two.
DUPLICATE_WINDOW = timedelta(minutes=10)


class EditNotAllowed(CommentRejected):
    def __init__(self, message: str = "This comment can no longer be edited."):
        super().__init__(message)


def comments_closed(post: Post, now: datetime | None = None, author=None) -> bool:
    """Closed to customers: by hand, or COMMENTS_CLOSE_AFTER_DAYS after publishing once the
    post owes no answers. Never closed to employees (ARCHITECTURE.md: closing stops customers)."""
    if getattr(author, "is_employee", False):
        return False
    return closed_by_rules(post.comments_open, post.published_at, now or utcnow(), post.id)


def closed_by_rules(
    comments_open: bool, published_at: datetime | None, now: datetime, post_id: int
) -> bool:
    if not comments_open:
        return True
    return past_close_age(published_at, now) and not owes_answers(post_id)


def past_close_age(published_at: datetime | None, now: datetime) -> bool:
    """Older than COMMENTS_CLOSE_AFTER_DAYS (0: never closes by age)."""
    days = site_settings()["COMMENTS_CLOSE_AFTER_DAYS"]
    return bool(days and published_at is not None and now > published_at + timedelta(days=days))


def owes_answers(post_id: int) -> bool:
    """Whether any comment on the post is owed an answer: closing by age waits for it."""
    owed = sa.exists().where(Comment.post_id == post_id, owed_clause())
    return bool(db.session.scalar(sa.select(owed)))


def hash_ip(ip: str | None) -> str | None:
    """The client address as a keyed hash: enough to spot a flood, not to identify."""
    if not ip:
        return None
    key = current_app.config["SECRET_KEY"].encode()
    return hashlib.sha256(key + b"|" + ip.encode()).hexdigest()


def _check_parent(post: Post, parent_id: int | None) -> Comment | None:
    if parent_id is None:
        return None
    parent = db.session.get(Comment, parent_id)
    if parent is None or parent.post_id != post.id or parent.status != CommentStatus.PUBLISHED:
        raise CommentRejected(
            "The comment you are replying to is no longer available. "
            "Your text is kept: you can post it as a new comment."
        )
    return parent


def _check_guest(name: str | None, email: str | None) -> tuple[str, str]:
    if not site_settings()["COMMENTS_ALLOW_GUESTS"]:
        raise CommentRejected("Please log in to comment; this site doesn't take guest comments.")
    name, email = clean_name(name), clean_text(email or "").strip()
    if len(name) < 2:
        raise CommentRejected("Please give a name of at least 2 characters.", "name")
    if not email:
        raise CommentRejected("Please give your email; it is never shown.", "email")
    # Only employees carry the staff mark; a guest cannot borrow an employee's name either.
    if imitates_employee(name):
        raise CommentRejected(imitation_message(), "name")
    return name, email


def _first_time_guest(email: str) -> bool:
    published = db.session.scalar(
        sa.select(Comment.id)
        .where(
            sa.func.lower(Comment.guest_email) == email.lower(),
            Comment.status == CommentStatus.PUBLISHED.value,
        )
        .limit(1)
    )
    return published is None


def _duplicate_of(post: Post, author: User | None, email: str | None, body: str, now):
    params = {"post": post.id, "body": body, "since": now - DUPLICATE_WINDOW}
    if author is not None:
        return db.session.scalar(_duplicate(by_account=True), {**params, "author": author.id})
    return db.session.scalar(
        _duplicate(by_account=False), {**params, "email": (email or "").lower()}
    )


@functools.cache
def _duplicate(by_account: bool) -> sa.Select:
    """The same text by the same person on the same post within DUPLICATE_WINDOW (the
    account ``:author``, or the guest ``:email``, lowercased). Built once: every comment asks."""
    query = sa.select(Comment).where(
        Comment.post_id == sa.bindparam("post"),
        Comment.body_source == sa.bindparam("body"),
        Comment.created_at >= sa.bindparam("since"),
        Comment.status.in_([CommentStatus.PUBLISHED.value, CommentStatus.HELD.value]),
    )
    if by_account:
        query = query.where(Comment.author_id == sa.bindparam("author"))
    else:
        query = query.where(sa.func.lower(Comment.guest_email) == sa.bindparam("email"))
    return query.limit(1)


def post_comment(
    post: Post,
    body: str,
    *,
    author: User | None = None,
    guest_name: str | None = None,
    guest_email: str | None = None,
    parent_id: int | None = None,
    ip: str | None = None,
    now: datetime | None = None,
) -> "Comment | ProposedReply":
    """Accept a comment or reply, held for moderation when the rules say so, and commit.

    The one way every reply is written, whoever writes it and from where (the post page,
    the queue, a mail). An employee's reply on a post whose author reviews replies first
    is not published: it comes back as a ProposedReply (``awaits_review``) in the
    author's review queue (responses/review_gate.py).

    The keywords are add_comment's without ``approved_by``, written out rather than passed
    on as ``**kwargs``: nothing that posts through here can pass the review gate."""
    comment = add_comment(
        post,
        body,
        author=author,
        guest_name=guest_name,
        guest_email=guest_email,
        parent_id=parent_id,
        ip=ip,
        now=now,
    )
    _commit_keeping_loaded()
    return comment


def add_comment(
    post: Post,
    body: str,
    *,
    author: User | None = None,
    guest_name: str | None = None,
    guest_email: str | None = None,
    parent_id: int | None = None,
    ip: str | None = None,
    now: datetime | None = None,
    approved_by: User | None = None,
) -> "Comment | ProposedReply":
    """post_comment() without the commit. ``approved_by``: the post author approving a
    reply that waited for them (responses/reviews.py): it passes the review gate."""
    now = now or utcnow()
    if comments_closed(post, now, author):
        raise CommentsClosed()
    if author is None:
        guest_name, guest_email = _check_guest(guest_name, guest_email)
    parent = _check_parent(post, parent_id)
    body = body.strip()
    rendered = check_body(body)
    if parent is not None and approved_by is None and review_needed(post, author):
        return hold_for_review(parent, author, body, now=now)
    existing = _duplicate_of(post, author, guest_email, body, now)
    if existing is not None:
        return existing
    held = (
        author is None
        and site_settings()["COMMENTS_HOLD_FIRST_GUESTS"]
        and _first_time_guest(guest_email)
    ) or holds_comments_of(author)
    comment = Comment(
        post=post,
        parent=parent,
        joins=None if held else item_to_join(parent, author, guest_email),
        author=author,
        guest_name=None if author else guest_name,
        guest_email=None if author else guest_email,
        body_source=body,
        body_html=rendered.html,
        status=(CommentStatus.HELD if held else CommentStatus.PUBLISHED).value,
        created_at=now,
        ip_hash=hash_ip(ip),
    )
    db.session.add(comment)
    db.session.flush()  # the mail links to the comment by its id
    if not held:
        notify.comment_published(comment, text=rendered.text)
    # A signed-in customer's POST costs this one more statement (an INSERT that does
    # nothing when they follow already): they see the thread followed on the page the
    # redirect shows. A guest's costs nothing more.
    follow_after_commenting(author, comment)
    return comment


def _commit_keeping_loaded() -> None:
    """Commit without expiring what the session holds: the view reads the new comment
    (its status, thread and post) right after to redirect to it, and these are the values
    just written, so reloading them would be two more queries on every post."""
    session = db.session()
    session.expire_on_commit = False
    try:
        db.session.commit()
    finally:
        session.expire_on_commit = True


def edit_comment(comment: Comment, body: str, may_edit: bool, now: datetime | None = None):
    """Replace the text of one's own comment inside the edit window; marked as edited."""
    if not may_edit:
        minutes = site_settings()["COMMENT_EDIT_MINUTES"]
        raise EditNotAllowed(
            f"Comments can be edited for {minutes} minutes after posting, by their author."
        )
    body = body.strip()
    html = check_body(body).html
    if body != comment.body_source:
        comment.body_source = body
        comment.body_html = html
        comment.edited_at = now or utcnow()
        db.session.commit()
    return comment


def delete_own_comment(comment: Comment, by: User | None, may_delete: bool) -> None:
    """The author takes their comment down; replies keep their place under a placeholder."""
    if not may_delete:
        raise EditNotAllowed("Only the author can delete this comment.")
    comment.status = CommentStatus.REMOVED.value
    comment.removed_at = utcnow()
    comment.removed_by = by
    comment.removal_reason = "Deleted by its author"
    db.session.commit()
