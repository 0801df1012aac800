"""Private support's pages and the public page (issue 17, point 4): who may see a private
conversation, answering and resolving on the web, taking a comment private from the queue
and the post page, and the public comment's label reaching the anonymous cached page."""

from datetime import timedelta

import pytest

from blogapp.comments.purge import post_page_changed
from blogapp.extensions import db
from blogapp.models import PrivateConversation, PrivateStatus, Role
from blogapp.models.base import utcnow
from blogapp.private import services as private
from blogapp.responses import services
from tests.private_helpers import DOMAIN, browser, csrf_of, mails, people


@pytest.fixture(autouse=True)
def inbound(app, separate_browsers):
    app.config["INBOUND_MAIL_DOMAIN"] = DOMAIN


@pytest.fixture
def cast(make_user, make_post):
    return people(make_user, make_post)


@pytest.fixture
def taken(cast, make_comment):
    jane, _, reader, post = cast
    question = make_comment(post, author=reader, body="My account number is on the invoice.")
    conversation = private.take_private(question, jane, "Which invoice? Zanzibarquokka")
    return conversation


def test_the_anonymous_cached_page_shows_the_hand_off_then_the_resolution(app, cast, make_comment):
    jane, author, reader, post = cast
    question = make_comment(post, author=reader, body="Charged twice?")
    anonymous = browser(app)
    page = f"/posts/{post.slug}"
    first = anonymous.get(page)
    assert first.status_code == 200 and "private support" not in first.text
    assert anonymous.get(page).headers["ETag"] == first.headers["ETag"]  # stored

    conversation = private.take_private(question, jane, now=utcnow() - timedelta(hours=2))
    shown = anonymous.get(page)
    assert shown.headers["ETag"] != first.headers["ETag"]
    assert "Taken to private support by" in shown.text
    assert ">Jane Doe</a>, Head of Support" in shown.text
    assert "Resolved privately" not in shown.text
    assert "Which invoice" not in shown.text and "/private/" not in shown.text

    private.resolve(conversation, author)
    resolved = anonymous.get(page)
    assert "Resolved privately · 2 h later" in resolved.text


def test_taking_private_and_resolving_send_the_purge_signal(app, cast, make_comment):
    jane, author, reader, post = cast
    question = make_comment(post, author=reader)
    seen = []

    def receive(sender, post_id, slug):
        seen.append((post_id, slug))

    post_page_changed.connect(receive, app)
    try:
        conversation = private.take_private(question, jane)
        assert seen == [(post.id, post.slug)]
        seen.clear()
        private.answer(conversation, author, "Private words")
        seen.clear()
        private.resolve(conversation, author)
        assert seen == [(post.id, post.slug)]
    finally:
        post_page_changed.disconnect(receive, app)


def test_a_moderator_takes_a_comment_private_from_the_post_page(app, cast, make_comment):
    jane, author, reader, post = cast
    question = make_comment(post, author=reader, body="Help with my account")
    assert "Take to private support" not in browser(app, reader).get(f"/posts/{post.slug}").text
    assert "Take to private support" not in browser(app, author).get(f"/posts/{post.slug}").text
    moderator = browser(app, jane)
    assert f'href="/private/take/{question.id}"' in moderator.get(f"/posts/{post.slug}").text

    form = moderator.get(f"/private/take/{question.id}")
    assert form.status_code == 200 and "Help with my account" in form.text
    sent = moderator.post(
        f"/private/take/{question.id}",
        data={"csrf_token": csrf_of(form.text), "body": "Hello Rita"},
    )
    conversation = db.session.query(PrivateConversation).one()
    assert sent.status_code == 303
    assert sent.headers["Location"].endswith(f"/private/{conversation.id}")
    assert question.id not in services.owed_ids()
    again = moderator.post(
        f"/private/take/{question.id}", data={"csrf_token": csrf_of(form.text), "body": "Twice"}
    )
    assert again.status_code == 400 and "already answered" in again.text
    assert "Twice" in again.text  # what was typed is kept
    assert browser(app, author).get(f"/private/take/{question.id}").status_code == 403


def test_a_moderator_takes_a_comment_private_from_the_queue(app, cast, make_comment):
    jane, _, reader, post = cast
    question = make_comment(post, author=reader)
    moderator = browser(app, jane)
    queue = moderator.get("/responses")
    assert f'action="/responses/{question.id}/private"' in queue.text
    done = moderator.post(
        f"/responses/{question.id}/private",
        data={"csrf_token": csrf_of(queue.text), "body": ""},
    )
    assert done.status_code in (302, 303)
    assert question.id not in services.owed_ids()
    assert [m.kind for m in mails()] == ["private_taken"]


