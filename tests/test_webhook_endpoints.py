"""Webhook endpoints an admin adds: one delivery per endpoint × event, signed with each
endpoint's secret and a timestamp, nothing to a paused one, paused after a day of
failures, the log pruned after 30 days, and every event type written where it happens."""

import hashlib
import hmac
import itertools
import json
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import event as sa_event

from blogapp.comments.moderation import approve_comment
from blogapp.comments.services import post_comment
from blogapp.extensions import db
from blogapp.models import (
    AuditEvent,
    CommentStatus,
    MailMessage,
    PostStatus,
    Role,
    WebhookEndpoint,
    WebhookMessage,
)
from blogapp.models.base import utcnow
from blogapp.ops.worker import outbox_drainers
from blogapp.responses import schedule, services
from blogapp.studio.drafts import PostDraft
from blogapp.studio.editing import save_post
from blogapp.webhooks import services as hooks
from blogapp.webhooks.addresses import UnsafeAddress, check_endpoint_url
from blogapp.webhooks.delivery import deliver_webhooks, prune_log
from blogapp.webhooks.sending import SIGNATURE_V2_HEADER, TIMESTAMP_HEADER
from tests.fixtures.webhooks import SECRET


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, email="ada@example.com")


def events_of(receiver) -> list[str]:
    return [json.loads(body)["event"] for body, _ in receiver.received]


def hmac_hex(secret: str, message: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def test_a_receiver_with_the_secret_can_verify_each_request_and_refuse_a_replay(
    app, admin, make_receiver, make_post, make_user
):
    receiver = make_receiver()
    endpoint = hooks.add_endpoint(receiver.url, ["comment_published"], admin)
    post_comment(make_post(), "Hello there", author=make_user(Role.READER))
    assert deliver_webhooks() == 1
    (body, signature), headers = receiver.received[0], receiver.headers[0]
    assert signature == hmac_hex(endpoint.secret, body)  # as Parley has always signed
    timestamp = headers[TIMESTAMP_HEADER]
    assert abs(int(timestamp) - time.time()) < 60  # a receiver refuses an old one
    assert headers[SIGNATURE_V2_HEADER] == hmac_hex(
        endpoint.secret, f"{timestamp}.".encode() + body
    )
    # The timestamp is signed: a replay with a fresh one does not verify.
    later = str(int(timestamp) + 600).encode()
    assert headers[SIGNATURE_V2_HEADER] != hmac_hex(endpoint.secret, later + b"." + body)
    row = db.session.scalar(sa.select(WebhookMessage))
    assert headers["X-Parley-Delivery"] == str(row.id)
    assert (row.status, row.response_status, row.response_excerpt) == ("delivered", 200, "ok")


def test_a_rotated_secret_signs_everything_after_it_and_the_old_one_nothing(
    app, admin, make_receiver, make_post
):
    receiver = make_receiver()
    endpoint = hooks.add_endpoint(receiver.url, ["post_published"], admin)
    old = endpoint.secret
    make_post(title="Before")  # its event waits in the outbox
    new = hooks.rotate_secret(endpoint, admin)
    make_post(title="After")
    assert new != old and deliver_webhooks() == 2
    for body, signature in receiver.received:
        assert signature == hmac_hex(new, body) != hmac_hex(old, body)


def test_a_paused_endpoint_gets_nothing_until_resumed(
    app, admin, make_receiver, make_post, make_user
):
    paused, active = make_receiver(), make_receiver()
    quiet = hooks.add_endpoint(paused.url, ["comment_published"], admin)
    hooks.add_endpoint(active.url, ["comment_published"], admin)
    post = make_post()
    post_comment(post, "Written before the pause", author=make_user(Role.READER))
    hooks.pause(quiet, admin)
    post_comment(post, "Written while paused", author=make_user(Role.READER))
    deliver_webhooks()
    assert paused.received == [] and len(active.received) == 2
    hooks.resume(quiet, admin)
    deliver_webhooks()
    # What waited goes out; what happened while paused was never its.
    assert [json.loads(b)["comment_id"] for b, _ in paused.received] == [1]


def test_each_endpoint_gets_only_the_events_it_chose(
    app, admin, make_receiver, make_post, make_user
):
    tracker, comments = make_receiver(), make_receiver()
    hooks.add_endpoint(tracker.url, ["owed", "acknowledged"], admin)
    hooks.add_endpoint(comments.url, ["comment_published"], admin)
    jane = make_user(Role.STAFF)
    post = make_post(author=jane)
    question = post_comment(post, "A question?", author=make_user(Role.READER))
    post_comment(post, "An answer.", author=jane, parent_id=question.id)
    deliver_webhooks()
    assert events_of(tracker) == ["owed", "acknowledged"]
    assert events_of(comments) == ["comment_published", "comment_published"]


def test_the_environment_url_still_gets_the_tracker_events_beside_an_endpoint(
    app, admin, receiver, make_receiver, make_post, make_user
):
    other = make_receiver()
    hooks.add_endpoint(other.url, ["owed", "comment_published"], admin)
    post_comment(make_post(), "A question?", author=make_user(Role.READER))
    deliver_webhooks()
    assert events_of(receiver) == ["owed"]  # never the new kinds: its receiver knows four
    body, signature = receiver.received[0]
    assert signature == hmac_hex(SECRET, body)
    assert sorted(events_of(other)) == ["comment_published", "owed"]


def test_an_endpoint_failing_for_a_day_is_paused_and_the_admins_mailed(
    app, admin, make_receiver, make_post, make_user
):
    make_user(Role.STAFF, email="staff@example.com")
    receiver = make_receiver()
    receiver.status = 503
    endpoint = hooks.add_endpoint(receiver.url, ["post_published"], admin)
    make_post()
    now = utcnow()
    deliver_webhooks(now=now)
    db.session.refresh(endpoint)
    assert endpoint.failing_since is not None and endpoint.is_active
    make_post()  # a day of failures later
    deliver_webhooks(now=now + timedelta(hours=24, minutes=1))
    db.session.refresh(endpoint)
    assert not endpoint.is_active and "failed since" in endpoint.paused_reason
    mails = db.session.scalars(sa.select(MailMessage).where(MailMessage.kind == "webhook_paused"))
    (mail,) = mails.all()
    assert mail.to_address == "ada@example.com" and endpoint.url in mail.body_text
    audit = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.actor_id.is_(None))).one()
    assert audit.action == "webhook_paused" and "by Parley" in audit.detail
    count = len(receiver.received)
    make_post()
    deliver_webhooks(now=now + timedelta(hours=30))
    assert len(receiver.received) == count  # paused: nothing more


