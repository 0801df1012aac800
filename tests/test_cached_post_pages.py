"""Anonymous readers' post pages served from the page cache before Flask builds a request
(comments/page.py, CachedPostPages): the same page and headers the app gives, and only
to requests that carry nothing personal."""

import logging
from datetime import datetime

import pytest
import sqlalchemy as sa
from flask import request, request_started

from blogapp.comments import page as post_pages
from blogapp.extensions import db
from blogapp.models import CommentStatus, PostStatus
from tests.comment_helpers import GAIL, comments_of, form_fields


@pytest.fixture
def flask_requests(app):
    """How many requests reached Flask (the middleware's hits never do)."""
    seen = []

    def count(sender, **extra):
        seen.append(1)

    request_started.connect(count, app)
    yield seen
    request_started.disconnect(count, app)


def test_a_stored_page_is_served_before_flask_with_the_same_page_and_headers(
    app, make_post, make_comment, flask_requests
):
    post = make_post()
    make_comment(post, body="A stored comment")
    reader = app.test_client()
    drawn = reader.get(f"/posts/{post.slug}")
    assert len(flask_requests) == 1
    stored = reader.get(f"/posts/{post.slug}")
    assert len(flask_requests) == 1, "the second view never reached Flask"
    assert stored.status_code == 200 and "A stored comment" in stored.text
    assert stored.headers["Vary"] == "Cookie" == drawn.headers["Vary"]
    for name, value in drawn.headers.items():
        if name not in ("X-Request-ID", "Content-Length"):
            assert stored.headers.get(name) == value, name
    assert set(stored.headers.keys()) == set(drawn.headers.keys())
    assert stored.headers["X-Request-ID"] != drawn.headers["X-Request-ID"]
    assert int(stored.headers["Content-Length"]) == len(stored.data)
    assert "Set-Cookie" not in stored.headers
    assert stored.data == drawn.data, "nothing personal: the page as the app drew it"


def test_the_stored_page_form_posts_and_the_next_view_shows_the_comment(app, make_post):
    post = make_post()
    reader = app.test_client()
    reader.get(f"/posts/{post.slug}")
    page = reader.get(f"/posts/{post.slug}").text
    data = form_fields(page) | {"body": "From the stored page", "name": GAIL[0], "email": GAIL[1]}
    assert app.test_client().post(f"/posts/{post.slug}/comments", data=data).status_code == 303
    (comment,) = comments_of(post)  # a first-time guest's: held until approved
    comment.status = CommentStatus.PUBLISHED.value
    db.session.commit()
    assert "From the stored page" in app.test_client().get(f"/posts/{post.slug}").text


@pytest.mark.parametrize(
    "cookie, query",
    [
        ("session=anything", ""),
        ("remember_token=anything", ""),
        ("parley_guest=anything", ""),
        ("", "utm_source=mail"),
        ("", "order=newest&preview=1"),
    ],
)
def test_anything_personal_goes_to_the_app(app, make_post, flask_requests, cookie, query):
    post = make_post()
    url = f"/posts/{post.slug}?{query}"
    reader = app.test_client()
    reader.get(url)
    before = len(flask_requests)
    if cookie:
        name, _, value = cookie.partition("=")
        reader.set_cookie(name, value, domain="parley.test")
    assert reader.get(url).status_code == 200
    assert len(flask_requests) == before + 1


def test_other_sites_cookies_and_the_thread_views_are_still_served_stored(
    app, make_post, flask_requests
):
    post = make_post()
    reader = app.test_client()
    for query in ("", "order=newest", "order=newest&cpage=1"):
        reader.get(f"/posts/{post.slug}?{query}")
        before = len(flask_requests)
        reader.set_cookie("_ga", "GA1.2.3", domain="parley.test")
        response = reader.get(f"/posts/{post.slug}?{query}")
        assert response.status_code == 200 and len(flask_requests) == before


