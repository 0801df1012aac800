"""Moving out: the whole site as a WordPress export (WXR 1.2), written as it is read.

What WordPress's own importer (wordpress-importer's three parsers: SimpleXML, the XML
extension, and the regular-expression fallback) reads, written the way WordPress's
exporter writes it, because the fallback parser reads lines, not XML:

- the channel's ``wp:wxr_version`` 1.2, ``wp:base_site_url``, ``wp:base_blog_url``;
  one ``wp:author`` a line (everyone who wrote a post, and every employee who wrote a
  comment: ``comment_user_id`` points at them); one ``wp:tag`` a line;
- an ``item`` a post, ``<item>`` and ``</item>`` alone on their lines, with the element
  names and prefixes (``wp:``, ``dc:``, ``content:``, ``excerpt:``) the parsers look for
  literally, and its tags as ``<category domain="post_tag" nicename="…">``, the
  attributes in that order;
- free text in CDATA, a ``]]>`` inside split as WordPress splits it; characters XML
  forbids left out.

Dates: ``*_date`` in SITE_TIMEZONE (WordPress's local time), ``*_date_gmt`` in UTC; a
draft, never published, has WordPress's zero GMT date. Statuses: published → publish,
scheduled → future, draft → draft; a comment published → 1, held → 0, spam → spam,
removed → trash. A comment's IP is never exported (Parley keeps only a hash of it).

Posts are read a page at a time with their comments, so memory holds one page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Response, stream_with_context, url_for
from sqlalchemy.orm import selectinload

from blogapp.extensions import db
from blogapp.models import Comment, CommentStatus, Post, PostStatus, Tag, User
from blogapp.models.base import utcnow
from blogapp.sitesettings.store import site_settings

WXR_VERSION = "1.2"
PAGE = 200  # posts read at once
ZERO_DATE = "0000-00-00 00:00:00"
POST_STATUS = {
    PostStatus.PUBLISHED: "publish",
    PostStatus.SCHEDULED: "future",
    PostStatus.DRAFT: "draft",
}
COMMENT_APPROVED = {
    CommentStatus.PUBLISHED: "1",
    CommentStatus.HELD: "0",
    CommentStatus.SPAM: "spam",
    CommentStatus.REMOVED: "trash",
}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def cdata(text: str | None) -> str:
    """Text as WordPress's ``wxr_cdata`` writes it."""
    return "<![CDATA[" + _NOT_XML.sub("", text or "").replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _attribute(text: str) -> str:
    return escape(_NOT_XML.sub("", text), {'"': "&quot;"})


def _plain(text: str) -> str:
    return escape(_NOT_XML.sub("", text))


def wxr_lines() -> Iterator[str]:
    """The export, a few lines at a time (needs an app context and a way to build
    external URLs: SITE_URL, SERVER_NAME or a request)."""
    zone = ZoneInfo(site_settings()["SITE_TIMEZONE"])
    home = url_for("blog.index", _external=True)
    yield from _channel_head(home)
    for author in db.session.scalars(_authors()):
        yield _author(author)
    for tag in db.session.scalars(sa.select(Tag).order_by(Tag.id)):
        yield (
            f"\t<wp:tag><wp:term_id>{tag.id}</wp:term_id><wp:tag_slug>{cdata(tag.slug)}"
            f"</wp:tag_slug><wp:tag_name>{cdata(tag.name)}</wp:tag_name></wp:tag>\n"
        )
    yield "\t<generator>Parley</generator>\n"
    for posts, comments in _pages():
        for post in posts:
            yield from _item(post, comments.get(post.id, []), zone)
    yield "</channel>\n</rss>\n"


