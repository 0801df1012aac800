"""The one outbox: a row is claimed by one drainer only (SQLite and PostgreSQL alike),
retried with a capped backoff, and after its last try kept as a dead letter."""

import asyncio
import threading
from datetime import timedelta

import sqlalchemy as sa
from aiosmtpd.controller import Controller

from blogapp.extensions import db
from blogapp.mail.outbox import queue_mail
from blogapp.models import (
    Guest,
    MailMessage,
    MailStatus,
    SearchOutbox,
    WebhookMessage,
    WebhookStatus,
)
from blogapp.models.base import utcnow
from blogapp.search.services import SearchOptions, search_site
from blogapp.webhooks.delivery import deliver_webhooks
from tests.mail_helpers import Inbox, free_port


def found(text: str) -> set[str]:
    results = search_site(text, Guest(), SearchOptions())
    return {hit.key for group in results.groups for hit in group.hits}


class HeldInbox(Inbox):
    """An SMTP inbox that holds the first message's DATA until ``release`` is set."""

    def __init__(self):
        super().__init__()
        self.first_arrived = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if not self.first_arrived.is_set():
            self.first_arrived.set()
            while not self.release.is_set():
                await asyncio.sleep(0.005)
        return await super().handle_DATA(server, session, envelope)


def test_a_mail_send_while_an_after_commit_send_is_on_the_wire_does_not_send_it_again(app, runner):
    """`flask mail send` run while a request's after-commit send of the same message is
    still talking to the server must leave that message alone: one mail, not two."""
    inbox = HeldInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    errors: list[BaseException] = []

    def request_that_queues_mail():
        try:
            with app.app_context():
                queue_mail("test", "sam@example.com", "Hello", "Sent once")
                db.session.commit()  # the after-commit send starts here and waits on DATA
                db.session.remove()
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    request = threading.Thread(target=request_that_queues_mail)
    request.start()
    try:
        assert inbox.first_arrived.wait(10), "the after-commit send never reached the server"
        result = runner.invoke(args=["mail", "send"])
    finally:
        inbox.release.set()
        request.join(10)
        controller.stop()
    assert not errors, errors
    assert result.exit_code == 0, result.output
    assert "Sent 0, failed 0." in result.output
    assert [m["Subject"] for m in inbox.messages] == ["Hello"]
    db.session.expire_all()
    (row,) = db.session.scalars(sa.select(MailMessage))
    assert row.status == MailStatus.SENT and row.attempts == 1


def test_webhook_retries_wait_longer_each_time_but_never_more_than_six_hours(app):
    app.config.update(
        RESPONSE_WEBHOOK_URL=f"http://127.0.0.1:{free_port()}/hook",  # nothing listens
        WEBHOOK_MAX_ATTEMPTS=20,
    )
    db.session.add(WebhookMessage(event="owed", comment_id=None, payload="{}"))
    db.session.commit()
    now, waits = utcnow(), []
    for _ in range(12):
        assert deliver_webhooks(now=now) == 1
        db.session.expire_all()
        (row,) = db.session.scalars(sa.select(WebhookMessage))
        waits.append(row.next_attempt_at - now)
        now = row.next_attempt_at
    assert waits[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert waits[-3:] == [timedelta(hours=6)] * 3
    assert row.status == WebhookStatus.PENDING and row.attempts == 12


def test_a_search_change_that_keeps_failing_is_a_dead_letter_until_retried(
    app, runner, monkeypatch, make_post
):
    """After SEARCH_MAX_ATTEMPTS failed tries the row is kept, marked failed with its error,
    listed by `flask outbox dead`, counted by /readyz, and `flask outbox retry` revives it."""
    app.config["SEARCH_MAX_ATTEMPTS"] = 2

    def disk_full(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("blogapp.search.outbox.documents_for", disk_full)
    post = make_post(title="Wombat", body="Wombat burrows.")  # the commit's drain fails once
    sync = runner.invoke(args=["search", "sync"])  # the second failure: given up
    assert sync.exit_code == 0, sync.output
    db.session.expire_all()
    (row,) = db.session.scalars(sa.select(SearchOutbox))
    assert (row.status, row.attempts, row.last_error) == ("failed", 2, "OSError: disk full")
    assert runner.invoke(args=["search", "sync"]).output.startswith("Applied 0 ")

    dead = runner.invoke(args=["outbox", "dead", "search"])
    assert f"#{row.id} " in dead.output and "after 2 attempt(s): OSError: disk full" in dead.output
    assert "search: 0 waiting, 1 dead" in runner.invoke(args=["outbox", "status"]).output
    checks = app.test_client().get("/readyz").json["checks"]
    assert checks["search_outbox"]["dead"] == 1

    monkeypatch.undo()
    retry = runner.invoke(args=["outbox", "retry", "search"])
    assert "1 dead letter(s) queued again in search." in retry.output
    assert runner.invoke(args=["outbox", "drain", "search"]).output.startswith(
        "search: delivered 1, failed 0, dead 0"
    )
    assert found("wombat") == {f"post:{post.id}"}


def test_a_mail_out_of_tries_is_listed_and_counted_as_a_dead_letter(app, runner):
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_MAX_ATTEMPTS=1,
        MAIL_SEND_AFTER_COMMIT=False,
    )  # fmt: skip
    queue_mail("test", "sam@example.com", "Hello", "Body")
    db.session.commit()
    assert "Sent 0, failed 1." in runner.invoke(args=["mail", "send"]).output
    dead = runner.invoke(args=["outbox", "dead", "mail"]).output
    assert "after 1 attempt(s): ConnectionRefusedError" in dead
    assert "mail: 0 waiting, 1 dead" in runner.invoke(args=["outbox", "status"]).output
    assert app.test_client().get("/readyz").json["checks"]["mail_outbox"]["dead"] == 1
