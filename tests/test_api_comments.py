"""A person's own comments through the API: the web form's rules, messages, moderation,
edit window and rate limit, on the token's person."""

from datetime import timedelta

import pytest

from blogapp.extensions import db
from blogapp.models import Comment, CommentStatus, Role
from tests.api_helpers import assert_problem, bearer, token_for


@pytest.fixture
def reader(make_user):
    return make_user(Role.READER, name="Rita Reader")


def _post(client, post, token, **body):
    return client.post(f"/api/v1/posts/{post.slug}/comments", json=body, headers=bearer(token))


def test_a_reader_posts_a_comment_and_a_reply(client, make_post, make_comment, reader):
    post = make_post()
    token = token_for(reader, "comment")
    created = _post(client, post, token, body="How do **refunds** work?")
    assert created.status_code == 201, created.data
    comment = created.get_json()
    assert comment["status"] == "published" and comment["author"]["name"] == "Rita Reader"
    assert "<strong>refunds</strong>" in comment["body_html"]
    other = make_comment(post, body="Someone else")
    reply = _post(client, post, token, body="Same question here.", parent_id=other.id).get_json()
    assert reply["parent_id"] == other.id
    stored = db.session.get(Comment, comment["id"])
    assert stored.author_id == reader.id and stored.ip_hash is not None
    thread = client.get(f"/api/v1/posts/{post.slug}/comments").get_json()
    assert {c["id"] for c in thread["comments"]} == {comment["id"], other.id, reply["id"]}


def test_the_form_messages_come_back_field_by_field(client, make_post, reader):
    post = make_post()
    token = token_for(reader, "comment")
    empty = assert_problem(_post(client, post, token, body="   "), 422)
    assert empty["errors"] == [
        {"field": "body", "message": "Please write something before posting."}
    ]
    gone = assert_problem(_post(client, post, token, body="Reply", parent_id=999), 422)
    assert "no longer available" in gone["errors"][0]["message"]
    missing = assert_problem(_post(client, post, token), 422)
    assert missing["errors"][0]["field"] == "body"


def test_the_sites_text_rules_apply(make_app, make_post, make_user):
    app = make_app(COMMENT_MAX_LINKS=0)
    client = app.test_client()
    with app.app_context():
        post = make_post()
        token = token_for(make_user(Role.READER), "comment")
        body = assert_problem(_post(client, post, token, body="See https://spam.example"), 422)
        assert (
            body["errors"][0]["message"] == "A comment may contain at most 0 links; this one has 1."
        )


def test_closed_posts_refuse_with_403(client, make_post, reader):
    post = make_post(comments_open=False)
    body = assert_problem(_post(client, post, token_for(reader, "comment"), body="Hello"), 403)
    assert body["detail"] == "Comments are closed on this post."


def test_unverified_readers_are_held_as_on_the_web(make_app, make_post, make_user):
    app = make_app(UNVERIFIED_COMMENTS="hold")
    client = app.test_client()
    with app.app_context():
        post = make_post()
        token = token_for(make_user(Role.READER), "comment")
        created = _post(client, post, token, body="Waiting for a moderator")
        assert created.status_code == 201 and created.get_json()["status"] == "held"
        thread = client.get(f"/api/v1/posts/{post.slug}/comments").get_json()
        assert thread["comments"] == []


def test_a_read_only_token_cannot_comment(client, make_post, reader):
    body = assert_problem(_post(client, make_post(), token_for(reader, "read"), body="Hi"), 403)
    assert "'comment' scope" in body["detail"]


def test_edit_within_the_window_only(client, make_post, reader):
    post = make_post()
    token = token_for(reader, "comment")
    comment_id = _post(client, post, token, body="Frist").get_json()["id"]
    edited = client.patch(
        f"/api/v1/comments/{comment_id}", json={"body": "First"}, headers=bearer(token)
    )
    assert edited.status_code == 200 and edited.get_json()["edited_at"] is not None
    comment = db.session.get(Comment, comment_id)
    assert comment.body_source == "First"
    comment.created_at -= timedelta(days=1)
    db.session.commit()
    late = client.patch(
        f"/api/v1/comments/{comment_id}", json={"body": "Later"}, headers=bearer(token)
    )
    assert "can be edited for" in assert_problem(late, 403)["detail"]
    empty = client.patch(f"/api/v1/comments/{comment_id}", json={"body": ""}, headers=bearer(token))
    assert assert_problem(empty, 422)["errors"][0]["message"].startswith("A comment can't be empty")


def test_nobody_edits_or_deletes_anothers_comment(client, make_post, make_comment, reader):
    post = make_post()
    theirs = make_comment(post, body="Not yours")
    token = token_for(reader, "comment")
    assert_problem(
        client.patch(f"/api/v1/comments/{theirs.id}", json={"body": "x"}, headers=bearer(token)),
        403,
    )
    assert_problem(client.delete(f"/api/v1/comments/{theirs.id}", headers=bearer(token)), 403)
    assert_problem(client.delete("/api/v1/comments/424242", headers=bearer(token)), 404)


def test_delete_own_comment(client, make_post, reader):
    post = make_post()
    token = token_for(reader, "comment")
    comment_id = _post(client, post, token, body="Oops").get_json()["id"]
    deleted = client.delete(f"/api/v1/comments/{comment_id}", headers=bearer(token))
    assert deleted.status_code == 204 and deleted.data == b""
    comment = db.session.get(Comment, comment_id)
    assert comment.status == CommentStatus.REMOVED and comment.removed_by_id == reader.id


def test_the_comment_rate_limit_counts_per_account(make_app, make_post, make_user):
    app = make_app(COMMENT_RATE_LIMIT_ACCOUNT="2 per minute")
    client = app.test_client()
    with app.app_context():
        post = make_post()
        reader = make_user(Role.READER)
        token, second = token_for(reader, "comment"), token_for(reader, "comment")
        assert _post(client, post, token, body="One").status_code == 201
        assert _post(client, post, second, body="Two").status_code == 201
        over = assert_problem(_post(client, post, token, body="Three"), 429)
        assert "faster than this site allows" in over["detail"]
