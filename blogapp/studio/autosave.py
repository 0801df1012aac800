"""Autosave: the editor's background saves, and the aside copies kept for live posts."""

import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.models import Post, Revision, RevisionKind, User
from blogapp.models.base import utcnow
from blogapp.studio.drafts import PostDraft, check_draft
from blogapp.studio.editing import EditConflict, save_post


def autosave_draft(
    post: Post | None, draft: PostDraft, editor: User, base_version: int | None
) -> tuple[Post, bool]:
    """Save a draft in the background; returns (post, kept_aside).

    A post readers can see is not changed by an autosave: the text is kept
    aside as a pending revision until its writer saves for real.
    """
    now = utcnow()
    if post is None or not post.is_visible(now):
        return save_post(post, draft, editor, base_version, kind=RevisionKind.AUTOSAVED), False
    if base_version != post.version:
        raise EditConflict(post, draft, base_version or 0)
    check_draft(draft, "save", None, now)
    pending = pending_revision(post, editor)
    if (post.title, post.body_source) == (draft.title.strip(), draft.body):
        if pending is not None:
            db.session.delete(pending)
            db.session.commit()
        return post, False
    if pending is None:
        pending = Revision(post=post, author_id=editor.id, kind=RevisionKind.PENDING.value)
        db.session.add(pending)
    pending.title, pending.body_source = draft.title.strip(), draft.body
    pending.version, pending.created_at = post.version, now
    db.session.commit()
    return post, True


def pending_revision(post: Post, editor: User) -> Revision | None:
    """``editor``'s autosaved, unpublished changes to a live post, if any."""
    return db.session.scalar(
        sa.select(Revision)
        .where(
            Revision.post_id == post.id,
            Revision.author_id == editor.id,
            Revision.kind == RevisionKind.PENDING.value,
        )
        .order_by(Revision.id.desc())
        .limit(1)
    )