def test_a_hidden_or_missing_post_is_left_to_the_app(app, make_post, flask_requests):
    draft = make_post(status=PostStatus.DRAFT)
    reader = app.test_client()
    assert [reader.get(f"/posts/{draft.slug}").status_code for _ in range(2)] == [404, 404]
    assert [reader.get("/posts/no-such-post").status_code for _ in range(2)] == [404, 404]
    assert reader.get("/posts/a/b").status_code == 404
    assert len(flask_requests) == 5


def test_a_database_in_trouble_gets_the_apps_friendly_page(app, make_post, monkeypatch):
    post = make_post()
    reader = app.test_client()
    reader.get(f"/posts/{post.slug}")

    def unreachable(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT", {}, Exception("database is unreachable"))

    monkeypatch.setattr(post_pages, "_read_row", unreachable)
    response = reader.get(f"/posts/{post.slug}")
    assert response.status_code == 503 and "briefly unavailable" in response.text


def test_a_stored_page_keeps_the_request_id_and_writes_the_access_line(app, make_post, caplog):
    post = make_post()
    reader = app.test_client()
    reader.get(f"/posts/{post.slug}")
    caplog.set_level(logging.INFO, logger="parley.access")
    response = reader.get(f"/posts/{post.slug}", headers={"X-Request-ID": "edge-42"})
    assert response.headers["X-Request-ID"] == "edge-42"
    (line,) = [r for r in caplog.records if r.name == "parley.access"]
    assert (line.request_id, line.path, line.status) == ("edge-42", f"/posts/{post.slug}", 200)


def test_the_stamp_statement_run_on_the_driver_gives_what_sqlalchemy_gives(
    app, make_post, make_comment
):
    post = make_post(comments_open=False)
    make_comment(post, body="stamped")
    statement = post_pages._PAGE_STAMP
    with db.engine.connect() as connection:
        expected = connection.execute(statement.statement, {"slug": post.slug}).one()
    row = statement.one_or_none(db.engine, {"slug": post.slug})
    assert tuple(row) == tuple(expected)
    assert [type(value) for value in row] == [type(value) for value in expected]
    assert (row.n, row.comments_open) == (1, False) and isinstance(row.changed, datetime)
    assert statement.one_or_none(db.engine, {"slug": "no-such-post"}) is None


@pytest.mark.parametrize("setting", ["closed", "no guests"])
def test_a_page_without_a_form_is_stored_whole(app, make_post, flask_requests, setting):
    post = make_post(comments_open=setting != "closed")
    app.config["COMMENTS_ALLOW_GUESTS"] = setting != "no guests"
    reader = app.test_client()
    drawn = reader.get(f"/posts/{post.slug}").text
    stored = reader.get(f"/posts/{post.slug}").text
    assert len(flask_requests) == 1, "the second view came from the page cache"
    assert stored == drawn and stored.rstrip().endswith("</html>")
    assert 'name="csrf_token"' not in stored and "guest." not in stored


def test_a_page_drawn_with_a_flash_message_is_never_stored(app, make_post):
    post = make_post()
    someone = app.test_client()
    with someone.session_transaction() as session:
        session["_flashes"] = [("info", "Your comment is deleted.")]
    assert "Your comment is deleted." in someone.get(f"/posts/{post.slug}").text
    for _ in range(2):
        assert "Your comment is deleted." not in app.test_client().get(f"/posts/{post.slug}").text


def test_pages_asked_for_with_other_queries_or_past_the_end_are_not_stored(
    app, make_post, flask_requests
):
    post = make_post()
    reader = app.test_client()
    reader.get(f"/posts/{post.slug}?order=newest&utm_campaign=junk")
    clean = reader.get(f"/posts/{post.slug}?order=newest")
    assert "junk" not in clean.text, "the first page (its login link says junk) was not stored"
    before = len(flask_requests)
    for _ in range(2):
        assert reader.get(f"/posts/{post.slug}?cpage=99").status_code == 200
    assert len(flask_requests) == before + 2, "a page number past the end is drawn each time"


def test_anonymous_pages_are_public_with_an_etag_and_signed_in_pages_private(
    app, auth, client, make_user, make_post, make_comment, flask_requests
):
    post = make_post()
    reader, url = app.test_client(), f"/posts/{post.slug}"
    drawn, stored = reader.get(url), reader.get(url)
    assert len(flask_requests) == 1
    for response in (drawn, stored):
        assert response.headers["Cache-Control"] == "public, max-age=0, s-maxage=30"
    assert drawn.headers["ETag"] == stored.headers["ETag"] and drawn.headers["ETag"][:3] == 'W/"'
    again = reader.get(url, headers={"If-None-Match": stored.headers["ETag"]})
    assert again.status_code == 304 and again.data == b"" and len(flask_requests) == 1
    assert again.headers["ETag"] == stored.headers["ETag"]
    app.config["PAGE_CACHE"] = False  # the app itself answers the same way
    assert reader.get(url, headers={"If-None-Match": drawn.headers["ETag"]}).status_code == 304
    app.config["PAGE_CACHE"] = True
    make_comment(post, body="a change to the thread")
    changed = reader.get(url, headers={"If-None-Match": stored.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != stored.headers["ETag"]
    make_user(email="rita@example.com")
    auth.login("rita@example.com")
    own = client.get(url, headers={"If-None-Match": changed.headers["ETag"]})
    assert own.status_code == 200 and own.headers["Cache-Control"] == "private"
    assert "ETag" not in own.headers


def test_the_middleware_takes_its_addresses_from_the_route_table(app, make_post, flask_requests):
    # Another address for the post page, as a route the app adds (a shorter one, say).
    app.add_url_rule("/p/<slug>", endpoint="blog.post", view_func=app.view_functions["blog.post"])
    post = make_post()
    reader = app.test_client()
    assert [reader.get(f"/p/{post.slug}").status_code for _ in range(2)] == [200, 200]
    assert reader.get(f"/posts/{post.slug}").status_code == 200
    assert len(flask_requests) == 1, "both addresses served from the stored page"
    # What the routes would not take is left to the app to answer.
    assert reader.get(f"/posts/{post.slug}/").status_code == 404
    assert reader.get(f"/posts/{post.slug}%00").status_code == 404
    assert reader.get(f"/posts/{post.slug}/comments").status_code == 405
    assert len(flask_requests) == 4


def test_a_before_request_hook_that_refuses_covers_stored_pages(app, make_post, flask_requests):
    """A maintenance mode (or a ban) installed as a before_request hook also holds for
    the pages the middleware would serve: with it, they go through Flask."""
    post = make_post()

    @app.before_request
    def maintenance():
        if request.remote_addr == "192.0.2.66":
            return "Down for maintenance.\n", 503

    reader = app.test_client()
    assert [reader.get(f"/posts/{post.slug}").status_code for _ in range(2)] == [200, 200]
    banned = reader.get(f"/posts/{post.slug}", environ_base={"REMOTE_ADDR": "192.0.2.66"})
    assert banned.status_code == 503 and banned.text == "Down for maintenance.\n"
    assert reader.get(f"/posts/{post.slug}").status_code == 200


def test_a_nul_in_the_address_is_not_found(app):
    reader = app.test_client()
    for url in ("/posts/a%00b", "/tags/a%00b", "/authors/a%00b"):
        assert [reader.get(url).status_code for _ in range(2)] == [404, 404], url


def test_the_anonymous_stamp_is_the_stamp_the_page_is_stored_under(app, make_post, make_comment):
    from blogapp.comments.threads import stamp_of, thread_stats

    post = make_post()
    first = make_comment(post, body="first")

    def agree():
        row = post_pages._PAGE_STAMP.one_or_none(db.engine, {"slug": post.slug})
        db.session.expire_all()
        assert stamp_of(row) == thread_stats(db.session.merge(post)).stamp
        return stamp_of(row)

    stamps = [agree()]
    make_comment(post, body="a reply", parent=first)
    stamps.append(agree())
    first.body_html = "<p>edited</p>"
    db.session.commit()
    stamps.append(agree())
    first.status = CommentStatus.REMOVED.value
    db.session.commit()
    stamps.append(agree())
    assert len(set(stamps)) == len(stamps), "each change moves the stamp"
