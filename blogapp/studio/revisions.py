"""A post's history: its revisions, what changed since one, and bringing one back."""

import difflib
from dataclasses import dataclass

import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.models import Post, Revision, RevisionKind, User
from blogapp.studio.drafts import PostDraft, StudioError, draft_from_post
from blogapp.studio.editing import save_post

KIND_LABELS = {
    RevisionKind.SAVED: "Saved",
    RevisionKind.AUTOSAVED: "Autosaved",
    RevisionKind.RESTORED: "Restored",
    RevisionKind.PENDING: "Autosaved, not yet live",
}


@dataclass(frozen=True)
class DiffLine:
    """A diff line: ``op`` is ' ' (same), '-' (only in the old text), '+' (only in the new)."""

    op: str
    old_number: int | None
    new_number: int | None
    text: str


@dataclass(frozen=True)
class TextDiff:
    title_changed: bool
    old_title: str
    new_title: str
    hunks: list[list[DiffLine]]
    added: int
    removed: int

    @property
    def same(self) -> bool:
        return not self.title_changed and not self.hunks


def revisions_of(post: Post) -> list[Revision]:
    """Every revision of ``post``, newest first."""
    return list(
        db.session.scalars(
            sa.select(Revision).where(Revision.post_id == post.id).order_by(Revision.id.desc())
        )
    )


def revision_of(post: Post, revision_id: int) -> Revision | None:
    """One revision of ``post``; None for another post's revision."""
    revision = db.session.get(Revision, revision_id)
    return revision if revision is not None and revision.post_id == post.id else None


def diff_texts(old_title: str, old_body: str, new_title: str, new_body: str) -> TextDiff:
    """A line diff of two bodies, in hunks with three lines of context, plus the titles."""
    old_lines, new_lines = old_body.splitlines(), new_body.splitlines()
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    hunks, added, removed = [], 0, 0
    for group in matcher.get_grouped_opcodes(3):
        hunk = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                hunk += [
                    DiffLine(" ", i + 1, j + 1, old_lines[i])
                    for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
                ]
                continue
            hunk += [DiffLine("-", i + 1, None, old_lines[i]) for i in range(i1, i2)]
            hunk += [DiffLine("+", None, j + 1, new_lines[j]) for j in range(j1, j2)]
            removed += i2 - i1
            added += j2 - j1
        hunks.append(hunk)
    return TextDiff(old_title != new_title, old_title, new_title, hunks, added, removed)


def diff_with_current(revision: Revision, post: Post) -> TextDiff:
    """What changed from ``revision`` to the post's current text."""
    return diff_texts(revision.title, revision.body_source, post.title, post.body_source)


def restore_revision(post: Post, revision: Revision, editor: User, base_version: int) -> Post:
    """Make ``revision``'s title and body the current text again, as a new revision."""
    if (revision.title, revision.body_source) == (post.title, post.body_source):
        raise StudioError("That revision is the same as the current text; nothing to restore.")
    current = draft_from_post(post)
    draft = PostDraft(
        title=revision.title,
        body=revision.body_source,
        slug=post.slug,
        tags=current.tags,
        excerpt=current.excerpt,
        comments_open=post.comments_open,
    )
    return save_post(
        post, draft, editor, base_version, kind=RevisionKind.RESTORED, restored_from=revision
    )
