"""Flags from readers and the moderator page: approve, spam, remove with a reason, close."""

import pytest

from blogapp.extensions import db
from blogapp.models import CommentStatus, Flag, Role
from tests.comment_helpers import comments_of, submit
from tests.conftest import csrf_from


def flag(client, comment_id: int, reason: str, note: str = ""):
    page = client.get(f"/comments/{comment_id}/flag")
    return client.post(
        f"/comments/{comment_id}/flag",
        data={"csrf_token": csrf_from(page.text), "reason": reason, "note": note},
    )


def moderate(client, comment_id: int, action: str):
    token = csrf_from(client.get("/moderation").text)
    return client.post(f"/moderation/comments/{comment_id}/{action}", data={"csrf_token": token})


@pytest.mark.parametrize(
    ("role", "status"),
    [(None, 302), (Role.READER, 403), (Role.STAFF, 403), (Role.MODERATOR, 200), (Role.ADMIN, 200)],
)
def test_moderation_page_is_for_moderators(client, auth, make_user, role, status):
    if role:
        make_user(role, email="who@example.com")
        auth.login("who@example.com")
    assert client.get("/moderation").status_code == status


def test_reader_flags_a_comment_once_and_moderator_sees_it(
    client, auth, make_user, make_post, make_comment
):
    post = make_post()
    target = make_comment(post, body="Something rude")
    make_user(Role.READER, email="rita@example.com", name="Rita Reader")
    make_user(Role.MODERATOR, email="mod@example.com")
    assert client.get(f"/comments/{target.id}/flag").status_code == 302  # log in first
    auth.login("rita@example.com")
    assert "Report</a>" in client.get(f"/posts/{post.slug}").text
    missing = flag(client, target.id, "")
    assert missing.status_code == 400 and "Please choose a reason." in missing.text
    assert flag(client, target.id, "abuse", "Name-calling").status_code == 303
    again = flag(client, target.id, "spam")
    assert again.status_code == 400 and "already reported" in again.text
    assert db.session.query(Flag).count() == 1
    assert 'href="/moderation"' not in client.get("/").text
    auth.logout()
    auth.login("mod@example.com")
    assert 'href="/moderation">Moderation</a>' in client.get("/").text
    queue = client.get("/moderation").text
    assert "Reported by readers (1)" in queue and "Something rude" in queue
    assert "Abusive or hateful" in queue and "Rita Reader" in queue and "Name-calling" in queue
    assert moderate(client, target.id, "keep").status_code == 303
    assert "Reported by readers (0)" in client.get("/moderation").text
    assert comments_of(post)[0].status == CommentStatus.PUBLISHED


def test_moderator_approves_a_held_comment(client, app, auth, make_user, make_post):
    post = make_post()
    make_user(Role.MODERATOR, email="mod@example.com")
    submit(client, post, "Please approve me", guest=("New Person", "new@example.com"))
    (held,) = comments_of(post)
    assert held.status == CommentStatus.HELD
    auth.login("mod@example.com")
    page = client.get(f"/posts/{post.slug}").text
    assert "Please approve me" in page and "Awaiting moderation" in page, "moderators see held"
    queue = client.get("/moderation").text
    assert "Awaiting approval (1)" in queue and "Please approve me" in queue
    assert moderate(client, held.id, "approve").status_code == 303
    assert comments_of(post)[0].status == CommentStatus.PUBLISHED
    auth.logout()
    assert "Please approve me" in client.get(f"/posts/{post.slug}").text
    assert "1 comment<" in client.get(f"/posts/{post.slug}").text


def test_moderator_marks_spam_and_it_disappears(client, auth, make_user, make_post, make_comment):
    post = make_post()
    spam = make_comment(post, body="Cheap watches")
    moderator = make_user(Role.MODERATOR, email="mod@example.com")
    auth.login("mod@example.com")
    moderate(client, spam.id, "spam")
    db.session.expire_all()
    assert spam.status == CommentStatus.SPAM and spam.removed_by_id == moderator.id
    auth.logout()
    page = client.get(f"/posts/{post.slug}").text
    assert "Cheap watches" not in page and "Comment removed." not in page


