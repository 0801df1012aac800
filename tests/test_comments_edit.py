"""Authors edit their comments for a while (guests through their signed cookie) and delete them."""

import re
from datetime import timedelta

from blogapp.comments.guests import COOKIE
from blogapp.extensions import db
from blogapp.models import CommentStatus, Role
from blogapp.models.base import utcnow
from tests.comment_helpers import comments_of, submit
from tests.conftest import csrf_from

GAIL = ("Gail Guest", "gail@example.com")


def edit(client, comment_id: int, body: str):
    page = client.get(f"/comments/{comment_id}/edit")
    return client.post(
        f"/comments/{comment_id}/edit", data={"csrf_token": csrf_from(page.text), "body": body}
    )


def test_reader_edits_within_the_window_and_comment_is_marked_edited(
    client, auth, make_user, make_post
):
    post = make_post()
    make_user(Role.READER, email="rita@example.com")
    auth.login("rita@example.com")
    submit(client, post, "Frist!")
    (comment,) = comments_of(post)
    assert f'href="/comments/{comment.id}/edit">Edit</a>' in client.get(f"/posts/{post.slug}").text
    response = edit(client, comment.id, "First, with *emphasis*.")
    assert response.status_code == 303
    (comment,) = comments_of(post)
    assert comment.body_source == "First, with *emphasis*." and comment.edited_at is not None
    page = client.get(f"/posts/{post.slug}").text
    assert "<em>emphasis</em>" in page and '<span class="edited"' in page and "Frist" not in page


def test_edit_after_the_window_is_refused(client, app, auth, make_user, make_post, make_comment):
    post = make_post()
    rita = make_user(Role.READER, email="rita@example.com")
    old = make_comment(
        post, author=rita, body="Old words", created_at=utcnow() - timedelta(minutes=16)
    )
    auth.login("rita@example.com")
    page = client.get(f"/comments/{old.id}/edit")
    assert "edit window has passed" in page.text and 'name="body"' not in page.text
    response = client.post(
        f"/comments/{old.id}/edit", data={"csrf_token": csrf_from(page.text), "body": "New words"}
    )
    assert response.status_code == 400
    assert "can be edited for 15 minutes after posting" in response.text
    assert comments_of(post)[0].body_source == "Old words"
    app.config["COMMENT_EDIT_MINUTES"] = 30
    assert edit(client, old.id, "New words").status_code == 303


def test_rejected_edit_keeps_the_new_text(client, auth, make_user, make_post, make_comment):
    post = make_post()
    rita = make_user(Role.READER, email="rita@example.com")
    comment = make_comment(post, author=rita, body="Fine")
    auth.login("rita@example.com")
    response = edit(client, comment.id, "casino bonus for all")
    assert response.status_code == 400
    assert "casino bonus" in response.text and "casino bonus for all</textarea>" in response.text


def test_others_cannot_edit_or_delete(client, auth, make_user, make_post, make_comment):
    post = make_post()
    rita = make_user(Role.READER, email="rita@example.com")
    make_user(Role.READER, email="omar@example.com")
    comment = make_comment(post, author=rita, body="Rita's")
    guest_comment = make_comment(post, body="A guest's")
    assert client.get(f"/comments/{guest_comment.id}/edit").status_code == 403
    auth.login("omar@example.com")
    assert client.get(f"/comments/{comment.id}/edit").status_code == 403
    token = csrf_from(client.get("/").text)
    assert (
        client.post(f"/comments/{comment.id}/delete", data={"csrf_token": token}).status_code == 403
    )
    assert comments_of(post)[0].status == CommentStatus.PUBLISHED


def test_guest_edits_through_the_signed_cookie_and_a_forged_one_fails(
    client, app, make_post, make_comment
):
    post = make_post()
    make_comment(post, guest=GAIL, body="Approved before")
    submit(client, post, "Guest wrote this", guest=GAIL)
    mine = comments_of(post)[-1]
    assert mine.status == CommentStatus.PUBLISHED
    page = client.get(f"/posts/{post.slug}").text
    assert f'href="/comments/{mine.id}/edit">Edit</a>' in page
    assert 'value="Gail Guest"' in page, "the form remembers the guest's name"
    assert edit(client, mine.id, "Guest fixed this").status_code == 303
    assert comments_of(post)[-1].body_source == "Guest fixed this"

    stranger = app.test_client()
    with app.app_context():
        assert stranger.get(f"/comments/{mine.id}/edit").status_code == 403
        cookie = client.get_cookie(COOKIE, domain="parley.test").value
        tampered = cookie[:-3] + ("AAA" if not cookie.endswith("AAA") else "BBB")
        stranger.set_cookie(COOKIE, tampered, domain="parley.test")
        assert stranger.get(f"/comments/{mine.id}/edit").status_code == 403


def test_delete_leaves_a_placeholder_and_replies_keep_their_place(
    client, auth, make_user, make_post, make_comment
):
    post = make_post()
    rita = make_user(Role.READER, email="rita@example.com")
    mine = make_comment(
        post, author=rita, body="Regrettable words", created_at=utcnow() - timedelta(days=2)
    )
    make_comment(post, parent=mine, body="A reply that stays")
    auth.login("rita@example.com")
    page = client.get(f"/comments/{mine.id}/edit")
    assert "Delete this comment" in page.text
    response = client.post(f"/comments/{mine.id}/delete", data={"csrf_token": csrf_from(page.text)})
    assert response.status_code == 303
    db.session.expire_all()
    assert mine.status == CommentStatus.REMOVED and mine.removal_reason == "Deleted by its author"
    assert mine.body_source == "Regrettable words", "the words are kept for moderators"
    html = client.get(f"/posts/{post.slug}").text
    assert "Comment removed." in html and "Regrettable words" not in html
    placeholder = re.search(rf'id="c{mine.id}".*?A reply that stays', html, re.S)
    assert placeholder, "the reply is still drawn under the placeholder"
