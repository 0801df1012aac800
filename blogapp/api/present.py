"""Posts, people and comments as the API's resources (api/schemas.py)."""

from urllib.parse import urljoin

from flask import url_for

from blogapp.api import schemas
from blogapp.api.staff_schemas import Employee
from blogapp.comments.threads import Thread
from blogapp.models import Comment, CommentStatus, Post, User
from blogapp.responses.public import PublicAnswer


class Addresses:
    """Comment and author addresses from one url_for each (a thread has hundreds)."""

    MARK = "987654321"

    def __init__(self):
        self._comment = url_for("comments.permalink", comment_id=int(self.MARK), _external=True)
        self._author = url_for("blog.author", slug=self.MARK, _external=True)

    def comment(self, comment_id: int) -> str:
        return self._comment.replace(self.MARK, str(comment_id))

    def author(self, slug: str) -> str:
        return self._author.replace(self.MARK, slug)


def absolute(path: str) -> str:
    """A site path as a full address (SITE_URL's host when set)."""
    return urljoin(url_for("blog.index", _external=True), path)


def person(
    user: User | None, guest_name: str | None = None, addresses: Addresses | None = None
) -> schemas.Person:
    if user is None:
        return schemas.Person(name=guest_name or "Guest", is_employee=False)
    if not user.is_employee:
        return schemas.Person(name=user.display_name, is_employee=False)
    return schemas.Person(
        name=user.display_name,
        job_title=user.job_title,
        url=(addresses or Addresses()).author(user.slug),
        is_employee=True,
    )


def post_summary(post: Post, cls=schemas.PostSummary, **more) -> schemas.PostSummary:
    return cls(
        id=post.id,
        slug=post.slug,
        title=post.title,
        excerpt=post.excerpt,
        published_at=post.published_at,
        author=person(post.author),
        tags=[schemas.TagOut(name=t.name, slug=t.slug) for t in post.tags],
        url=url_for("blog.post", slug=post.slug, _external=True),
        **more,
    )


def answer(found: PublicAnswer | None) -> schemas.Answer | None:
    if found is None:
        return None
    return schemas.Answer(
        label=found.label,
        name=found.name,
        job_title=found.job_title,
        url=absolute(found.url),
        later=found.later,
        note=found.note,
        reply_id=found.reply_id,
        resolved=found.resolved,
    )


def comment(
    c: Comment,
    slug: str,
    depth: int | None = 0,
    found: PublicAnswer | None = None,
    addresses: Addresses | None = None,
) -> schemas.CommentOut:
    """A comment as the page shows it: a removed one keeps its place, not its words."""
    addresses = addresses or Addresses()
    shown = c.status != CommentStatus.REMOVED
    return schemas.CommentOut(
        id=c.id,
        post=slug,
        parent_id=c.parent_id,
        depth=depth,
        status=c.status,
        author=person(c.author, c.guest_name, addresses) if shown else None,
        body_html=c.body_html if shown else None,
        created_at=c.created_at,
        edited_at=c.edited_at,
        answer=answer(found) if c.status == CommentStatus.PUBLISHED else None,
        url=addresses.comment(c.id),
    )


def thread(post: Post, drawn: Thread, answers: dict[int, PublicAnswer]) -> schemas.ThreadOut:
    addresses = Addresses()
    return schemas.ThreadOut(
        post=post.slug,
        count=drawn.count,
        page=drawn.page,
        pages=drawn.pages,
        comments=[
            comment(node.comment, post.slug, node.depth, answers.get(node.comment.id), addresses)
            for node in drawn.walk()
        ],
    )


def employee(user: User) -> Employee:
    """An employee as the response tracker names them: id and display name."""
    return Employee(id=user.id, name=user.display_name)
