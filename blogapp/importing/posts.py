"""Posts and pages of the old site as Parley posts, with their old addresses."""

from __future__ import annotations

from urllib.parse import unquote

import sqlalchemy as sa
from flask import current_app

from blogapp.contentio.services import get_or_create_tags
from blogapp.extensions import db
from blogapp.importing import links
from blogapp.importing.html_source import markdown_source, plain_text
from blogapp.importing.known import KnownIds
from blogapp.importing.people import Authors
from blogapp.importing.records import SourcePost, SourceThread
from blogapp.importing.report import ImportReport
from blogapp.markup import RenderRefused, excerpt_of, render_post
from blogapp.models import LegacyPath, Post, PostStatus, User
from blogapp.models.base import slugify, utcnow

STATUSES = {
    "published": PostStatus.PUBLISHED,
    "scheduled": PostStatus.SCHEDULED,
    "draft": PostStatus.DRAFT,
    # Parley has no private posts: kept out of sight as a draft.
    "private": PostStatus.DRAFT,
}


class Posts:
    """Source posts and threads → post ids here (negative: planned in a dry run)."""

    def __init__(self, known: KnownIds, report: ImportReport, authors: Authors,
                 actor: User | None, rules: dict[str, str]):  # fmt: skip
        self.known = known
        self.report = report
        self.authors = authors
        self.actor = actor
        self.rules = rules
        self.for_thread: dict[str, int | None] = {}
        self._planned = -1
        self._paths_taken: set[str] = set()

    def add(self, post: SourcePost) -> None:
        label = f"{post.kind} {post.source_id} “{post.title[:60]}”"
        known = self.known.get("post", post.source_id)
        if known is not None and db.session.get(Post, known) is not None:
            self.report.count(post.kind, "matched", f"{label} (imported before)")
            self._record_links(post, known)
            self.for_thread[post.source_id] = known
            return
        slug = slugify(unquote(post.slug), 120) or slugify(post.title, 120)
        slug = slug or f"{post.kind}-{post.source_id}"
        same = db.session.scalar(sa.select(Post).where(Post.slug == slug))
        if same is not None and same.title.strip() == post.title.strip():
            self.report.count(post.kind, "matched", f"{label} → /posts/{slug} (same slug, title)")
            self._adopt(post, same.id)
            return
        if same is not None:
            slug = self._free_slug(slug)
        source = markdown_source(post.body_html)
        limit = current_app.config["POST_MAX_LENGTH"]
        if len(source) > limit:
            self.for_thread[post.source_id] = None
            self.report.skip(post.kind, f"body over {limit:,} characters", label)
            return
        if self.known.dry_run:
            self.report.count(post.kind, "created", f"{label} → /posts/{slug}")
            self._adopt(post, self._plan(), slug)
            return
        try:
            body_html = render_post(source)
        except RenderRefused:
            self.for_thread[post.source_id] = None
            self.report.skip(post.kind, "body too complex to render", label)
            return
        created = self._create(post, slug, source, body_html)
        self.report.count(post.kind, "created", f"{label} → /posts/{slug}")
        self._adopt(post, created.id, slug)

    def _plan(self) -> int:
        self._planned -= 1
        return self._planned

    def _adopt(self, post: SourcePost, post_id: int, slug: str | None = None) -> None:
        self.for_thread[post.source_id] = post_id
        if post_id > 0:
            self.known.remember("post", post.source_id, post_id)
        self._record_links(post, post_id, slug)

    def _free_slug(self, base: str) -> str:
        n = 2
        while db.session.scalar(sa.select(Post.id).where(Post.slug == f"{base}-{n}")):
            n += 1
        return f"{base}-{n}"

    def _create(self, post: SourcePost, slug: str, source: str, body_html: str) -> Post:
        status = STATUSES[post.state]
        published_at = post.published_at
        if status == PostStatus.SCHEDULED and published_at is None:
            status = PostStatus.DRAFT
        if status == PostStatus.PUBLISHED and published_at is None:
            published_at = utcnow()
        written_at = published_at or utcnow()
        if status == PostStatus.DRAFT:
            published_at = None  # a draft's date is when it was written, not published
        excerpt = plain_text(post.excerpt_html) if post.excerpt_html else plain_text(body_html)
        author_id = (
            self.authors.login_id(post.author_login, post.source)
            if post.author_login
            else self.actor.id
        )
        created = Post(
            slug=slug,
            title=(post.title or slug)[:200],
            body_source=source,
            body_html=body_html,
            excerpt=excerpt_of(excerpt, 240),
            status=status.value,
            published_at=published_at,
            author_id=author_id,
            comments_open=post.comments_open,
            created_at=written_at,
        )
        created.tags = get_or_create_tags(t[:40] for t in post.tags)
        db.session.add(created)
        db.session.flush()
        return created

    def _record_links(self, post: SourcePost, post_id: int, slug: str | None = None) -> None:
        slug = slug or db.session.scalar(sa.select(Post.slug).where(Post.id == post_id))
        for link in post.links:
            self.add_path(link, post_id, post.source, slug)

    def add_path(self, link: str, post_id: int, source: str, slug: str | None) -> None:
        """Record an old address of a post, unless it is taken or is the post's own."""
        path = links.normalize(link)
        if path == "/" or path == f"/posts/{slug}" or path in self._paths_taken:
            return
        self._paths_taken.add(path)
        if links.post_for_path(path) is not None:
            return
        self.report.redirects.append((path, f"/posts/{slug}"))
        if not self.known.dry_run:
            db.session.add(LegacyPath(path=path, post_id=post_id, source=source))

    def add_thread(self, thread: SourceThread) -> None:
        """A Disqus thread: matched to a post by its link (normalized, or by the rules)."""
        label = f"thread {thread.source_id or '(no id)'} {thread.link}"
        if not thread.source_id:
            self.report.skip("thread", "no id", label)
            return
        known = self.known.get("thread", thread.source_id)
        post_id = known if known is not None else links.match_post(thread.link, self.rules)
        if post_id is None:
            self.for_thread[thread.source_id] = None
            self.report.skip("thread", "no post with this address", label)
            return
        self.report.count("thread", "matched", label)
        self.for_thread[thread.source_id] = post_id
        if known is None:
            self.known.remember("thread", thread.source_id, post_id)
            slug = db.session.scalar(sa.select(Post.slug).where(Post.id == post_id))
            self.add_path(thread.link, post_id, thread.source, slug)
