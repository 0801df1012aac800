"""Import and export posts as Markdown files; idempotent by slug."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from blogapp.accounts.services import user_by_email
from blogapp.contentio.frontmatter import FrontMatterError, dump, parse
from blogapp.extensions import db
from blogapp.markup import RenderRefused, make_excerpt, render_post
from blogapp.models import Post, PostStatus, Tag
from blogapp.models.base import slugify, utcnow
from blogapp.text import clean_text

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class ContentError(ValueError):
    """A content file that cannot be imported; the message names the file and the problem."""


class FileSkipped(ContentError):
    """A file whose body is too long or too complex to render: left out, the rest imported."""


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # "name: reason" for each file left out.
    skipped: list[str] = field(default_factory=list)


def _parse_time(value, name: str) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    try:
        return datetime.fromisoformat(str(value)).replace(tzinfo=None)
    except ValueError:
        raise ContentError(f"{name}: 'published' must look like 2026-10-06 09:30") from None


def get_or_create_tags(names) -> list[Tag]:
    """Tags by name, created on the fly."""
    tags = []
    for name in names:
        name = str(name).strip()
        slug = slugify(name, max_length=40)
        if not slug:
            continue
        tag = db.session.scalar(sa.select(Tag).where(Tag.slug == slug))
        if tag is None:
            tag = Tag(name=name, slug=slug)
            db.session.add(tag)
        if tag not in tags:
            tags.append(tag)
    return tags


def _rendered(name: str, render, source: str, *args) -> str:
    try:
        return render(source, *args)
    except RenderRefused as error:
        raise FileSkipped(f"{name}: {error}") from None


def _fields_from(meta: dict, body: str, name: str) -> dict:
    title = str(meta.get("title") or "").strip()
    if not title:
        raise ContentError(f"{name}: 'title' is missing")
    slug = str(meta.get("slug") or Path(name).stem).strip()
    if not SLUG_RE.match(slug):
        raise ContentError(f"{name}: slug {slug!r} may have only a-z, 0-9 and single hyphens")
    status = str(meta.get("status") or PostStatus.PUBLISHED.value)
    if status not in {s.value for s in PostStatus}:
        raise ContentError(f"{name}: status must be draft, scheduled or published")
    published_at = _parse_time(meta.get("published"), name)
    if status != PostStatus.DRAFT and published_at is None:
        raise ContentError(f"{name}: a {status} post needs a 'published' date")
    author = user_by_email(str(meta.get("author") or ""))
    if author is None or not author.is_employee:
        raise ContentError(
            f"{name}: author {meta.get('author')!r} is not an employee's email; "
            "create them first with 'flask users create'"
        )
    limit = current_app.config["POST_MAX_LENGTH"]
    if len(body) > limit:
        raise FileSkipped(f"{name}: the body has {len(body):,} characters; the most is {limit:,}")
    tags = meta.get("tags") or []
    if isinstance(tags, str):
        tags = [t for t in tags.split(",") if t.strip()]
    return {
        "slug": slug,
        "title": title,
        "body_source": body.rstrip() + "\n",
        "excerpt": str(meta.get("excerpt") or "").strip() or _rendered(name, make_excerpt, body),
        "status": status,
        "published_at": published_at,
        "author_id": author.id,
        "comments_open": bool(meta.get("comments_open", True)),
        "tag_names": sorted({slugify(str(t), 40) for t in tags if slugify(str(t), 40)}),
        "tags": tags,
    }


def _without_controls(value):
    if isinstance(value, dict):
        return {key: _without_controls(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_controls(item) for item in value]
    return clean_text(value)


def import_post(text: str, name: str) -> tuple[str, Post]:
    """Create or update one post from a file's text; returns (what happened, post)."""
    try:
        meta, body = parse(clean_text(text))
    except FrontMatterError as error:
        raise ContentError(f"{name}: {error}") from None
    meta = _without_controls(meta)  # YAML's own escapes ("\x00") are decoded by now
    fields = _fields_from(meta, body, name)
    tag_names, tag_values = fields.pop("tag_names"), fields.pop("tags")
    post = db.session.scalar(sa.select(Post).where(Post.slug == fields["slug"]))
    if post is None:
        post = Post(**fields, body_html=_rendered(name, render_post, fields["body_source"]))
        post.tags = get_or_create_tags(tag_values)
        db.session.add(post)
        return "created", post
    changed = {k: v for k, v in fields.items() if getattr(post, k) != v}
    tags_changed = sorted(t.slug for t in post.tags) != tag_names
    if not changed and not tags_changed:
        return "unchanged", post
    # Rendered before anything changes, so a skipped file leaves its post as it was.
    body_html = _rendered(name, render_post, fields["body_source"])
    if tags_changed:
        post.tags = get_or_create_tags(tag_values)
    for key, value in changed.items():
        setattr(post, key, value)
    post.body_html = body_html
    post.version += 1
    post.updated_at = utcnow()
    return "updated", post


def import_directory(directory: Path) -> ImportReport:
    """Import every ``*.md`` file in ``directory`` in one transaction; a file whose body
    is too long or too complex to render is skipped and reported."""
    files = sorted(Path(directory).glob("*.md"))
    if not files:
        raise ContentError(f"no .md files in {directory}")
    report = ImportReport()
    try:
        for path in files:
            try:
                outcome, post = import_post(path.read_text(encoding="utf-8"), path.name)
            except FileSkipped as skipped:
                report.skipped.append(str(skipped))
                continue
            getattr(report, outcome).append(post.slug)
            db.session.flush()
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return report


def export_post(post: Post) -> str:
    """One post as a Markdown file with front matter."""
    meta = {
        "title": post.title,
        "slug": post.slug,
        "author": post.author.email,
        "tags": [t.name for t in post.tags],
        "status": post.status,
        "excerpt": post.excerpt,
        "comments_open": post.comments_open,
    }
    if post.published_at:
        meta["published"] = post.published_at.strftime("%Y-%m-%d %H:%M:%S")
    return dump(meta, post.body_source)


def export_directory(directory: Path) -> list[Path]:
    """Write every post to ``directory/<slug>.md``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for post in db.session.scalars(sa.select(Post).order_by(Post.id)):
        path = directory / f"{post.slug}.md"
        path.write_text(export_post(post), encoding="utf-8")
        written.append(path)
    return written
