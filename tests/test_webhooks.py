"""The response webhook: events written to the outbox with the change, HMAC-signed,
delivered later by deliver_webhooks() to a real HTTP server on 127.0.0.1, with retries."""

import hashlib
import hmac
import json
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from blogapp.comments.services import post_comment
from blogapp.extensions import db
from blogapp.models import Role, WebhookMessage
from blogapp.models.base import utcnow
from blogapp.responses import assigning, services
from blogapp.webhooks.delivery import deliver_webhooks
from tests.fixtures.webhooks import SECRET


def events(receiver) -> list[str]:
    return [json.loads(body)["event"] for body, _ in receiver.received]


def test_owed_and_acknowledged_events_are_signed_and_sent_after_the_request(
    app, receiver, make_user, make_post
):
    jane = make_user(Role.STAFF, name="Jane Doe")
    post = make_post(author=jane)
    question = post_comment(post, "Any discounts?", guest_name="Gail", guest_email="g@example.com")
    assert question.status == "held"  # a first-time guest: not owed until approved
    mod = make_user(Role.MODERATOR)
    from blogapp.comments.moderation import approve_comment

    approve_comment(question, mod)
    post_comment(post, "Yes!", author=jane, parent_id=question.id)
    assert receiver.received == []  # nothing is sent inside the request
    assert deliver_webhooks() == 2
    assert events(receiver) == ["owed", "acknowledged"]
    body, signature = receiver.received[1]
    assert signature == "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    payload = json.loads(body)
    assert payload["comment_id"] == question.id and payload["kind"] == "reply"
    assert payload["employee"]["name"] == "Jane Doe"
    assert deliver_webhooks() == 0  # delivered once, never twice


def test_overdue_event_once_per_comment(app, receiver, make_user, make_post, make_comment):
    post = make_post(author=make_user(Role.STAFF))
    late = make_comment(post, created_at=utcnow() - timedelta(hours=25))
    deliver_webhooks()
    deliver_webhooks()
    overdue = [json.loads(b) for b, _ in receiver.received if json.loads(b)["event"] == "overdue"]
    assert [e["comment_id"] for e in overdue] == [late.id]


def test_failures_are_retried_later_then_given_up(app, receiver, make_user, make_post):
    app.config["WEBHOOK_MAX_ATTEMPTS"] = 3
    jane = make_user(Role.STAFF)
    question = post_comment(make_post(author=jane), "Hello?", author=make_user(Role.READER))
    receiver.status = 500
    now = utcnow()
    assert deliver_webhooks(now=now) == 1
    message = db.session.scalars(sa.select(WebhookMessage)).one()
    assert (message.status, message.attempts) == ("pending", 1)
    assert "500" in message.last_error
    assert deliver_webhooks(now=now) == 0  # waits before trying again
    assert deliver_webhooks(now=now + timedelta(minutes=1, seconds=1)) == 1
    receiver.status = 200
    services.acknowledge(question, jane)
    assert deliver_webhooks(now=now + timedelta(minutes=3, seconds=2)) == 2
    db.session.refresh(message)
    assert (message.status, message.attempts) == ("delivered", 3)
    receiver.status = 500
    services.undo(question, make_user(Role.MODERATOR))
    for minutes in (10, 20, 40):
        deliver_webhooks(now=now + timedelta(minutes=minutes))
    last = db.session.scalars(sa.select(WebhookMessage).order_by(WebhookMessage.id.desc())).first()
    assert (last.event, last.status, last.attempts) == ("owed", "failed", 3)


def test_no_url_no_events(app, make_user, make_post, make_comment):
    make_comment(make_post(author=make_user(Role.STAFF)))
    assert db.session.scalar(sa.select(sa.func.count(WebhookMessage.id))) == 0
    assert deliver_webhooks() == 0


def test_digest_mails_moderators_the_overdue_and_employees_their_own(
    app, runner, make_user, make_post, make_comment
):
    from blogapp.models import MailMessage

    jane = make_user(Role.STAFF, name="Jane Doe", email="jane@example.com")
    make_user(Role.STAFF, name="Idle Ivan", email="ivan@example.com")
    mod = make_user(Role.MODERATOR, name="Mona", email="mona@example.com")
    post = make_post(author=jane, title="Pricing")
    make_comment(post, body="Late", created_at=utcnow() - timedelta(hours=30))
    fresh = make_comment(post, body="Fresh")
    assigning.assign(fresh, mod, mod)
    result = runner.invoke(args=["responses", "digest"])
    assert "Queued 2 digest messages." in result.output
    mails = {
        m.to_address: m
        for m in db.session.scalars(
            sa.select(MailMessage).where(MailMessage.kind == "response_digest")
        )
    }
    assert set(mails) == {"jane@example.com", "mona@example.com"}
    assert "Waiting for your answer (1)" in mails["jane@example.com"].body_text
    assert "6 h overdue" in mails["jane@example.com"].body_text
    mona = mails["mona@example.com"].body_text
    assert "Waiting for your answer (1)" in mona and "Overdue on the site (1)" in mona
    assert "with Jane Doe" in mona


@pytest.mark.slow  # concurrency: two drains at once
@pytest.mark.alone
def test_two_drains_at_once_send_each_event_once(app, receiver, make_user, make_post):
    post = make_post(author=make_user(Role.STAFF))
    reader = make_user(Role.READER)
    for n in range(12):
        post_comment(post, f"Question {n}", author=reader)
    handled = []

    def drain():
        with app.app_context():
            handled.append(deliver_webhooks())
            db.session.remove()

    threads = [threading.Thread(target=drain) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    sent = sorted(json.loads(body)["comment_id"] for body, _ in receiver.received)
    assert len(sent) == 12 and len(set(sent)) == 12
    assert sum(handled) == 12