def _channel_head(home: str) -> Iterator[str]:
    now = format_datetime(datetime.now(UTC))
    yield '<?xml version="1.0" encoding="UTF-8" ?>\n'
    yield f"<!-- generator=\"Parley\" created=\"{utcnow():%Y-%m-%d %H:%M}\" -->\n"
    yield (
        '<rss version="2.0"\n'
        '\txmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"\n'
        '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
        '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"\n'
        '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        '\txmlns:wp="http://wordpress.org/export/1.2/"\n>\n<channel>\n'
    )
    yield f"\t<title>{_plain(site_settings()['SITE_NAME'])}</title>\n"
    yield f"\t<link>{_plain(home)}</link>\n\t<description></description>\n"
    yield f"\t<pubDate>{now}</pubDate>\n\t<language>en</language>\n"
    yield f"\t<wp:wxr_version>{WXR_VERSION}</wp:wxr_version>\n"
    base = _plain(home.rstrip("/"))
    yield f"\t<wp:base_site_url>{base}</wp:base_site_url>\n"
    yield f"\t<wp:base_blog_url>{base}</wp:base_blog_url>\n"


def _authors() -> sa.Select:
    """Everyone a post or an employee's comment names."""
    staff_commenters = (
        sa.select(Comment.author_id).join(User, User.id == Comment.author_id)
        .where(User.employee_clause())
    )  # fmt: skip
    wanted = sa.union(sa.select(Post.author_id), staff_commenters).subquery()
    return sa.select(User).where(User.id.in_(sa.select(wanted))).order_by(User.id)


def _author(user: User) -> str:
    return (
        f"\t<wp:author><wp:author_id>{user.id}</wp:author_id>"
        f"<wp:author_login>{cdata(login_of(user))}</wp:author_login>"
        f"<wp:author_email>{cdata(user.email)}</wp:author_email>"
        f"<wp:author_display_name>{cdata(user.display_name)}</wp:author_display_name>"
        f"<wp:author_first_name>{cdata('')}</wp:author_first_name>"
        f"<wp:author_last_name>{cdata('')}</wp:author_last_name></wp:author>\n"
    )


def login_of(user: User) -> str:
    """A WordPress login for an account: its public slug, unique like a login."""
    return user.slug


def _pages() -> Iterator[tuple[list[Post], dict[int, list[Comment]]]]:
    last_id = 0
    while True:
        posts = list(
            db.session.scalars(
                sa.select(Post).where(Post.id > last_id).order_by(Post.id).limit(PAGE)
            )
        )
        if not posts:
            return
        comments: dict[int, list[Comment]] = {}
        query = (
            sa.select(Comment)
            .where(Comment.post_id.in_([p.id for p in posts]))
            .options(selectinload(Comment.author))
            .order_by(Comment.post_id, Comment.id)
        )
        for comment in db.session.scalars(query):
            comments.setdefault(comment.post_id, []).append(comment)
        yield posts, comments  # then dropped: the session holds rows weakly
        last_id = posts[-1].id


