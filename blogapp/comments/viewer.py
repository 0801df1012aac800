"""Who is looking at a thread, and what they may do with each comment.

Built once a request from plain values, so drawing hundreds of comments asks
nothing of the request-bound proxies.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import request
from flask_login import current_user

from blogapp.comments.guests import GuestIdentity, guest_identity
from blogapp.models import Comment, CommentStatus
from blogapp.models.base import utcnow
from blogapp.sitesettings.store import site_settings


@dataclass(frozen=True)
class Viewer:
    user_id: int | None
    is_moderator: bool
    guest: GuestIdentity
    now: datetime
    edit_window: timedelta

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def sees_public_page(self) -> bool:
        """Nothing on the thread depends on who this is."""
        return self.user_id is None and not self.guest.comment_ids

    def owns(self, comment: Comment) -> bool:
        if comment.author_id is not None:
            return comment.author_id == self.user_id
        return comment.id in self.guest.comment_ids

    def can_edit(self, comment: Comment) -> bool:
        return (
            self.owns(comment)
            and comment.status in (CommentStatus.PUBLISHED, CommentStatus.HELD)
            and self.now - comment.created_at <= self.edit_window
        )

    def can_delete(self, comment: Comment) -> bool:
        return self.owns(comment) and comment.status in (
            CommentStatus.PUBLISHED,
            CommentStatus.HELD,
        )

    def can_flag(self, comment: Comment) -> bool:
        return (
            self.user_id is not None
            and comment.status == CommentStatus.PUBLISHED
            and not self.owns(comment)
        )

    def can_see(self, comment: Comment) -> bool:
        """Whether this viewer may open the comment's permalink."""
        if comment.status == CommentStatus.PUBLISHED:
            return True
        if comment.status == CommentStatus.HELD:
            return self.owns(comment) or self.is_moderator
        return self.is_moderator


def current_viewer() -> Viewer:
    """The viewer of the current request."""
    minutes = site_settings()["COMMENT_EDIT_MINUTES"]
    signed_in = current_user.is_authenticated
    return Viewer(
        user_id=current_user.id if signed_in else None,
        is_moderator=current_user.is_moderator,
        guest=guest_identity(request),
        now=utcnow(),
        edit_window=timedelta(minutes=minutes),
    )
