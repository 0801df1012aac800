"""A thread loads in a fixed number of SQL queries, whatever its size and whoever looks."""

import pytest

from blogapp.extensions import db
from blogapp.models import Comment, CommentStatus, Role
from blogapp.models.base import utcnow
from tests.conftest import Auth
from tests.thread_helpers import build_thread, count_queries


@pytest.mark.parametrize("size", [10, 500])
def test_thread_query_count_is_fixed_for_readers_and_anonymous(app, make_user, make_post, size):
    readers = [make_user(Role.READER), make_user(Role.STAFF), make_user(Role.READER)]
    rita = make_user(Role.READER, email="rita@example.com")
    small, big = make_post(slug="small"), make_post(slug="big")
    build_thread(small, readers, 10, depth=5)
    build_thread(big, readers, size, depth=5)
    for post in (small, big):  # her own held comment shows for her: still the same query
        db.session.add(
            Comment(
                post=post,
                author=rita,
                body_source="mine",
                body_html="<p>mine</p>",
                status=CommentStatus.HELD.value,
                created_at=utcnow(),
            )
        )
    db.session.commit()
    db.session.expire_all()

    anonymous = app.test_client()
    first = [count_queries(app, f"/posts/{slug}", anonymous) for slug in ("small", "big")]
    cached = [count_queries(app, f"/posts/{slug}", anonymous) for slug in ("small", "big")]
    assert first[0] == first[1] and cached[0] == cached[1]
    assert cached[0] < first[0], "the anonymous page comes from the rendered-thread cache"

    reader = app.test_client()
    with app.app_context():
        Auth(reader).login("rita@example.com")
    for_reader = [count_queries(app, f"/posts/{slug}", reader) for slug in ("small", "big")]
    assert for_reader[0] == for_reader[1]
    with app.app_context():
        page = reader.get("/posts/big").text
    assert page.count('class="comment depth-') == size + 1 and "Awaiting moderation" in page


def test_new_comment_invalidates_the_cached_thread(app, client, make_post, make_comment):
    post = make_post()
    make_comment(post, body="first words")
    assert "first words" in client.get(f"/posts/{post.slug}").text
    second = make_comment(post, body="second words")
    assert "second words" in client.get(f"/posts/{post.slug}").text
    second.body_source, second.body_html = "edited words", "<p>edited words</p>"
    db.session.commit()
    page = client.get(f"/posts/{post.slug}").text
    assert "edited words" in page and "second words" not in page
    second.status = CommentStatus.REMOVED.value
    db.session.commit()
    assert "edited words" not in client.get(f"/posts/{post.slug}").text


def test_shared_reader_rendering_still_shows_each_reader_their_own_actions(
    app, make_user, make_post, make_comment
):
    from datetime import timedelta

    post = make_post()
    rita = make_user(Role.READER, email="rita@example.com")
    omar = make_user(Role.READER, email="omar@example.com")
    ritas = make_comment(post, author=rita, body="Rita's fresh comment")
    omars = make_comment(
        post, author=omar, body="Omar's old comment", created_at=utcnow() - timedelta(hours=2)
    )
    pages = {}
    for person in ("rita@example.com", "omar@example.com", "rita@example.com"):
        client = app.test_client()
        with app.app_context():
            Auth(client).login(person)
            pages.setdefault(person, []).append(client.get(f"/posts/{post.slug}").text)
    for page in pages["rita@example.com"]:
        assert f'<a href="/comments/{ritas.id}/edit">Edit</a>' in page
        assert f'href="/comments/{ritas.id}/flag"' not in page
        assert f'<a class="flag-link" href="/comments/{omars.id}/flag">Report</a>' in page
    (omar_page,) = pages["omar@example.com"]
    assert f'<a href="/comments/{omars.id}/edit">Delete</a>' in omar_page, "past the edit window"
    assert f'<a class="flag-link" href="/comments/{ritas.id}/flag">Report</a>' in omar_page
    assert f'href="/comments/{ritas.id}/edit"' not in omar_page