def test_moderator_removes_with_a_reason_that_is_kept(
    client, auth, make_user, make_post, make_comment
):
    post = make_post()
    bad = make_comment(post, body="Personal attack")
    make_comment(post, parent=bad, body="Calm reply")
    moderator = make_user(Role.MODERATOR, email="mod@example.com")
    auth.login("mod@example.com")
    assert f"/moderation/comments/{bad.id}/remove" in client.get(f"/posts/{post.slug}").text
    page = client.get(f"/moderation/comments/{bad.id}/remove").text
    empty = client.post(
        f"/moderation/comments/{bad.id}/remove", data={"csrf_token": csrf_from(page), "reason": ""}
    )
    assert empty.status_code == 400 and "Please give a reason." in empty.text
    done = client.post(
        f"/moderation/comments/{bad.id}/remove",
        data={"csrf_token": csrf_from(page), "reason": "Breaks the house rules: insults"},
    )
    assert done.status_code == 303
    db.session.expire_all()
    assert bad.status == CommentStatus.REMOVED and bad.removed_by_id == moderator.id
    assert bad.removal_reason == "Breaks the house rules: insults" and bad.removed_at
    auth.logout()
    html = client.get(f"/posts/{post.slug}").text
    assert "Comment removed." in html and "Calm reply" in html and "Personal attack" not in html
    assert "house rules" not in html


def test_moderator_closes_and_reopens_comments_on_a_post(client, auth, make_user, make_post):
    post = make_post()
    make_user(Role.MODERATOR, email="mod@example.com")
    make_user(Role.STAFF, email="staff@example.com")
    auth.login("staff@example.com")
    token = csrf_from(client.get(f"/posts/{post.slug}").text)
    url = f"/moderation/posts/{post.id}/comments-open"
    assert client.post(url, data={"csrf_token": token, "open": "0"}).status_code == 403
    auth.logout()
    auth.login("mod@example.com")
    page = client.get(f"/posts/{post.slug}").text
    assert "Close comments on this post" in page
    client.post(url, data={"csrf_token": csrf_from(page), "open": "0"})
    page = client.get(f"/posts/{post.slug}").text
    assert "Comments are closed." in page and "Open comments on this post" in page
    client.post(url, data={"csrf_token": csrf_from(page), "open": "1"})
    assert "Comments are closed." not in client.get(f"/posts/{post.slug}").text


def test_nobody_reports_their_own_comment(client, auth, make_user, make_post, make_comment):
    post = make_post()
    rita = make_user(Role.READER, email="rita@example.com")
    mine = make_comment(post, author=rita, body="My own words")
    auth.login("rita@example.com")
    assert "Report</a>" not in client.get(f"/posts/{post.slug}").text
    page = client.get(f"/comments/{mine.id}/flag")
    assert page.status_code == 403 and "can&#39;t report your own comment" in page.text
    token = csrf_from(client.get("/").text)
    sent = client.post(f"/comments/{mine.id}/flag", data={"csrf_token": token, "reason": "spam"})
    assert sent.status_code == 403
    assert db.session.query(Flag).count() == 0


def test_the_flag_service_refuses_the_author_too(make_user, make_post, make_comment):
    from blogapp.comments.moderation import OwnComment, flag_comment

    rita = make_user(Role.READER)
    mine = make_comment(make_post(), author=rita)
    with pytest.raises(OwnComment):
        flag_comment(mine, rita, "spam", None)
    assert db.session.query(Flag).count() == 0


def test_a_guest_who_signs_up_cannot_report_the_comment_their_browser_wrote(
    client, auth, make_user, make_post
):
    post = make_post()
    submit(client, post, "Written as a guest", guest=("Gus Guest", "gus@example.com"))
    (mine,) = comments_of(post)
    mine.status = CommentStatus.PUBLISHED.value
    db.session.commit()
    make_user(Role.READER, email="gus@example.com")
    auth.login("gus@example.com")
    assert client.get(f"/comments/{mine.id}/flag").status_code == 403
