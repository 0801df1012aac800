"""Anti-spam rules: honeypot, fill time, links, blocked words, length, rate limits, duplicates.

Each rejection must come back on the form with the reason and the typed text.
"""

import time
import uuid

import pytest
import redis
from itsdangerous import URLSafeTimedSerializer

from blogapp.extensions import db
from blogapp.models import Role
from tests.comment_helpers import comments_of, form_fields, submit

REGULAR = ("Regular Reader", "regular@example.com")


def assert_rejected(response, reason: str, text: str, status: int = 400) -> None:
    assert response.status_code == status
    assert reason in response.text
    assert f"{text}</textarea>" in response.text, "the typed text is kept"


def test_honeypot_field_rejects_bots_with_a_reason(client, make_post):
    post = make_post()
    response = submit(client, post, "Buy now", guest=REGULAR, website="http://spam.example")
    assert_rejected(response, "This looks automated", "Buy now")
    assert comments_of(post) == []


def test_minimum_fill_time(client, app, make_post):
    app.config["COMMENT_MIN_FILL_SECONDS"] = 5
    post = make_post()
    # A bot posts the page's form at once, never having used it: its clock had not started.
    response = submit(client, post, "Typed very fast", guest=REGULAR)
    assert_rejected(response, "clock had not started", "Typed very fast")
    # One that fetches the clock first (as a browser does when the form is used) is too quick.
    assert client.get(f"/posts/{post.slug}/comments/clock").status_code == 200
    response = submit(client, post, "Typed very fast", guest=REGULAR)
    assert_rejected(response, "That was very quick", "Typed very fast")
    assert comments_of(post) == []
    clock = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="comment-form-shown")
    response = submit(
        client, post, "Took my time", guest=REGULAR, shown=clock.dumps(time.time() - 6)
    )
    assert response.status_code == 303
    forged = submit(client, post, "Forged clock", guest=REGULAR, shown="garbage")
    assert_rejected(forged, "This form had expired", "Forged clock")


def test_too_many_links(client, app, make_post):
    app.config["COMMENT_MAX_LINKS"] = 2
    post = make_post()
    body = "See https://a.example and https://b.example and [c](https://c.example)"
    response = submit(client, post, body, guest=REGULAR)
    assert_rejected(response, "at most 2 links; this one has 3", body)
    assert submit(client, post, "Only https://a.example", guest=REGULAR).status_code == 303


def test_blocked_words_and_phrases(client, app, make_post):
    app.config["COMMENT_BLOCKED_WORDS"] = ("casino bonus", "scam")
    post = make_post()
    response = submit(client, post, "Get your CASINO   bonus today", guest=REGULAR)
    assert_rejected(response, "contains “casino bonus”", "Get your CASINO   bonus today")
    assert submit(client, post, "Scamp the dog is fine", guest=REGULAR).status_code == 303


def test_length_limits(client, app, make_post):
    app.config["COMMENT_MAX_LENGTH"] = 40
    post = make_post()
    long_text = "word " * 20
    response = submit(client, post, long_text, guest=REGULAR)
    assert response.status_code == 400
    assert "Comments can be at most 40 characters; this one has 99." in response.text
    assert "word word word" in response.text
    short = submit(client, post, "k", guest=REGULAR)
    assert_rejected(short, "Please write at least 2 characters.", "k")
    empty = submit(client, post, "   ", guest=REGULAR)
    assert "Please write something before posting." in empty.text
    assert comments_of(post) == []


def test_double_submission_makes_one_comment(client, auth, make_user, make_post):
    post = make_post()
    make_user(Role.READER, email="rita@example.com")
    auth.login("rita@example.com")
    first = submit(client, post, "Clicked twice")
    second = submit(client, post, "Clicked twice")
    assert first.headers["Location"] == second.headers["Location"]
    assert len(comments_of(post)) == 1