def test_one_delivery_that_works_clears_the_failing_clock(app, admin, make_receiver, make_post):
    receiver = make_receiver()
    receiver.status = 500
    endpoint = hooks.add_endpoint(receiver.url, ["post_published"], admin)
    make_post()
    now = utcnow()
    deliver_webhooks(now=now)
    receiver.status = 200
    deliver_webhooks(now=now + timedelta(minutes=2))
    db.session.refresh(endpoint)
    assert endpoint.failing_since is None and endpoint.is_active


def test_the_log_is_pruned_after_30_days_by_the_workers_round(app, admin, make_receiver):
    receiver = make_receiver()
    endpoint = hooks.add_endpoint(receiver.url, ["post_published"], admin)
    now = utcnow()
    for age in (31, 29):
        db.session.add(
            WebhookMessage(
                endpoint_id=endpoint.id,
                event="ping",
                payload="{}",
                status="delivered",
                created_at=now - timedelta(days=age),
            )
        )
    db.session.commit()
    assert "webhook log" in dict(outbox_drainers())
    assert dict(outbox_drainers())["webhook log"]() == 1
    ages = db.session.scalars(sa.select(WebhookMessage.created_at)).all()
    assert [(now - at).days for at in ages] == [29]
    assert prune_log(now + timedelta(days=2)) == 1


def test_every_event_type_is_written_where_it_happens(
    app, admin, make_receiver, make_post, make_user, make_comment
):
    receiver = make_receiver()
    everything = [
        "owed",
        "overdue",
        "due_soon",
        "acknowledged",
        "comment_published",
        "post_published",
    ]
    hooks.add_endpoint(receiver.url, everything, admin)
    jane, mod = make_user(Role.STAFF), make_user(Role.MODERATOR)
    post = make_post(author=jane)
    guest = post_comment(post, "First time here", guest_name="Gail", guest_email="g@example.com")
    assert guest.status == CommentStatus.HELD
    approve_comment(guest, mod)  # published by a moderator: owed, comment_published
    services.acknowledge(guest, jane)
    make_comment(post, created_at=utcnow() - timedelta(hours=25))  # overdue at the next drain
    soon = make_comment(post, created_at=utcnow() - timedelta(hours=23))
    app.config["DUE_SOON_HOURS"] = 2
    assert schedule.warn_due_soon() == 1
    draft = save_post(None, PostDraft(title="Launch", body="We shipped."), jane, None, "publish")
    later = utcnow() + timedelta(hours=1)
    scheduled = save_post(
        None, PostDraft(title="Soon", body="Coming."), jane, None, "schedule", publish_at=later
    )
    deliver_webhooks()
    deliver_webhooks(now=later + timedelta(minutes=1))  # the scheduled post went live
    sent = [json.loads(body) for body, _ in receiver.received]
    assert {e["event"] for e in sent} == set(everything)
    posts = [e["post_id"] for e in sent if e["event"] == "post_published"]
    assert posts.count(draft.id) == 1 and posts.count(scheduled.id) == 1
    assert [e["comment_id"] for e in sent if e["event"] == "due_soon"] == [soon.id]
    published = [e for e in sent if e["event"] == "comment_published"]
    assert guest.id in [e["comment_id"] for e in published]
    first = published[0]
    assert first["comment"]["url"].endswith(f"/c/{first['comment_id']}")
    assert scheduled.status == PostStatus.SCHEDULED


