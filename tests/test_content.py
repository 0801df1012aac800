"""content/: Markdown files with front matter in and out, and the demo site."""

from pathlib import Path

import pytest
import sqlalchemy as sa

from blogapp.contentio.demo import load_demo
from blogapp.contentio.services import ContentError, import_directory
from blogapp.extensions import db
from blogapp.models import Comment, Post, Role, User

ROOT = Path(__file__).resolve().parent.parent

POST_FILE = """---
title: "Recurring invoices are here"
slug: recurring-invoices
author: {author}
tags: [Product, invoicing]
published: 2026-10-06 09:30
status: published
---
Send the **same invoice** every month.
"""


@pytest.fixture
def author(make_user):
    return make_user(Role.STAFF, email="tom@tallyworks.example", name="Tom Becker")


def write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_creates_then_is_idempotent_then_updates(tmp_path, author):
    posts = tmp_path / "posts"
    write(posts, "recurring.md", POST_FILE.format(author=author.email))
    assert import_directory(posts).created == ["recurring-invoices"]
    post = db.session.scalar(sa.select(Post))
    assert post.title == "Recurring invoices are here" and post.author_id == author.id
    assert sorted(t.slug for t in post.tags) == ["invoicing", "product"]
    assert "<strong>same invoice</strong>" in post.body_html
    assert post.excerpt == "Send the same invoice every month."

    again = import_directory(posts)
    assert again.unchanged == ["recurring-invoices"] and post.version == 1

    write(posts, "recurring.md", POST_FILE.format(author=author.email).replace("month", "week"))
    assert import_directory(posts).updated == ["recurring-invoices"]
    assert "every week" in post.body_html and post.version == 2
    assert db.session.scalar(sa.select(sa.func.count(Post.id))) == 1


def test_export_then_import_round_trips(tmp_path, author, runner):
    posts = tmp_path / "posts"
    write(posts, "recurring.md", POST_FILE.format(author=author.email))
    import_directory(posts)
    out = tmp_path / "export"
    result = runner.invoke(args=["content", "export", str(out)])
    assert result.exit_code == 0 and "Wrote 1 posts" in result.output
    exported = (out / "recurring-invoices.md").read_text()
    assert (
        "title: Recurring invoices are here" in exported and "Send the **same invoice**" in exported
    )
    assert import_directory(out).unchanged == ["recurring-invoices"]


@pytest.mark.parametrize(
    "text,message",
    [
        ("no front matter", "must start with a '---' line"),
        ("---\ntitle: [unclosed\n---\nbody", "not valid YAML"),
        ("---\nslug: x\nauthor: {author}\n---\nbody", "'title' is missing"),
        ("---\ntitle: T\nslug: Bad Slug!\nauthor: {author}\n---\nb", "may have only a-z"),
        (
            "---\ntitle: T\nauthor: nobody@example.com\npublished: 2026-01-01\n---\nb",
            "not an employee",
        ),
        ("---\ntitle: T\nauthor: {author}\nstatus: live\n---\nb", "status must be"),
        ("---\ntitle: T\nauthor: {author}\nstatus: published\n---\nb", "needs a 'published' date"),
        ("---\ntitle: T\nauthor: {author}\npublished: someday\n---\nb", "must look like"),
    ],
)
def test_bad_files_are_named_with_the_problem_and_nothing_half_imported(
    tmp_path, author, text, message
):
    posts = tmp_path / "posts"
    write(posts, "a-good-one.md", POST_FILE.format(author=author.email))
    write(posts, "broken.md", text.format(author=author.email))
    with pytest.raises(ContentError, match=message) as error:
        import_directory(posts)
    assert "broken.md" in str(error.value)
    assert db.session.scalar(sa.select(sa.func.count(Post.id))) == 0


def test_import_cli_reports_errors_in_one_line(tmp_path, runner):
    result = runner.invoke(args=["content", "import", str(tmp_path)])
    assert result.exit_code == 1 and "no .md files" in result.output


def test_demo_content_loads_a_living_blog_and_is_idempotent(app, client):
    report = load_demo(ROOT / "content")
    posts = db.session.scalars(sa.select(Post)).all()
    assert len(posts) >= 6 and len(report.posts.created) == len(posts)
    statuses = {p.status for p in posts}
    assert {"published", "draft", "scheduled"} <= statuses
    assert len({p.author_id for p in posts if p.status == "published"}) >= 3
    employees = db.session.scalars(sa.select(User).where(User.role != "reader")).all()
    assert all(e.job_title for e in employees)
    # Nobody who logs in to the demo is asked to verify an address first.
    assert all(u.email_verified for u in db.session.scalars(sa.select(User)))
    comments = db.session.scalars(sa.select(Comment)).all()
    assert len(comments) >= 20
    staff_replies = [c for c in comments if c.parent_id and c.author and c.author.is_employee]
    assert staff_replies, "some questions are answered by staff"
    customer_roots = [c for c in comments if c.parent_id is None and not c.by_employee]
    answered = {c.parent_id for c in staff_replies}
    assert any(c.id not in answered for c in customer_roots), "some are still waiting"
    for comment in comments:
        assert comment.created_at >= comment.post.published_at
        if comment.parent:
            assert comment.created_at > comment.parent.created_at

    again = load_demo(ROOT / "content")
    assert not again.users_created and not again.posts.created and not again.posts.updated
    assert again.comments_created == 0

    home = client.get("/").text
    for post in posts:
        assert (post.title.replace("'", "&#39;") in home) == (post.status == "published")


def test_demo_cli_prints_the_logins(runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "jane.doe@tallyworks.example" in result.output and "tallyworks-demo" in result.output
