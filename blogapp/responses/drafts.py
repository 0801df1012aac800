"""Replies kept as drafts: what an employee wrote by mail to a comment someone else had
answered meanwhile. Shown to them at the top of their queue with the text in a reply
box; gone once they reply to that comment or discard it."""

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from blogapp.extensions import db
from blogapp.models import Comment, ReplyDraft, User
from blogapp.models.base import utcnow

# A draft longer than a comment may be is kept whole; the reply box shows it and the
# comment rules say what to cut.
DRAFT_LIMIT = 100_000


def keep_draft(comment: Comment, employee: User, body: str, source: str = "mail") -> ReplyDraft:
    """Keep ``body`` as ``employee``'s draft reply to ``comment`` (replacing an older one);
    not committed."""
    draft = db.session.scalar(
        sa.select(ReplyDraft).where(
            ReplyDraft.comment_id == comment.id, ReplyDraft.employee_id == employee.id
        )
    )
    if draft is None:
        draft = ReplyDraft(comment_id=comment.id, employee_id=employee.id, body="")
        db.session.add(draft)
    draft.body, draft.source, draft.created_at = body[:DRAFT_LIMIT], source, utcnow()
    return draft


def drafts_of(employee: User) -> list[ReplyDraft]:
    """``employee``'s drafts (the newest 50), newest first, with their comments and posts
    (one query)."""
    return list(
        db.session.scalars(
            sa.select(ReplyDraft)
            .options(joinedload(ReplyDraft.comment).joinedload(Comment.post))
            .where(ReplyDraft.employee_id == employee.id)
            .order_by(ReplyDraft.created_at.desc(), ReplyDraft.id.desc())
            .limit(50)
        )
    )


def discard_draft(comment_id: int, employee: User) -> bool:
    """Forget ``employee``'s draft for the comment (not committed); whether there was one."""
    result = db.session.execute(
        sa.delete(ReplyDraft).where(
            ReplyDraft.comment_id == comment_id, ReplyDraft.employee_id == employee.id
        )
    )
    return bool(result.rowcount)