_TEXTS = itertools.count()


def _statements_of_a_comment(app, post, reader) -> list[str]:
    statements: list[str] = []
    count = next(_TEXTS)

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", record)
    try:
        post_comment(post, f"Counting statements, number {count}", author=reader)
        db.session.commit()
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", record)
    return statements


def test_a_comment_costs_no_statement_unless_an_endpoint_wants_it(
    app, admin, make_receiver, make_post, make_user
):
    post, reader = make_post(), make_user(Role.READER)
    hooks.add_endpoint(make_receiver().url, ["post_published"], admin)
    _statements_of_a_comment(app, post, reader)  # the list of endpoints is read once
    quiet = _statements_of_a_comment(app, post, reader)
    assert not [s for s in quiet if "webhook" in s]
    hooks.add_endpoint(make_receiver().url, ["comment_published"], admin)
    _statements_of_a_comment(app, post, reader)  # the list is read again after the change
    wanted = _statements_of_a_comment(app, post, reader)
    assert len(wanted) == len(quiet) + 1
    assert [s for s in wanted if "webhook" in s][0].startswith("INSERT INTO webhook_outbox")


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://example.com/hook", "must start with https://"),
        ("javascript:alert(1)", "must start with https://"),
        ("https://user:pw@example.com/", "user name and password"),
        ("https:///hook", "needs a host name"),
        ("http://127.0.0.1:8080/hook", "private or local address"),
        ("http://10.1.2.3/hook", "private or local address"),
        ("http://169.254.169.254/latest/meta-data", "private or local address"),
        ("http://[::1]/hook", "private or local address"),
        ("http://[::ffff:127.0.0.1]/hook", "private or local address"),
        ("http://[64:ff9b::a00:1]/hook", "private or local address"),  # NAT64 of 10.0.0.1
    ],
)
def test_an_endpoint_must_be_http_on_the_public_internet(app, url, says):
    app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"] = False
    with pytest.raises(UnsafeAddress, match=says):
        check_endpoint_url(url)


def test_delivery_checks_the_address_again(app, admin, make_receiver, make_post):
    receiver = make_receiver()
    hooks.add_endpoint(receiver.url, ["post_published"], admin)
    app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"] = False  # as if it resolved elsewhere now
    make_post()
    deliver_webhooks()
    row = db.session.scalar(sa.select(WebhookMessage))
    assert receiver.received == [] and "private or local address" in row.last_error


def test_removing_an_endpoint_removes_its_log(app, admin, make_receiver, make_post):
    endpoint = hooks.add_endpoint(make_receiver().url, ["post_published"], admin)
    make_post()
    hooks.remove(endpoint, admin)
    assert db.session.scalar(sa.select(sa.func.count(WebhookMessage.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(WebhookEndpoint.id))) == 0


def test_a_draft_published_later_is_announced_once(app, admin, make_receiver, make_user):
    receiver = make_receiver()
    hooks.add_endpoint(receiver.url, ["post_published"], admin)
    jane = make_user(Role.STAFF)
    post = save_post(None, PostDraft(title="Draft", body="Not yet."), jane, None, "save")
    deliver_webhooks()
    assert receiver.received == []  # a draft is nobody's news
    db.session.expire_all()  # as in a new request: the post's columns load afresh
    post = save_post(post, PostDraft(title="Draft", body="Now."), jane, post.version, "publish")
    post = save_post(post, PostDraft(title="Edited", body="Now!"), jane, post.version, "publish")
    deliver_webhooks()
    assert [json.loads(body)["post_id"] for body, _ in receiver.received] == [post.id]
