"""Moderators' work on comments: approve, mark spam, remove with a reason; readers' flags."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from blogapp.comments import notify
from blogapp.comments.rules import CommentRejected
from blogapp.extensions import db
from blogapp.models import Comment, CommentStatus, Flag, FlagReason, Post, User
from blogapp.models.base import utcnow


class OwnComment(CommentRejected):
    def __init__(self):
        super().__init__("You can't report your own comment; edit or delete it instead.", "reason")


class AlreadyFlagged(CommentRejected):
    def __init__(self):
        super().__init__("You have already reported this comment; a moderator will look at it.")


def _resolve_flags(comment: Comment, moderator: User) -> None:
    db.session.execute(
        sa.update(Flag)
        .where(Flag.comment_id == comment.id, Flag.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolved_by_id=moderator.id)
    )


def approve_comment(comment: Comment, moderator: User) -> None:
    """Publish a held comment; its notifications go out now, not before."""
    if comment.status != CommentStatus.HELD:
        raise CommentRejected("Only a comment awaiting moderation can be approved.")
    comment.status = CommentStatus.PUBLISHED.value
    _resolve_flags(comment, moderator)
    notify.comment_published(comment)
    db.session.commit()


def mark_spam(comment: Comment, moderator: User) -> None:
    """Hide a comment as spam: it disappears from the page entirely."""
    comment.status = CommentStatus.SPAM.value
    comment.removed_at = utcnow()
    comment.removed_by = moderator
    comment.removal_reason = "Spam"
    _resolve_flags(comment, moderator)
    db.session.commit()


def remove_comment(comment: Comment, moderator: User, reason: str) -> None:
    """Take a comment down with a reason kept for moderators; replies keep their place."""
    reason = (reason or "").strip()
    if not reason:
        raise CommentRejected("Please give the reason for removing this comment.", "reason")
    comment.status = CommentStatus.REMOVED.value
    comment.removed_at = utcnow()
    comment.removed_by = moderator
    comment.removal_reason = reason[:500]
    _resolve_flags(comment, moderator)
    db.session.commit()


def keep_comment(comment: Comment, moderator: User) -> None:
    """The flags were unfounded: clear them and leave the comment up."""
    _resolve_flags(comment, moderator)
    db.session.commit()


def flag_comment(comment: Comment, reporter: User, reason: str, note: str | None) -> Flag:
    """A reader reports a comment for a moderator to look at."""
    if comment.status != CommentStatus.PUBLISHED:
        raise CommentRejected("This comment is no longer shown.")
    if comment.author_id is not None and comment.author_id == reporter.id:
        raise OwnComment()
    if reason not in set(FlagReason):
        raise CommentRejected("Please choose a reason.", "reason")
    flag = Flag(comment=comment, reporter=reporter, reason=reason, note=(note or "").strip()[:500])
    db.session.add(flag)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise AlreadyFlagged() from None
    return flag


def set_comments_open(post: Post, is_open: bool) -> None:
    """Open or close a post's comments by hand."""
    post.comments_open = is_open
    db.session.commit()


@dataclass
class FlaggedComment:
    comment: Comment
    flags: list[Flag]


def hold_reason(comment: Comment) -> str:
    """Why a comment waits for a moderator, in a few words for the queue."""
    if comment.author is None:
        return "a guest's first comment"
    return "waiting for approval"


def held_comments() -> list[Comment]:
    """Comments awaiting approval, oldest first."""
    return list(
        db.session.scalars(
            sa.select(Comment)
            .options(joinedload(Comment.post), joinedload(Comment.author))
            .where(Comment.status == CommentStatus.HELD.value)
            .order_by(Comment.created_at, Comment.id)
        )
    )


def flagged_comments() -> list[FlaggedComment]:
    """Published comments with unresolved flags, most reported first."""
    flags = db.session.scalars(
        sa.select(Flag)
        .join(Flag.comment)
        .options(
            joinedload(Flag.reporter),
            joinedload(Flag.comment).joinedload(Comment.post),
            joinedload(Flag.comment).joinedload(Comment.author),
        )
        .where(Flag.resolved_at.is_(None), Comment.status == CommentStatus.PUBLISHED.value)
        .order_by(Flag.created_at)
    ).all()
    grouped: dict[int, FlaggedComment] = {}
    for flag in flags:
        grouped.setdefault(flag.comment_id, FlaggedComment(flag.comment, [])).flags.append(flag)
    return sorted(grouped.values(), key=lambda f: -len(f.flags))
