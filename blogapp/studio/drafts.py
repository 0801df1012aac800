"""What the editor's form says a post should be, and whether it can be saved as it is.

Everything here reads the draft without changing the database, so the editor's form,
autosave and the API can check a draft (and render it) before ``editing.save_post``
touches the post; StudioError is how any of them says what the form must fix.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from blogapp.markup import RenderRefused, make_excerpt, render_post
from blogapp.models import Post
from blogapp.models.base import slugify

MAX_TAGS = 10
ACTIONS = ("save", "publish", "schedule", "unpublish")


class StudioError(ValueError):
    """A save that cannot be carried out; ``field`` names the form field to blame."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class PostDraft:
    """What the editor's form says a post should be."""

    title: str
    body: str
    slug: str = ""
    tags: str = ""
    excerpt: str = ""
    comments_open: bool = True

    def tag_names(self) -> list[str]:
        """The tags typed, once each (by slug), in the order typed."""
        names: dict[str, str] = {}
        for name in (t.strip() for t in self.tags.split(",")):
            if name:
                names.setdefault(slugify(name) or name, name)
        return list(names.values())


def tags_text(post: Post) -> str:
    return ", ".join(t.name for t in post.tags)


def draft_from_post(post: Post) -> PostDraft:
    """The form's view of a stored post; an excerpt made from the body shows as empty."""
    try:
        auto = post.excerpt == make_excerpt(post.body_source)
    except RenderRefused:
        auto = False  # shown as typed; saving it again renders (or refuses) the body
    return PostDraft(
        title=post.title,
        body=post.body_source,
        slug=post.slug,
        tags=tags_text(post),
        excerpt="" if auto else post.excerpt,
        comments_open=post.comments_open,
    )


def check_body_length(body: str) -> None:
    """Refuse a body longer than POST_MAX_LENGTH (line breaks counted as one character)."""
    limit, length = current_app.config["POST_MAX_LENGTH"], len(body.replace("\r\n", "\n"))
    if length > limit:
        raise StudioError(
            f"A post can be at most {limit:,} characters; this one has {length:,}.", "body"
        )


def check_draft(draft: PostDraft, action: str, publish_at: datetime | None, now: datetime) -> None:
    if action not in ACTIONS:
        raise StudioError("That button is not one the editor knows.")
    if not draft.title.strip():
        raise StudioError("A post needs a title.", "title")
    if len(draft.tag_names()) > MAX_TAGS:
        raise StudioError(f"At most {MAX_TAGS} tags, please.", "tags")
    if any(len(name) > 40 or not slugify(name) for name in draft.tag_names()):
        raise StudioError("Each tag needs a letter or digit and at most 40 characters.", "tags")
    check_body_length(draft.body)
    if action in ("publish", "schedule") and not draft.body.strip():
        raise StudioError("Write something before publishing.", "body")
    if action == "schedule":
        if publish_at is None:
            raise StudioError("Choose the date and time to publish at.", "publish_at")
        if publish_at <= now:
            raise StudioError(
                "That time has already passed. Choose a later one, or publish now.", "publish_at"
            )


@dataclass
class Rendered:
    """The draft's body HTML (None when the post's stays) and excerpt."""

    body_html: str | None
    excerpt: str


def render_draft(draft: PostDraft, post: Post | None) -> Rendered:
    """Render what the save will store, before anything changes; StudioError if refused."""
    try:
        body_html = None
        if post is None or post.body_source != draft.body or not post.body_html:
            body_html = render_post(draft.body)
        return Rendered(body_html, draft.excerpt.strip() or make_excerpt(draft.body))
    except RenderRefused as error:
        raise StudioError(str(error), "body") from None
