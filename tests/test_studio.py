"""The studio editor: write, preview, publish, schedule and unpublish posts."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import feedparser
import pytest
import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.models import CommentStatus, Post, PostStatus, Role, SlugRedirect
from blogapp.models.base import utcnow
from tests.studio_helpers import edit_post, editor_data, write_post


@pytest.fixture
def staff(client, auth, make_user):
    user = make_user(Role.STAFF, name="Priya Raman", job_title="Product Engineer")
    auth.login(user.email)
    return user


def only_post() -> Post:
    return db.session.scalars(sa.select(Post)).one()


def test_new_post_is_saved_as_a_draft_nobody_else_sees(client, staff):
    response = write_post(client, title="Quarterly roadmap", body="Plans for **Q1**.")
    post = only_post()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/studio/posts/{post.id}/edit"
    assert (post.title, post.slug, post.status) == (
        "Quarterly roadmap",
        "quarterly-roadmap",
        "draft",
    )
    assert post.author_id == staff.id and post.body_html == "<p>Plans for <strong>Q1</strong>.</p>"
    assert post.excerpt == "Plans for Q1."
    editor = client.get(response.headers["Location"]).text
    assert "Saved." in editor and "Quarterly roadmap" in editor
    assert client.get("/posts/quarterly-roadmap").status_code == 404


def test_publish_now_puts_the_post_on_home_page_and_feed(client, staff):
    write_post(client, title="Live today", body="Fresh news.", action="publish")
    post = only_post()
    assert post.status == "published" and post.published_at <= utcnow()
    assert "Live today" in client.get("/").text
    assert client.get("/posts/live-today").status_code == 200
    feed = feedparser.parse(client.get("/feed.atom").data)
    assert [e.title for e in feed.entries] == ["Live today"]


def test_tags_are_created_on_the_fly_and_excerpt_is_generated(client, staff):
    write_post(client, title="Tagged", body="Words " * 100, tags="Product, New Thing, product")
    post = only_post()
    assert sorted(t.slug for t in post.tags) == ["new-thing", "product"]
    assert post.excerpt.endswith("…") and len(post.excerpt) <= 241
    edit_post(client, post.id, excerpt="My own summary.", tags="Support")
    db.session.refresh(post)
    assert post.excerpt == "My own summary." and [t.name for t in post.tags] == ["Support"]


def test_comments_can_be_closed_from_the_editor(client, staff):
    write_post(client, title="Quiet post", comments_open=False)
    assert only_post().comments_open is False


def test_slug_is_editable_and_must_be_unique(client, staff, make_post):
    make_post(slug="taken-slug", author=staff)
    response = write_post(client, title="Mine", slug="Taken Slug")
    assert response.status_code == 400
    assert "already used by another post" in response.text
    assert 'value="Mine"' in response.text  # what was typed stays in the form
    response = write_post(client, title="Mine", slug="My Custom Address!")
    assert response.status_code == 302
    assert (
        db.session.scalar(sa.select(Post.slug).where(Post.title == "Mine")) == "my-custom-address"
    )


def test_generated_slug_avoids_existing_ones(client, staff, make_post):
    make_post(slug="same-title", author=staff)
    write_post(client, title="Same title")
    assert (
        db.session.scalar(sa.select(Post.slug).where(Post.title == "Same title")) == "same-title-2"
    )


def test_a_published_posts_old_address_redirects_with_301(client, staff):
    write_post(client, title="First name", action="publish")
    post = only_post()
    edit_post(client, post.id, slug="second-name")
    edit_post(client, post.id, slug="third-name")
    for old in ("first-name", "second-name"):
        response = client.get(f"/posts/{old}")
        assert response.status_code == 301
        assert response.headers["Location"].endswith("/posts/third-name")
    assert client.get("/posts/third-name").status_code == 200
    # Nobody else can take an address that still redirects.
    response = write_post(client, title="Squatter", slug="first-name")
    assert "already used by another post" in response.text
    # Going back to an old address makes it the post's address again.
    edit_post(client, post.id, slug="first-name")
    assert client.get("/posts/first-name").status_code == 200
    assert client.get("/posts/third-name").status_code == 301


def test_a_drafts_slug_change_leaves_no_redirect(client, staff):
    write_post(client, title="Draft name")
    edit_post(client, only_post().id, slug="better-name")
    assert db.session.scalars(sa.select(SlugRedirect)).all() == []


def test_a_missing_title_is_explained_and_the_text_kept(client, staff):
    response = write_post(client, title="  ", body="My precious paragraph.")
    assert response.status_code == 400
    assert "A post needs a title." in response.text
    assert "My precious paragraph." in response.text
    assert db.session.scalars(sa.select(Post)).all() == []


def test_publishing_needs_some_text(client, staff):
    response = write_post(client, title="Empty", body="", action="publish")
    assert response.status_code == 400 and "Write something before publishing." in response.text


def test_preview_button_renders_without_saving(client, staff):
    response = write_post(
        client, title="Preview me", body="## Section\n\nHello *there*.", action="preview"
    )
    assert response.status_code == 200
    assert "<h2>Section</h2>" in response.text and "<em>there</em>" in response.text
    assert "Hello *there*." in response.text  # the source stays in the textarea
    assert db.session.scalars(sa.select(Post)).all() == []


def test_live_preview_endpoint_renders_with_the_post_profile(client, staff):
    page = client.get("/studio/posts/new").text
    response = client.post(
        "/studio/preview",
        data={"body": "| a | b |\n|---|---|\n| 1 | 2 |\n\n![chart](/uploads/x.png)"},
        headers={"X-CSRFToken": editor_data(page)["csrf_token"]},
    )
    assert response.status_code == 400  # the token goes in the form, like every other POST
    response = client.post(
        "/studio/preview",
        data={
            "body": "| a | b |\n|---|---|\n| 1 | 2 |",
            "csrf_token": editor_data(page)["csrf_token"],
        },
    )
    assert response.status_code == 200 and "<table>" in response.json["html"]


HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "![x](javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<svg onload="alert(1)"><circle r="5"/></svg>',
    '<a href="#" onclick="alert(1)">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "[x](JaVaScRiPt:alert(1))",
    '![a" onerror="alert(1)](https://example.com/a.png)',
    "<<script>script>alert(1)<</script>/script>",
]


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))


def _harmless(html: str) -> bool:
    """No script-capable element, no on* attribute, no URL outside http, https, mailto, /."""
    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        if tag in {"script", "iframe", "svg", "object", "embed", "style", "math", "form"}:
            return False
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                return False
            if name in {"href", "src"} and not re.match(r"^(https?:|mailto:|/|#)", value or ""):
                return False
    return True


def test_hostile_markdown_previews_and_publishes_harmless(client, staff):
    body = "\n\n".join(HOSTILE)
    page = client.get("/studio/posts/new").text
    preview = client.post(
        "/studio/preview", data={"body": body, "csrf_token": editor_data(page)["csrf_token"]}
    )
    assert _harmless(preview.json["html"])
    no_js_preview = write_post(client, title="Hostile", body=body, action="preview").text
    assert _harmless(no_js_preview.split('id="preview">', 1)[1].split("</section>", 1)[0])
    write_post(client, title="Hostile", body=body, action="publish")
    public = client.get("/posts/hostile").text
    assert _harmless(public.split('class="post-body">', 1)[1].split("</article>", 1)[0])
    assert "&lt;script&gt;" in public  # shown as the text it is, not dropped


def test_unpublish_takes_a_post_off_the_site(client, staff):
    write_post(client, title="Oops", action="publish")
    post = only_post()
    response = edit_post(client, post.id, action="unpublish")
    assert "draft again" in client.get(response.headers["Location"]).text
    db.session.refresh(post)
    assert (post.status, post.published_at) == ("draft", None)
    assert client.get("/posts/oops").status_code == 404 and "Oops" not in client.get("/").text


def test_unknown_button_is_refused_with_a_message(client, staff):
    response = write_post(client, title="Odd", action="explode")
    assert response.status_code == 400 and "not one the editor knows" in response.text


def test_staff_cannot_open_someone_elses_post_admins_can(client, auth, staff, make_user, make_post):
    other = make_post(author=make_user(Role.STAFF), title="Not yours")
    assert client.get(f"/studio/posts/{other.id}/edit").status_code == 403
    data = editor_data(client.get("/studio/posts/new").text, title="Hijacked", action="save")
    assert client.post(f"/studio/posts/{other.id}/edit", data=data).status_code == 403
    assert client.post(f"/studio/posts/{other.id}/autosave", data=data).status_code == 403
    db.session.refresh(other)
    assert other.title == "Not yours"
    auth.logout()
    auth.login(make_user(Role.ADMIN).email)
    assert edit_post(client, other.id, title="Fixed by admin").status_code == 302
    db.session.refresh(other)
    assert other.title == "Fixed by admin" and other.author.role == "staff"
    assert client.get("/studio/posts/9999/edit").status_code == 404


def test_studio_home_filters_by_status_and_author(client, auth, make_user, make_post, make_comment):
    priya, tom = make_user(Role.STAFF, name="Priya"), make_user(Role.STAFF, name="Tom")
    live = make_post(author=priya, title="Live one")
    make_post(author=priya, title="Draft one", status=PostStatus.DRAFT, published_at=None)
    make_post(
        author=tom,
        title="Future one",
        status=PostStatus.SCHEDULED,
        published_at=utcnow() + timedelta(days=1),
    )
    make_post(
        author=tom,
        title="Due one",
        status=PostStatus.SCHEDULED,
        published_at=utcnow() - timedelta(minutes=1),
    )
    for _ in range(3):
        make_comment(live)
    make_comment(live, status=CommentStatus.HELD)
    auth.login(make_user(Role.ADMIN).email)

    def titles(query):
        page = client.get(f"/studio/{query}").text
        return {t for t in ("Live one", "Draft one", "Future one", "Due one") if t in page}

    assert titles("") == {"Live one", "Draft one", "Future one", "Due one"}
    assert titles("?status=draft") == {"Draft one"}
    assert titles("?status=scheduled") == {"Future one"}
    assert titles("?status=published") == {"Live one", "Due one"}
    assert titles(f"?author={tom.id}") == {"Future one", "Due one"}
    assert titles(f"?author={tom.id}&status=published") == {"Due one"}
    page = client.get(f"/studio/?author={priya.id}").text
    live_row = re.search(r"<tr>\s*<td><a[^>]*>Live one</a>.*?</tr>", page, re.S).group(0)
    assert re.search(r'class="comment-count">3 <span class="hint">\+1 held</span>', live_row)
    assert "just now" in live_row  # last edited
