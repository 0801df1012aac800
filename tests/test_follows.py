"""Following a thread: the button, commenting follows, the mail of new comments (batched,
never about one's own words or what a reply mail already says), and its unsubscribe link."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.follows.mail import EVERY
from blogapp.models import Follow, PostStatus, Role, User
from blogapp.models.base import utcnow
from blogapp.ops.outbox import outbox
from tests.account_helpers import mails_to
from tests.comment_helpers import GAIL, comments_of, submit
from tests.conftest import csrf_from

FOLLOW_FORM = 'class="follow-form"'


@pytest.fixture(autouse=True)
def guests_publish(app):
    app.config["COMMENTS_HOLD_FIRST_GUESTS"] = False


def follows_of(user: User) -> list[int]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Follow.post_id).where(Follow.user_id == user.id)))


def press(client, post, follow: str, back: str = "post"):
    page = client.get(f"/posts/{post.slug}")
    data = {"csrf_token": csrf_from(page.text), "follow": follow, "back": back}
    return client.post(f"/posts/{post.slug}/follow", data=data)


def followed_mails(address: str):
    return [m for m in mails_to(address) if m.kind == "thread_followed"]


def test_a_reader_follows_and_unfollows_from_the_post_page(client, auth, make_user, make_post):
    post, reader = make_post(), make_user(Role.READER)
    anonymous = client.get(f"/posts/{post.slug}").text
    assert FOLLOW_FORM not in anonymous and "csrf_token" not in anonymous

    auth.login(reader.email)
    assert "Follow this thread" in client.get(f"/posts/{post.slug}").text
    response = press(client, post, "1")
    assert response.status_code == 303 and response.headers["Location"].endswith("#comments")
    assert follows_of(reader) == [post.id]
    page = client.get(f"/posts/{post.slug}").text
    assert "You follow this thread" in page and "Follow this thread" not in page
    press(client, post, "1")  # twice is once
    assert follows_of(reader) == [post.id]

    press(client, post, "0")
    assert follows_of(reader) == []


def test_the_follow_form_refuses_a_forged_post_and_an_unknown_post(
    client, auth, make_user, make_post
):
    post, reader = make_post(), make_user(Role.READER)
    draft = make_post(status=PostStatus.DRAFT, published_at=None)
    auth.login(reader.email)
    forged = client.post(f"/posts/{post.slug}/follow", data={"follow": "1"})
    assert forged.status_code == 303 and follows_of(reader) == []
    odd = press(client, post, "yes")
    assert odd.status_code == 303 and follows_of(reader) == []
    page = client.get(f"/posts/{post.slug}")
    data = {"csrf_token": csrf_from(page.text), "follow": "1"}
    assert client.post(f"/posts/{draft.slug}/follow", data=data).status_code == 404
    assert client.post("/posts/no-such-post/follow", data=data).status_code == 404


def test_commenting_follows_the_thread_for_a_reader_who_keeps_that_choice(
    client, auth, make_user, make_post
):
    post, reader, writer = make_post(), make_user(Role.READER), make_user(Role.STAFF)
    auth.login(reader.email)
    assert submit(client, post, "A question?").status_code == 303
    assert follows_of(reader) == [post.id]
    assert "You follow this thread" in client.get(f"/posts/{post.slug}").text

    other = make_post()
    reader.follow_on_comment = False
    db.session.commit()
    submit(client, other, "Another question?")
    assert follows_of(reader) == [post.id]

    auth.logout()
    auth.login(writer.email)
    submit(client, other, "An employee's answer.")
    assert follows_of(writer) == []  # employees follow by hand


def test_followers_hear_of_new_comments_but_not_of_their_own_or_a_reply_to_them(
    app, client, auth, make_user, make_post
):
    post, reader = make_post(), make_user(Role.READER)
    auth.login(reader.email)
    submit(client, post, "My question about the tariff?")
    mine = comments_of(post)[0]
    assert followed_mails(reader.email) == []  # not about one's own comment
    auth.logout()

    guest = app.test_client()
    submit(guest, post, "Same question from me, about the **tariff** too.", guest=GAIL)
    [mail] = followed_mails(reader.email)
    assert mail.subject == f"A new comment on “{post.title}”"
    assert "Gail Guest" in mail.body_text
    assert "Same question from me, about the tariff" in mail.body_text
    assert mail.unsubscribe_url and "/account/unsubscribe/" in mail.unsubscribe_url

    # A reply to the follower is told by the reply mail alone (and the hour has passed).
    later = utcnow() + EVERY + timedelta(minutes=1)
    outbox("follows").drain(now=later)
    submit(guest, post, "And to answer you: yes.", guest=GAIL, parent=mine)
    outbox("follows").drain(now=later + EVERY + timedelta(minutes=1))
    kinds = [m.kind for m in mails_to(reader.email)]
    assert kinds.count("comment_reply") == 1 and kinds.count("thread_followed") == 1
    assert db.session.scalar(sa.select(Follow.told_through_id)) == comments_of(post)[-1].id


def test_comments_within_the_hour_wait_and_go_together(app, client, make_user, make_post):
    post, reader = make_post(), make_user(Role.READER)
    db.session.add(Follow(user_id=reader.id, post_id=post.id))
    db.session.commit()
    guest = app.test_client()
    submit(guest, post, "First, mailed at once.", guest=GAIL)
    submit(guest, post, "Second, waits.", guest=GAIL)
    submit(guest, post, "Third, waits too.", guest=GAIL)
    assert len(followed_mails(reader.email)) == 1

    assert outbox("follows").drain(now=utcnow() + timedelta(minutes=30)).delivered == 0
    assert outbox("follows").backlog() == (1, 0)
    report = outbox("follows").drain(now=utcnow() + EVERY + timedelta(minutes=1))
    assert report.delivered == 1
    first, batch = followed_mails(reader.email)
    assert batch.subject == f"2 new comments on “{post.title}”"
    assert "Second, waits." in batch.body_text and "Third, waits too." in batch.body_text
    assert "First" not in batch.body_text
    assert outbox("follows").backlog() == (0, 0)


def test_the_unsubscribe_link_turns_off_only_threads_i_follow(app, client, make_user, make_post):
    post, reader = make_post(), make_user(Role.READER)
    db.session.add(Follow(user_id=reader.id, post_id=post.id))
    db.session.commit()
    submit(app.test_client(), post, "Something new.", guest=GAIL)
    [mail] = followed_mails(reader.email)
    path = re.sub(r"^https?://[^/]+", "", mail.unsubscribe_url)
    assert "new comments in threads you follow" in client.get(path).text
    client.post(path)
    db.session.expire_all()
    reader = db.session.get(User, reader.id)
    assert not reader.notify_follows and reader.notify_replies and reader.notify_acknowledged

    submit(app.test_client(), post, "Something newer.", guest=GAIL)
    outbox("follows").drain(now=utcnow() + EVERY + timedelta(minutes=1))
    assert len(followed_mails(reader.email)) == 1
    assert outbox("follows").backlog() == (0, 0)  # the mark moved all the same


def test_the_account_page_lists_followed_threads_with_unfollow_and_the_choices(
    client, auth, make_user, make_post
):
    post, reader = make_post(title="Pricing changes"), make_user(Role.READER)
    auth.login(reader.email)
    press(client, post, "1")
    page = client.get("/account").text
    assert "Threads you follow" in page and "Pricing changes" in page
    assert 'name="notify_follows"' in page and 'name="follow_on_comment"' in page

    response = press(client, post, "0", back="account")
    assert response.headers["Location"].endswith("/account#following")
    assert follows_of(reader) == []

    data = {"csrf_token": csrf_from(page), "notify_replies": "y", "notify_acknowledged": "y"}
    client.post("/account/notifications", data=data)
    db.session.expire_all()
    reader = db.session.get(User, reader.id)
    assert not reader.notify_follows and not reader.follow_on_comment and reader.notify_replies
