"""Everything a drawn comment shows, worked out once in Python.

A thread page draws hundreds of comments; handing the template plain values
(instead of ORM objects, filters and permission calls for it to evaluate per
comment) keeps a 500-comment page fast.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import get_template_attribute, url_for
from markupsafe import Markup

from blogapp.comments.cache import cache
from blogapp.comments.slots import keep
from blogapp.comments.threads import Thread
from blogapp.comments.viewer import Viewer
from blogapp.models import CommentStatus
from blogapp.responses.public import public_answers
from blogapp.sitesettings.store import site_settings
from blogapp.templating import iso_time, time_ago


class CommentLinks:
    """Addresses for every comment, built from one url_for each instead of one a comment."""

    _MARK = 987654321

    def __init__(self):
        self.reply = self._pattern("comments.reply")
        self.edit = self._pattern("comments.edit")
        self.flag = self._pattern("comments.flag")
        self.remove = self._pattern("moderation.remove")
        self.private = self._pattern("private.take")
        self._authors: dict[str, str] = {}

    def _pattern(self, endpoint: str) -> str:
        return url_for(endpoint, comment_id=self._MARK).replace(str(self._MARK), "{}")

    def author(self, slug: str) -> str:
        if slug not in self._authors:
            self._authors[slug] = url_for("blog.author", slug=slug)
        return self._authors[slug]


@dataclass(frozen=True, slots=True)
class CommentView:
    """A comment as the page draws it; frozen and hashable, so its drawing is cached on it
    (drawn_comments: the same values always draw the same HTML)."""

    id: int
    status: str
    author_name: str
    author_url: str | None  # employees only: their public profile
    job_title: str | None
    iso: str
    when: str
    ago: str
    edited_when: str | None
    replying_to: str | None
    parent_id: int | None
    body_html: str
    reply_url: str | None
    edit_url: str | None
    edit_label: str
    flag_url: str | None
    remove_url: str | None
    answer: object = None  # responses.public.PublicAnswer: "Answered by …"
    private_url: str | None = None  # moderators: "Take to private support" (blogapp/private)
    kept: tuple[str, str] = ("", "")  # slot marks around the Report link (own_slots)
    helped: tuple[str, str] = ("", "")  # the (empty) slot for "Did this answer …?" buttons


@functools.lru_cache(maxsize=8192)
def _when(value: datetime, zone: ZoneInfo) -> str:
    local = value.replace(tzinfo=UTC).astimezone(zone)
    return f"{local:%B} {local.day}, {local.year} at {local:%H:%M}"


def own_slot(comment_id: int) -> str:
    """The slot where the shared reader drawing holds a comment's Report link."""
    return f"own-{comment_id}"


def helped_slot(comment_id: int) -> str:
    """The slot under a comment's answer where its author gets "Did this answer …?"."""
    return f"helped-{comment_id}"


def present_thread(thread: Thread, viewer: Viewer, closed: bool, own_slots: bool = False) -> None:
    """Give every node of ``thread`` its ``view``; with ``own_slots`` (the drawing shared by
    signed-in readers) an account's comment keeps its Report link in a slot, for the
    reader who wrote it to get their Edit link there instead."""
    links = CommentLinks()
    zone = ZoneInfo(site_settings()["SITE_TIMEZONE"])
    answers = public_answers(node.comment.id for node in thread.walk())
    for node in thread.walk():
        c = node.comment
        author = c.author
        staff = c.by_employee
        published = c.status == CommentStatus.PUBLISHED
        replying_to = None
        if node.depth > node.indent and node.parent is not None:
            parent = node.parent.comment
            removed = parent.status == CommentStatus.REMOVED
            replying_to = "a removed comment" if removed else parent.author_name
        may_edit = viewer.can_edit(c)
        flag_url = links.flag.format(c.id) if viewer.can_flag(c) else None
        node.view = CommentView(
            id=c.id,
            status=c.status,
            author_name=author.display_name if author is not None else (c.guest_name or "Guest"),
            author_url=links.author(author.slug) if staff else None,
            job_title=author.job_title if staff else None,
            iso=iso_time(c.created_at),
            when=_when(c.created_at, zone),
            ago=time_ago(c.created_at),
            edited_when=_when(c.edited_at, zone) if c.edited_at else None,
            replying_to=replying_to,
            parent_id=c.parent_id,
            body_html=c.body_html,
            reply_url=links.reply.format(c.id) if published and not closed else None,
            edit_url=links.edit.format(c.id) if may_edit or viewer.can_delete(c) else None,
            edit_label="Edit" if may_edit else "Delete",
            flag_url=flag_url,
            remove_url=links.remove.format(c.id) if viewer.is_moderator else None,
            answer=answers.get(c.id) if published else None,
            private_url=links.private.format(c.id)
            if viewer.is_moderator and published and not staff and c.id not in answers
            else None,
            kept=keep(own_slot(c.id)) if own_slots and c.author_id and flag_url else ("", ""),
            helped=_helped_marks(c, viewer, own_slots, published and c.id in answers),
        )


def drawn_comments() -> Callable[[CommentView, str], Markup]:
    """What draws a comment's own part of the thread (blog/_comment_body.html), each once
    for its values: a thread drawn again after a new comment draws only what changed."""
    drawings = cache("comments")

    def drawn(view: CommentView, company: str) -> Markup:
        key = (view, company)
        html = drawings.get(key)
        if html is None:
            html = get_template_attribute(_BODY, "comment_body")(view, company)
            drawings.put(key, html)
        return html

    return drawn


_BODY = "blog/_comment_body.html"


def _helped_marks(comment, viewer: Viewer, own_slots: bool, answered: bool) -> tuple[str, str]:
    """An empty slot under an account's answered comment, in a drawing its author may see
    (shared by readers, or their own): the buttons are per viewer (comments/section.py)."""
    if not answered or comment.author_id is None:
        return ("", "")
    if own_slots or comment.author_id == viewer.user_id:
        return keep(helped_slot(comment.id))
    return ("", "")