def test_staff_answer_and_resolve_on_the_conversation_page(app, cast, taken):
    _, author, _, _ = cast
    staff = browser(app, author)
    listed = staff.get("/private/")
    assert listed.status_code == 200 and f'href="/private/{taken.id}"' in listed.text
    page = staff.get(f"/private/{taken.id}")
    assert "Zanzibarquokka" in page.text and "Mark resolved" in page.text

    empty = staff.post(
        f"/private/{taken.id}/messages", data={"csrf_token": csrf_of(page.text), "body": " "}
    )
    assert empty.status_code == 400 and "write your message" in empty.text
    long_text = "y" * (app.config["COMMENT_MAX_LENGTH"] + 5)
    too_long = staff.post(
        f"/private/{taken.id}/messages",
        data={"csrf_token": csrf_of(page.text), "body": long_text},
    )
    assert too_long.status_code == 400 and long_text in too_long.text  # nothing typed is lost
    sent = staff.post(
        f"/private/{taken.id}/messages",
        data={"csrf_token": csrf_of(page.text), "body": "Found it, refunded."},
    )
    assert sent.status_code == 303
    assert mails("private_answer")[-1].reply_to.endswith("@" + DOMAIN)
    resolved = staff.post(f"/private/{taken.id}/resolve", data={"csrf_token": csrf_of(page.text)})
    assert resolved.status_code == 303
    db.session.refresh(taken)
    assert taken.status == PrivateStatus.RESOLVED
    assert "Mark resolved" not in staff.get(f"/private/{taken.id}").text


def test_the_customer_reads_and_answers_on_their_own_page(app, cast, taken):
    jane, _, reader, _ = cast
    rita = browser(app, reader)
    page = rita.get(f"/private/{taken.id}")
    assert page.status_code == 200 and "Zanzibarquokka" in page.text
    assert "Mark resolved" not in page.text and '/private/"' not in page.text
    sent = rita.post(
        f"/private/{taken.id}/messages",
        data={"csrf_token": csrf_of(page.text), "body": "Invoice 77."},
    )
    assert sent.status_code == 303
    [message] = [m for m in private.messages(taken) if not m.by_staff]
    assert (message.author_id, message.via) == (reader.id, "web")
    assert mails("private_customer_wrote")[-1].to_address == jane.email
    refused = rita.post(f"/private/{taken.id}/resolve", data={"csrf_token": csrf_of(page.text)})
    assert refused.status_code == 403


@pytest.mark.parametrize("who", ["anonymous", "other reader", "guest author's namesake"])
def test_nobody_else_sees_a_private_conversation(app, cast, taken, make_user, who):
    user = None
    if who == "other reader":
        user = make_user(Role.READER)
    elif who == "guest author's namesake":
        user = make_user(Role.READER, name="Rita Reader")
    client = browser(app, user)
    listed = client.get("/private/")
    page = client.get(f"/private/{taken.id}")
    post = client.post(f"/private/{taken.id}/messages", data={"body": "Let me in"})
    if user is None:
        assert listed.status_code == page.status_code == 302  # to log in
        assert "/account/login" in page.headers["Location"]
    else:
        assert listed.status_code == 403 and page.status_code == 404
    assert post.status_code in (302, 400, 404)
    assert "Zanzibarquokka" not in page.text + listed.text
    assert [m.body_source for m in private.messages(taken)] == ["Which invoice? Zanzibarquokka"]


def test_a_disabled_employee_cannot_read_private_pages(app, cast, taken, make_user):
    staff = make_user(Role.STAFF)
    client = browser(app, staff)
    assert client.get(f"/private/{taken.id}").status_code == 200
    staff.disabled_at = utcnow()
    db.session.commit()
    assert client.get(f"/private/{taken.id}").status_code in (302, 401, 404)


def test_unknown_conversations_are_404(app, cast):
    jane, *_ = cast
    client = browser(app, jane)
    assert client.get("/private/999").status_code == 404
    assert client.get(f"/private/{2**70}").status_code == 404
    assert client.get("/private/?status=nonsense").status_code == 200


def test_a_refused_move_from_the_queue_keeps_the_text_out_of_the_public_reply_box(
    app, cast, make_comment
):
    jane, _, reader, post = cast
    question = make_comment(post, author=reader)
    moderator = browser(app, jane)
    queue = moderator.get("/responses")
    app.config["COMMENT_MAX_LENGTH"] = 100
    words = "Your card number " + "z" * 200
    refused = moderator.post(
        f"/responses/{question.id}/private",
        data={"csrf_token": csrf_of(queue.text), "body": words},
    )
    assert refused.status_code == 400 and "at most" in refused.text
    kept = refused.text.split(f'id="pbody-{question.id}"', 1)[1].split("</textarea>", 1)[0]
    assert "Your card number" in kept
    reply_box = refused.text.split(f'id="reply-{question.id}"', 1)[1].split("</textarea>", 1)[0]
    assert "Your card number" not in reply_box
    assert question.id in services.owed_ids()
