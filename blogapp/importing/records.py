"""What an importer reads from another system's export, before Parley touches the database.

A reader (``wordpress.py``, ``disqus.py``) turns a file into a stream of these records and
reports each element it had to skip; the writer matches the records against the site and
either counts what it would do (a dry run) or does it. Every record carries the id the
other system gave it, so a second run can tell what the site already holds.

Times are naive UTC, as every timestamp column stores them. Text is already decoded:
entities resolved, CDATA unwrapped. Bodies are the other system's HTML; turning them into
Markdown source is the writer's job, so that both readers share it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Source = Literal["wordpress", "disqus"]
PostKind = Literal["post", "page"]
PostState = Literal["published", "draft", "scheduled", "private"]
CommentState = Literal["published", "held", "spam", "trash", "deleted"]
CommentKind = Literal["comment", "pingback", "trackback", "note"]


@dataclass(frozen=True, slots=True)
class SourceAuthor:
    """A person who wrote posts on the old site (WordPress ``wp:author``)."""

    source: Source
    source_id: str
    login: str
    display_name: str
    email: str = ""


@dataclass(frozen=True, slots=True)
class SourcePost:
    """A post or page of the old site (WordPress ``item`` of type post or page)."""

    source: Source
    source_id: str
    kind: PostKind
    title: str
    slug: str
    state: PostState
    published_at: datetime | None
    body_html: str
    excerpt_html: str
    author_login: str
    tags: tuple[str, ...] = ()
    links: tuple[str, ...] = ()  # the addresses it had: permalink, guid, ``/?p=ID``
    comments_open: bool = True


@dataclass(frozen=True, slots=True)
class SourceThread:
    """A Disqus thread: comments about a page, found on this site by its link."""

    source: Source
    source_id: str
    link: str
    title: str = ""


@dataclass(frozen=True, slots=True)
class SourceComment:
    """A comment, pingback or trackback on a post or thread of the old site."""

    source: Source
    source_id: str
    thread_source_id: str  # a SourcePost's (WordPress) or SourceThread's (Disqus) source_id
    parent_source_id: str | None
    created_at: datetime
    body_html: str
    author_name: str
    author_email: str = ""
    author_url: str = ""
    author_login: str | None = None  # a SourceAuthor's login when a site user wrote it
    # The other system vouched for author_email (a signed-in Disqus account, not an
    # address a guest typed): the writer may take it for an employee's.
    author_verified: bool = False
    state: CommentState = "published"
    kind: CommentKind = "comment"


@dataclass(frozen=True, slots=True)
class Skipped:
    """An element a reader could not use, reported with where it was and why."""

    line: int | None
    element: str
    reason: str


Record = SourceAuthor | SourcePost | SourceThread | SourceComment
