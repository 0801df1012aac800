"""The WordPress reader: a WXR export (versions 1.0 to 1.2) as import records.

WXR is RSS 2.0 with WordPress's elements in a namespace that names the format's version
(``http://wordpress.org/export/1.2/``; some sites write ``https://`` or drop the
trailing slash), so it is matched by its ``/export/1.x`` ending, never by the exact URI
(``wxr_fields.py`` reads elements that way, and their text and dates).
The channel lists the authors (``wp:author``, from 1.1 on; a 1.0 file names them only
in each item's ``dc:creator``), then each ``item`` holds a post, page or attachment with
its ``wp:comment``s.

Dates: ``*_date_gmt`` is UTC; when it is missing or ``0000-00-00 00:00:00`` (drafts,
old comments) the local ``*_date`` is read in the site's time zone, which the export
does not carry: the caller passes it (``site_timezone``). Names and titles have their
HTML entities decoded (WordPress stores ``Ren&eacute;``). Nothing is decided here but
what the file says: spam, pingbacks and notes are handed on with their state and kind,
and the writer chooses what to keep.

The file is read by ``xml_stream``, one ``item`` or ``wp:author`` (inside ``rss/channel``)
at a time: a broken one (a bare ``&``, an unclosed tag, an undefined entity like
``&eacute;`` outside CDATA, bytes that are not UTF-8) is reported with its line and
skipped, and every element after it is read exactly as written.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from datetime import UTC, tzinfo
from typing import BinaryIO

from lxml import etree

from blogapp.importing.records import (
    CommentState,
    PostState,
    Record,
    Skipped,
    SourceAuthor,
    SourceComment,
    SourcePost,
)
from blogapp.importing.wxr_fields import fields_of, kind_of, text, utc_time
from blogapp.importing.xml_stream import (
    ParseProblem,
    RecordElement,
    TooBroken,
    local_name,
    read_records,
)

SOURCE = "wordpress"
_RECORD_NAMES = frozenset({"item", "author"})  # wp:author; both inside rss/channel
_RECORD_DEPTH = 3

POST_STATES: dict[str, PostState] = {
    "publish": "published",
    "future": "scheduled",
    "draft": "draft",
    "pending": "draft",
    "auto-draft": "draft",
    "private": "private",
}
COMMENT_STATES: dict[str, CommentState] = {
    "1": "published",
    "approve": "published",
    "0": "held",
    "hold": "held",
    "spam": "spam",
    "trash": "trash",
    "post-trashed": "trash",
}
COMMENT_KINDS = {"": "comment", "comment": "comment", "pingback": "pingback",
                 "trackback": "trackback", "note": "note"}  # fmt: skip


class _Reader:
    def __init__(self, skipped: Callable[[Skipped], None], site_timezone: tzinfo):
        self.skipped = skipped
        self.site_timezone = site_timezone
        self.login_by_user_id: dict[str, str] = {}
        self.base_url = ""
        # The file's line less the parser's (a new parser follows each broken element).
        self.line_shift = 0

    def skip(self, element: etree._Element, what: str, reason: str) -> None:
        line = (element.sourceline or 0) + self.line_shift
        self.skipped(Skipped(line=line, element=what, reason=reason))

    def author(self, element: etree._Element) -> SourceAuthor | None:
        f = fields_of(element)
        login = html.unescape(text(f.get("wp:author_login"))).strip()
        if not login:
            self.skip(element, "wp:author", "no author_login")
            return None
        user_id = text(f.get("wp:author_id")).strip()
        if user_id:
            self.login_by_user_id[user_id] = login
        name = html.unescape(text(f.get("wp:author_display_name"))).strip()
        return SourceAuthor(
            source=SOURCE,
            source_id=login,
            login=login,
            display_name=name or login,
            email=text(f.get("wp:author_email")).strip(),
        )

    def item(self, element: etree._Element) -> Iterator[Record]:
        f = fields_of(element)
        post_id = text(f.get("wp:post_id")).strip()
        post_type = text(f.get("wp:post_type")).strip() or "post"
        status = text(f.get("wp:status")).strip()
        if not post_id.isdigit():
            self.skip(element, "item", "no wp:post_id")
            return
        if post_type not in ("post", "page"):
            self.skip(element, "item", f"post {post_id}: not a post or page but {post_type!r}")
            return
        if status not in POST_STATES:
            self.skip(element, "item", f"post {post_id}: status {status or 'missing'}")
            return
        yield self.post(element, f, post_id, post_type, POST_STATES[status])
        for child in element:
            if kind_of(child) == "wp:comment":
                comment = self.comment(child, post_id)
                if comment is not None:
                    yield comment

    def post(self, element, f, post_id: str, post_type, state: PostState) -> SourcePost:
        title = html.unescape(text(f.get("title"))).strip()
        tags = []
        for child in element:
            if kind_of(child) == "category" and child.get("domain") in ("category", "post_tag"):
                name = html.unescape(text(child)).strip()
                if name and name not in tags:
                    tags.append(name)
        query = "page_id" if post_type == "page" else "p"
        links = [text(f.get("link")).strip(), text(f.get("guid")).strip()]
        if self.base_url:
            links.append(f"{self.base_url}/?{query}={post_id}")
        return SourcePost(
            source=SOURCE,
            source_id=post_id,
            kind=post_type,
            title=title,
            slug=text(f.get("wp:post_name")).strip(),
            state=state,
            published_at=utc_time(
                text(f.get("wp:post_date_gmt")), text(f.get("wp:post_date")), self.site_timezone
            ),
            body_html=text(f.get("content:encoded")),
            excerpt_html=text(f.get("excerpt:encoded")),
            author_login=html.unescape(text(f.get("dc:creator"))).strip(),
            tags=tuple(tags),
            links=tuple(dict.fromkeys(link for link in links if link)),
            comments_open=text(f.get("wp:comment_status")).strip() != "closed",
        )

    def comment(self, element: etree._Element, post_id: str) -> SourceComment | None:
        f = fields_of(element)
        comment_id = text(f.get("wp:comment_id")).strip()
        if not comment_id.isdigit():
            self.skip(element, "wp:comment", f"post {post_id}: a comment without comment_id")
            return None
        where = f"comment {comment_id}"
        approved = text(f.get("wp:comment_approved")).strip()
        kind = text(f.get("wp:comment_type")).strip()
        if approved not in COMMENT_STATES:
            self.skip(element, "wp:comment", f"{where}: comment_approved {approved!r}")
            return None
        if kind not in COMMENT_KINDS:
            self.skip(element, "wp:comment", f"{where}: comment_type {kind!r}")
            return None
        created_at = utc_time(
            text(f.get("wp:comment_date_gmt")), text(f.get("wp:comment_date")), self.site_timezone
        )
        if created_at is None:
            self.skip(element, "wp:comment", f"{where}: no readable comment_date")
            return None
        parent = text(f.get("wp:comment_parent")).strip()
        user_id = text(f.get("wp:comment_user_id")).strip()
        return SourceComment(
            source=SOURCE,
            source_id=comment_id,
            thread_source_id=post_id,
            parent_source_id=parent if parent not in ("", "0") else None,
            created_at=created_at,
            body_html=text(f.get("wp:comment_content")),
            author_name=html.unescape(text(f.get("wp:comment_author"))).strip(),
            author_email=text(f.get("wp:comment_author_email")).strip(),
            author_url=text(f.get("wp:comment_author_url")).strip(),
            author_login=self.login_by_user_id.get(user_id) if user_id not in ("", "0") else None,
            state=COMMENT_STATES[approved],
            kind=COMMENT_KINDS[kind],
        )


def read(
    stream: BinaryIO, skipped: Callable[[Skipped], None], *, site_timezone: tzinfo = UTC
) -> Iterator[Record]:
    """The authors, posts and comments of a WXR export, in file order."""
    reader = _Reader(skipped, site_timezone)
    try:
        for found in read_records(stream, _RECORD_NAMES, _stray(skipped), depth=_RECORD_DEPTH):
            element = found.element
            reader.line_shift = found.first_line - (element.sourceline or 0)
            if not reader.base_url:
                reader.base_url = _base_url(element)
            if found.problems:
                _report_broken(found, skipped)
            elif kind_of(element) == "wp:author":
                author = reader.author(element)
                if author is not None:
                    yield author
            elif kind_of(element) == "item":
                yield from reader.item(element)
    except TooBroken as error:
        skipped(Skipped(None, "xml", f"stopped reading: {error}"))


def _stray(skipped: Callable[[Skipped], None]) -> Callable[[ParseProblem], None]:
    def report(problem: ParseProblem) -> None:
        skipped(Skipped(problem.line, "xml", f"outside any item: {problem.message}"))

    return report


def _report_broken(found: RecordElement, skipped: Callable[[Skipped], None]) -> None:
    """A broken item or author, named by what of it was read before the break."""
    f, author = fields_of(found.element), local_name(found.element) == "author"
    name = text(f.get("wp:author_login" if author else "wp:post_id")).strip()[:40]
    label = ("wp:author" if author else "item") + (f" {name}" if name else "")
    problem = found.problems[0]
    skipped(Skipped(problem.line, "xml", f"{label}: {problem.message}"))


def _base_url(element: etree._Element) -> str:
    """The site's address, from the channel's ``wp:base_blog_url`` or ``link``, read
    beside the first item or author (the channel's header comes before both)."""
    channel = element.getparent()
    if channel is None:
        return ""
    found = fields_of(channel)
    url = text(found.get("wp:base_blog_url")) or text(found.get("link"))
    return url.strip().rstrip("/")