def _item(post: Post, comments: list[Comment], zone: ZoneInfo) -> Iterator[str]:
    link = url_for("blog.post", slug=post.slug, _external=True)
    published = post.published_at
    shown = published or post.created_at
    yield "\t<item>\n"
    yield (
        f"\t\t<title>{cdata(post.title)}</title>\n"
        f"\t\t<link>{_plain(link)}</link>\n"
        f"\t\t<pubDate>{format_datetime(shown.replace(tzinfo=UTC))}</pubDate>\n"
        f"\t\t<dc:creator>{cdata(login_of(post.author))}</dc:creator>\n"
        f'\t\t<guid isPermaLink="false">{_plain(link)}</guid>\n'
        f"\t\t<description></description>\n"
        f"\t\t<content:encoded>{cdata(post.body_html)}</content:encoded>\n"
        f"\t\t<excerpt:encoded>{cdata(post.excerpt)}</excerpt:encoded>\n"
        f"\t\t<wp:post_id>{post.id}</wp:post_id>\n"
        f"\t\t<wp:post_date>{cdata(_local(shown, zone))}</wp:post_date>\n"
        f"\t\t<wp:post_date_gmt>{cdata(_gmt(published))}</wp:post_date_gmt>\n"
        f"\t\t<wp:post_modified>{cdata(_local(post.updated_at, zone))}</wp:post_modified>\n"
        f"\t\t<wp:post_modified_gmt>{cdata(_gmt(post.updated_at))}</wp:post_modified_gmt>\n"
        f"\t\t<wp:comment_status>{cdata('open' if post.comments_open else 'closed')}"
        f"</wp:comment_status>\n"
        f"\t\t<wp:ping_status>{cdata('closed')}</wp:ping_status>\n"
        f"\t\t<wp:post_name>{cdata(post.slug)}</wp:post_name>\n"
        f"\t\t<wp:status>{cdata(POST_STATUS[PostStatus(post.status)])}</wp:status>\n"
        f"\t\t<wp:post_parent>0</wp:post_parent>\n"
        f"\t\t<wp:menu_order>0</wp:menu_order>\n"
        f"\t\t<wp:post_type>{cdata('post')}</wp:post_type>\n"
        f"\t\t<wp:post_password>{cdata('')}</wp:post_password>\n"
        f"\t\t<wp:is_sticky>0</wp:is_sticky>\n"
    )
    for tag in post.tags:
        yield (
            f'\t\t<category domain="post_tag" nicename="{_attribute(tag.slug)}">'
            f"{cdata(tag.name)}</category>\n"
        )
    for comment in comments:
        yield _comment(comment, zone)
    yield "\t</item>\n"


def _comment(comment: Comment, zone: ZoneInfo) -> str:
    author = comment.author
    staff_id = author.id if author is not None and author.is_employee else 0
    email = author.email if author is not None else comment.guest_email
    return (
        "\t\t<wp:comment>\n"
        f"\t\t\t<wp:comment_id>{comment.id}</wp:comment_id>\n"
        f"\t\t\t<wp:comment_author>{cdata(comment.author_name)}</wp:comment_author>\n"
        f"\t\t\t<wp:comment_author_email>{cdata(email)}</wp:comment_author_email>\n"
        f"\t\t\t<wp:comment_author_url>{cdata('')}</wp:comment_author_url>\n"
        f"\t\t\t<wp:comment_author_IP>{cdata('')}</wp:comment_author_IP>\n"
        f"\t\t\t<wp:comment_date>{cdata(_local(comment.created_at, zone))}</wp:comment_date>\n"
        f"\t\t\t<wp:comment_date_gmt>{cdata(_gmt(comment.created_at))}</wp:comment_date_gmt>\n"
        f"\t\t\t<wp:comment_content>{cdata(comment.body_html)}</wp:comment_content>\n"
        f"\t\t\t<wp:comment_approved>{cdata(COMMENT_APPROVED[CommentStatus(comment.status)])}"
        f"</wp:comment_approved>\n"
        f"\t\t\t<wp:comment_type>{cdata('comment')}</wp:comment_type>\n"
        f"\t\t\t<wp:comment_parent>{comment.parent_id or 0}</wp:comment_parent>\n"
        f"\t\t\t<wp:comment_user_id>{staff_id}</wp:comment_user_id>\n"
        "\t\t</wp:comment>\n"
    )


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return f"{moment.replace(tzinfo=UTC).astimezone(zone):%Y-%m-%d %H:%M:%S}"


def _gmt(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S}" if moment is not None else ZERO_DATE


def export_to(path) -> None:
    """Write the export to a file (``flask export wordpress FILE``)."""
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for lines in wxr_lines():
            out.write(lines)


def wxr_response() -> Response:
    """The export as a download, streamed (for the admin page)."""
    name = f"parley-{utcnow():%Y-%m-%d}.wordpress.xml"
    body = stream_with_context(lines.encode("utf-8") for lines in wxr_lines())
    return Response(
        body,
        mimetype="application/rss+xml",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
