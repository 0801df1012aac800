"""The public blog: what readers see, and what they never see."""

from datetime import timedelta

import feedparser
import pytest

from blogapp.models import PostStatus, Role
from blogapp.models.base import utcnow


def test_home_lists_published_posts_newest_first(client, make_post):
    older = make_post(title="Older news", published_at=utcnow() - timedelta(days=3))
    newer = make_post(title="Newer news", published_at=utcnow() - timedelta(hours=1))
    page = client.get("/").text
    assert page.index(newer.title) < page.index(older.title)


def test_home_is_paginated(app, client, make_post):
    app.config["POSTS_PER_PAGE"] = 2
    for n in range(5):
        make_post(title=f"Paged post {n}", published_at=utcnow() - timedelta(days=n + 1))
    first, third = client.get("/").text, client.get("/?page=3").text
    assert "Paged post 0" in first and "Paged post 1" in first and "Paged post 2" not in first
    assert "Page 1 of 3" in first and 'rel="next"' in first
    assert "Paged post 4" in third and 'rel="next"' not in third
    assert client.get("/?page=9").status_code == 404
    assert client.get("/?page=nonsense").status_code == 200


def test_post_page_shows_body_author_title_tags_and_date(client, make_post, make_user):
    from blogapp.contentio.services import get_or_create_tags
    from blogapp.extensions import db

    author = make_user(Role.STAFF, name="Jane Doe", job_title="Head of Support")
    post = make_post(author=author, title="Hello readers", body="Some **bold** news.")
    post.tags = get_or_create_tags(["Product", "Support"])
    db.session.commit()
    page = client.get(f"/posts/{post.slug}").text
    assert "<h1>Hello readers</h1>" in page
    assert "<strong>bold</strong>" in page
    assert "Jane Doe" in page and "Head of Support" in page
    assert 'href="/tags/product"' in page and 'href="/tags/support"' in page
    assert f"{post.published_at.year}" in page and "<time" in page


HIDDEN = [
    ("draft", PostStatus.DRAFT, None),
    ("draft-with-date", PostStatus.DRAFT, timedelta(days=-1)),
    ("future-scheduled", PostStatus.SCHEDULED, timedelta(days=2)),
    ("future-published", PostStatus.PUBLISHED, timedelta(hours=1)),
]


@pytest.mark.parametrize("name,status,offset", HIDDEN, ids=[h[0] for h in HIDDEN])
def test_hidden_posts_are_invisible_everywhere(client, make_post, name, status, offset):
    from blogapp.contentio.services import get_or_create_tags
    from blogapp.extensions import db

    when = utcnow() + offset if offset is not None else None
    secret = make_post(title="Secret plans", slug="secret-plans", status=status, published_at=when)
    secret.tags = get_or_create_tags(["roadmap"])
    make_post(title="Public note")
    db.session.commit()
    assert client.get("/posts/secret-plans").status_code == 404
    for url in (
        "/",
        "/feed.atom",
        "/sitemap.xml",
        f"/authors/{secret.author.slug}",
        "/tags/roadmap",
    ):
        response = client.get(url)
        assert "Secret plans" not in response.text and "secret-plans" not in response.text, url


def test_scheduled_post_appears_by_itself_when_its_time_comes(client, make_post):
    from blogapp.extensions import db

    post = make_post(
        title="Launch day",
        status=PostStatus.SCHEDULED,
        published_at=utcnow() + timedelta(minutes=5),
    )
    assert client.get(f"/posts/{post.slug}").status_code == 404
    post.published_at = utcnow() - timedelta(seconds=1)  # the clock reaches it
    db.session.commit()
    assert client.get(f"/posts/{post.slug}").status_code == 200
    assert "Launch day" in client.get("/feed.atom").text


def test_feed_entries_are_exactly_the_published_posts(client, make_post):
    published = {make_post(title=f"Visible {n}").title for n in range(3)}
    make_post(title="Draft one", status=PostStatus.DRAFT, published_at=None)
    make_post(
        title="Later one", status=PostStatus.SCHEDULED, published_at=utcnow() + timedelta(days=1)
    )
    response = client.get("/feed.atom")
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    assert {e.title for e in feed.entries} == published
    entry = feed.entries[0]
    assert entry.link.startswith("http://parley.test/posts/")
    assert entry.author and entry.published_parsed and "<p>" in entry.content[0].value


def test_feed_escapes_hostile_titles(client, make_post):
    make_post(title="Tom & Jerry <script>")
    feed = feedparser.parse(client.get("/feed.atom").data)
    assert not feed.bozo
    assert feed.entries[0].title == "Tom & Jerry <script>"


def test_sitemap_lists_public_pages(client, make_post):
    post = make_post()
    response = client.get("/sitemap.xml")
    assert response.mimetype == "application/xml"
    assert f"<loc>http://parley.test/posts/{post.slug}</loc>" in response.text
    assert f"http://parley.test/authors/{post.author.slug}" in response.text


def test_tag_page_lists_its_posts(client, make_post):
    from blogapp.contentio.services import get_or_create_tags
    from blogapp.extensions import db

    tagged, untagged = make_post(title="Tagged post"), make_post(title="Other post")
    tagged.tags = get_or_create_tags(["how-to"])
    db.session.commit()
    page = client.get("/tags/how-to").text
    assert "Tagged post" in page and untagged.title not in page
    assert client.get("/tags/nothing-here").status_code == 404


def test_author_page_shows_the_named_employee_and_their_posts(client, make_user, make_post):
    author = make_user(Role.MODERATOR, name="Jane Doe", job_title="Head of Support", bio="Answers.")
    make_post(author=author, title="Support hours update")
    make_post(title="Another topic")
    page = client.get(f"/authors/{author.slug}").text
    assert "Jane Doe" in page and "Head of Support" in page and "Answers." in page
    assert "Support hours update" in page and "Another topic" not in page


def test_customers_have_no_public_profile(client, make_user):
    reader = make_user(Role.READER, name="Private Person")
    assert client.get(f"/authors/{reader.slug}").status_code == 404


def test_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "find that page" in response.text and "Go to the latest posts" in response.text


def test_friendly_500(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "kaboom" not in response.text


def test_robots_points_at_sitemap(client):
    assert "Sitemap: http://parley.test/sitemap.xml" in client.get("/robots.txt").text
