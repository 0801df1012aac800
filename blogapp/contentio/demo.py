"""The demo site: Tallyworks' people, posts and customer threads from content/."""

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
import yaml

from blogapp.accounts.services import create_user, user_by_email
from blogapp.contentio.services import ContentError, ImportReport, import_directory
from blogapp.extensions import db
from blogapp.markup import RenderRefused, render_comment
from blogapp.models import Comment, CommentStatus, Post, Role
from blogapp.models.base import utcnow
from blogapp.names import clean_name, imitates_employee
from blogapp.text import clean_text

# Demo accounts only; printed by `make run` so a visitor can log in.
DEMO_PASSWORD = "tallyworks-demo"


@dataclass
class DemoReport:
    users_created: list[str]
    posts: ImportReport
    comments_created: int


def _load_yaml(path: Path):
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ContentError(f"{path.name}: {error}") from None


def load_users(path: Path) -> list[str]:
    """Create the demo accounts that do not exist yet."""
    created = []
    for entry in _load_yaml(path) or []:
        if user_by_email(entry["email"]) is not None:
            continue
        role = Role(entry.get("role", "reader"))
        if not role.is_employee:
            _refuse_imitation(entry["name"], f"{path.name}: {entry['email']}")
        user = create_user(
            entry["email"],
            DEMO_PASSWORD,
            entry["name"],
            role,
            clean_text(entry.get("title")),
            clean_text(entry.get("bio")),
        )
        # The demo's people have long had their addresses: nobody is asked to verify one.
        user.email_verified_at = utcnow()
        db.session.flush()  # the next entries are checked against this one
        created.append(entry["email"])
    db.session.commit()
    return created


def _refuse_imitation(name: str | None, where: str) -> None:
    """Content files follow the forms' rule: a customer's name can't pass for an employee's."""
    if imitates_employee(name):
        raise ContentError(f"{where}: the name {name!r} is too close to an employee's")


def _oldest(entries) -> int:
    return max((max(e["hours_ago"], _oldest(e.get("replies") or [])) for e in entries), default=0)


def _fold_follow_ups(comments: list[Comment]) -> None:
    """Replay the threads in time order so a customer's follow-up to their own comment
    joins its item while nobody from the team has answered it (one conversation, one item),
    exactly as posting them one by one would."""
    answered: set[int] = set()
    for comment in sorted(comments, key=lambda c: c.created_at):
        parent = comment.parent
        if parent is None:
            continue
        item = parent.joins or parent
        if comment.by_employee:
            answered.add(item.id)
        elif item.id not in answered and not item.by_employee:
            if item.written_by(comment.author_id, comment.guest_email):
                comment.joins = item


def _add_comments(post: Post, entries, parent: Comment | None, now, scale: float) -> list:
    added = []
    for entry in entries:
        author = user_by_email(entry["author"]) if entry.get("author") else None
        guest = entry.get("guest") or {}
        if author is None and not guest:
            raise ContentError(f"comments.yaml: unknown author {entry.get('author')!r}")
        guest_name = clean_name(guest.get("name")) or None
        if author is None:
            _refuse_imitation(guest_name, f"comments.yaml: guest on {post.slug!r}")
        body = clean_text(entry["body"])
        try:
            body_html = render_comment(body)
        except RenderRefused as error:
            raise ContentError(f"comments.yaml: {error}") from None
        comment = Comment(
            post=post,
            parent=parent,
            author=author,
            guest_name=guest_name,
            guest_email=clean_text(guest.get("email")),
            body_source=body,
            body_html=body_html,
            status=CommentStatus.PUBLISHED.value,
            created_at=now - timedelta(hours=entry["hours_ago"] * scale),
        )
        db.session.add(comment)
        added += [comment, *_add_comments(post, entry.get("replies") or [], comment, now, scale)]
    return added


def load_comments(path: Path) -> int:
    """Seed each post's threads once: a post that has comments already is left alone."""
    now = utcnow()
    created = 0
    for slug, entries in (_load_yaml(path) or {}).items():
        post = db.session.scalar(sa.select(Post).where(Post.slug == slug))
        if post is None or post.published_at is None:
            raise ContentError(f"comments.yaml: no published post {slug!r}")
        if db.session.scalar(sa.select(Comment.id).where(Comment.post_id == post.id).limit(1)):
            continue
        # Keep every comment after its post went out, however old the post is.
        open_hours = (now - post.published_at).total_seconds() / 3600 * 0.95
        scale = min(1.0, open_hours / max(_oldest(entries), 1))
        comments = _add_comments(post, entries, None, now, scale)
        db.session.flush()  # ids, for telling who wrote what
        _fold_follow_ups(comments)
        created += len(comments)
    db.session.commit()
    return created


def load_demo(content_dir: Path) -> DemoReport:
    """Users, then posts, then threads: idempotent, safe to run on every start."""
    content_dir = Path(content_dir)
    users = load_users(content_dir / "demo" / "users.yaml")
    posts = import_directory(content_dir / "posts")
    comments = load_comments(content_dir / "demo" / "comments.yaml")
    from blogapp.responses.demo import load_responses

    load_responses(content_dir / "demo" / "responses.yaml")
    return DemoReport(users, posts, comments)


def demo_logins() -> list[tuple[str, str, str]]:
    """(role, email, name) of every employee, for the start-up banner."""
    from blogapp.models import User

    rows = db.session.scalars(
        sa.select(User).where(User.employee_clause()).order_by(User.id)
    )
    return [(u.role, u.email, u.display_name) for u in rows]
