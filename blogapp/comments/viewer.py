"""Who is looking at a thread, and what they may do with each comment."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, request
from flask_login import current_user

from blogapp.comments.guests import GuestIdentity, guest_identity
from blogapp.models import Comment, CommentStatus, Role
from blogapp.models.base import utcnow


@dataclass(frozen=True)
class Viewer:
    user: object  # a User, or the anonymous Guest
    guest: GuestIdentity
    now: datetime
    edit_window: timedelta

    @property
    def is_moderator(self) -> bool:
        return self.user.is_authenticated and self.user.has_role(Role.MODERATOR, Role.ADMIN)

    @property
    def sees_public_page(self) -> bool:
        """Nothing on the thread depends on who this is: the cached rendering serves them."""
        return not self.user.is_authenticated and not self.guest.comment_ids

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user.is_authenticated else None

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
            self.user.is_authenticated
            and not self.owns(comment)
            and comment.status == CommentStatus.PUBLISHED
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
    minutes = current_app.config["COMMENT_EDIT_MINUTES"]
    return Viewer(current_user, guest_identity(request), utcnow(), timedelta(minutes=minutes))