def test_per_ip_rate_limit_keeps_the_text(client, app, make_post):
    app.config["COMMENT_RATE_LIMIT_IP"] = "2 per minute"
    post = make_post()
    for n in range(2):
        assert submit(client, post, f"Comment {n}", guest=REGULAR).status_code == 303
    response = submit(client, post, "One too many", guest=REGULAR)
    assert_rejected(response, "commenting faster than this site allows", "One too many", 429)
    assert "2 per 1 minute" in response.text
    assert len(comments_of(post)) == 2


def test_per_ip_limit_is_per_address(app, make_post):
    app.config["COMMENT_RATE_LIMIT_IP"] = "1 per minute"
    post = make_post()
    first = app.test_client()
    first.environ_base["REMOTE_ADDR"] = "192.0.2.1"
    second = app.test_client()
    second.environ_base["REMOTE_ADDR"] = "192.0.2.2"
    assert submit(first, post, "From one", guest=REGULAR).status_code == 303
    assert submit(first, post, "From one again", guest=REGULAR).status_code == 429
    assert submit(second, post, "From two", guest=REGULAR).status_code == 303


def test_per_account_rate_limit_follows_the_account_across_addresses(app, make_user, make_post):
    from tests.conftest import Auth

    app.config["COMMENT_RATE_LIMIT_ACCOUNT"] = "2 per minute"
    post = make_post()
    make_user(Role.READER, email="rita@example.com")
    home, office = app.test_client(), app.test_client()
    home.environ_base["REMOTE_ADDR"] = "192.0.2.10"
    office.environ_base["REMOTE_ADDR"] = "192.0.2.11"
    with app.app_context():
        Auth(home).login("rita@example.com")
    assert submit(home, post, "From home 1").status_code == 303
    assert submit(home, post, "From home 2").status_code == 303
    with app.app_context():
        Auth(office).login("rita@example.com")
    response = submit(office, post, "From the office")
    assert_rejected(
        response, "faster than this site allows (2 per 1 minute)", "From the office", 429
    )


def test_rate_limit_counters_in_redis(make_app):
    """With RATELIMIT_STORAGE_URI naming Redis, the counters live there (shared by workers)."""
    app = make_app(
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0", COMMENT_RATE_LIMIT_IP="1 per minute"
    )
    address = f"2001:db8::{uuid.uuid4().hex[:4]}:{uuid.uuid4().hex[:4]}"
    store = redis.Redis(host="127.0.0.1", port=6379)
    with app.app_context():
        from blogapp.accounts.services import create_user
        from blogapp.markup import render_post
        from blogapp.models import Post, PostStatus
        from blogapp.models.base import utcnow

        author = create_user("s@example.com", "x" * 12, "Sam Staff", Role.STAFF)
        post = Post(
            slug="redis-post",
            title="R",
            body_source="b",
            body_html=render_post("b"),
            status=PostStatus.PUBLISHED.value,
            published_at=utcnow(),
            author=author,
        )
        db.session.add(post)
        db.session.commit()
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        try:
            assert submit(client, post, "First", guest=REGULAR).status_code == 303
            page = client.get("/posts/redis-post").text
            data = form_fields(page) | {"body": "Second", "name": REGULAR[0], "email": REGULAR[1]}
            assert client.post("/posts/redis-post/comments", data=data).status_code == 429
            keys = [k.decode() for k in store.scan_iter(match=f"*{address}*")]
            assert keys and all("comments.create" in k for k in keys)
        finally:
            for key in store.scan_iter(match=f"*{address}*"):
                store.delete(key)
            store.close()


@pytest.mark.parametrize("field", ["name", "email"])
def test_guest_fields_are_required(client, make_post, field):
    post = make_post()
    guest = {"name": "Gail Guest", "email": "gail@example.com"} | {field: ""}
    response = submit(client, post, "Hello there", guest=(guest["name"], guest["email"]))
    assert response.status_code == 400 and "Hello there</textarea>" in response.text
    assert comments_of(post) == []
