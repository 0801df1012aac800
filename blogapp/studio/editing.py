"""Writing a post: save, publish, schedule, unpublish, with revisions and optimistic locking.

The draft itself (PostDraft, its checks and its rendering) is in drafts.py; this module
changes the post: its address, status, tags and history, committed in one transaction.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from blogapp.contentio.services import get_or_create_tags
from blogapp.extensions import db
from blogapp.models import Post, PostStatus, Revision, RevisionKind, SlugRedirect, User
from blogapp.models.base import slugify, utcnow
from blogapp.studio.drafts import PostDraft, Rendered, StudioError, check_draft, render_draft

# Autosaves by one person within this time of their last autosave share a revision,
# so a long sitting leaves one entry in the history, not hundreds.
AUTOSAVE_MERGE_WINDOW = timedelta(minutes=10)


class EditConflict(Exception):
    """Someone saved the post after the version this save was based on."""

    def __init__(self, post: Post, draft: PostDraft, base_version: int):
        super().__init__(f"post {post.id} is at version {post.version}, not {base_version}")
        self.post = post
        self.draft = draft
        self.base_version = base_version


def _slug_owner(slug: str) -> tuple[int | None, int | None]:
    """(id of the post with this slug, id of the post an old address ``slug`` redirects to)."""
    post_id = db.session.scalar(sa.select(Post.id).where(Post.slug == slug))
    redirect_id = db.session.scalar(
        sa.select(SlugRedirect.post_id).where(SlugRedirect.old_slug == slug)
    )
    return post_id, redirect_id


def _slug_is_free(slug: str, post: Post | None) -> bool:
    own = post.id if post is not None else None
    return all(owner in (None, own) for owner in _slug_owner(slug))


def _choose_slug(draft: PostDraft, post: Post | None) -> str:
    """The slug typed (cleaned), or one made from the title; refuses one in use elsewhere."""
    typed = draft.slug.strip()
    if typed:
        slug = slugify(typed, max_length=120)
        if not slug:
            raise StudioError("The address needs at least one letter or digit.", "slug")
        if not _slug_is_free(slug, post):
            raise StudioError(
                f"The address “{slug}” is already used by another post. Choose another.", "slug"
            )
        return slug
    base = slugify(draft.title, max_length=110) or "post"
    slug, n = base, 1
    while not _slug_is_free(slug, post):
        n += 1
        slug = f"{base}-{n}"
    return slug


def _apply_status(post: Post, action: str, publish_at: datetime | None, now: datetime) -> None:
    if action == "publish":
        if not post.is_visible(now):
            post.published_at = now
        post.status = PostStatus.PUBLISHED.value
    elif action == "schedule":
        post.status = PostStatus.SCHEDULED.value
        post.published_at = publish_at
    elif action == "unpublish":
        post.status = PostStatus.DRAFT.value
        post.published_at = None


def _move_slug(post: Post, new_slug: str, was_public: bool) -> None:
    """Change the slug; a public post's old address keeps answering with a redirect."""
    if new_slug == post.slug:
        return
    db.session.execute(
        sa.delete(SlugRedirect).where(
            SlugRedirect.old_slug == new_slug, SlugRedirect.post_id == post.id
        )
    )
    if was_public:
        db.session.add(SlugRedirect(old_slug=post.slug, post=post))
    post.slug = new_slug


def _record_revision(
    post: Post, editor: User, kind: RevisionKind, now: datetime, restored_from: Revision | None
) -> None:
    latest = db.session.scalar(
        sa.select(Revision)
        .where(Revision.post_id == post.id, Revision.kind != RevisionKind.PENDING.value)
        .order_by(Revision.id.desc())
        .limit(1)
    )
    if (
        kind is RevisionKind.AUTOSAVED
        and latest is not None
        and latest.kind == RevisionKind.AUTOSAVED
        and latest.author_id == editor.id
        and now - latest.created_at < AUTOSAVE_MERGE_WINDOW
    ):
        latest.title, latest.body_source, latest.version = (
            post.title,
            post.body_source,
            post.version,
        )
        latest.created_at = now
        return
    db.session.add(
        Revision(
            post=post,
            author_id=editor.id,
            kind=kind.value,
            version=post.version,
            title=post.title,
            body_source=post.body_source,
            restored_from_id=restored_from.id if restored_from else None,
            created_at=now,
        )
    )


def _apply(
    post: Post,
    draft: PostDraft,
    rendered: Rendered,
    slug: str,
    action: str,
    publish_at: datetime | None,
    now,
) -> bool:
    """Copy the draft onto the post; True when the title or body changed."""
    was_public = post.id is not None and post.is_visible(now)
    text_changed = (post.title, post.body_source) != (draft.title.strip(), draft.body)
    post.title = draft.title.strip()
    if rendered.body_html is not None:
        post.body_source = draft.body
        post.body_html = rendered.body_html
    post.excerpt = rendered.excerpt
    post.comments_open = draft.comments_open
    if post.slug != slug:
        _move_slug(post, slug, was_public)
    names = sorted(slugify(n) for n in draft.tag_names())
    if names != sorted(t.slug for t in post.tags):
        post.tags = get_or_create_tags(draft.tag_names())
    _apply_status(post, action, publish_at, now)
    return text_changed


def save_post(
    post: Post | None,
    draft: PostDraft,
    editor: User,
    base_version: int | None,
    action: str = "save",
    publish_at: datetime | None = None,
    kind: RevisionKind = RevisionKind.SAVED,
    now: datetime | None = None,
    restored_from: Revision | None = None,
) -> Post:
    """Save the editor's form (creating the post when ``post`` is None) and commit.

    Raises EditConflict when the post has moved past ``base_version``, and
    StudioError for anything the form must fix; nothing is changed then.
    """
    now = now or utcnow()
    if post is not None and base_version != post.version:
        raise EditConflict(post, draft, base_version or 0)
    check_draft(draft, action, publish_at, now)
    slug = _choose_slug(draft, post)
    rendered = render_draft(draft, post)
    is_new = post is None
    if is_new:
        post = Post(author_id=editor.id, slug=slug, version=1, body_html="", status="draft")
        db.session.add(post)
    with db.session.no_autoflush:
        before = (post.slug, post.excerpt, post.comments_open, post.status, post.published_at)
        tags_before = [t.id for t in post.tags]
        text_changed = _apply(post, draft, rendered, slug, action, publish_at, now)
        after = (post.slug, post.excerpt, post.comments_open, post.status, post.published_at)
    changed = is_new or text_changed or before != after or tags_before != [t.id for t in post.tags]
    if changed and not is_new:
        post.version += 1
        post.updated_at = now
    try:
        db.session.flush()
        if is_new or text_changed:
            _record_revision(post, editor, kind, now, restored_from)
        if kind is not RevisionKind.AUTOSAVED:
            _drop_pending(post, editor)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise StudioError(
            "Another save happened at the same moment (perhaps taking this address). "
            "Your text is below: please save again.",
            "slug",
        ) from None
    return post


def _drop_pending(post: Post, editor: User) -> None:
    """A person's explicit save supersedes their unpublished autosaves of a live post."""
    db.session.execute(
        sa.delete(Revision).where(
            Revision.post_id == post.id,
            Revision.author_id == editor.id,
            Revision.kind == RevisionKind.PENDING.value,
        )
    )
