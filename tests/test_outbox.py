"""The one outbox: a row is claimed by one drainer only (SQLite and PostgreSQL alike),
retried with a capped backoff, and after its last try kept as a dead letter."""

import asyncio
import threading

import sqlalchemy as sa
from aiosmtpd.controller import Controller

from blogapp.extensions import db
from blogapp.mail.outbox import queue_mail
from blogapp.models import MailMessage, MailStatus
from tests.mail_helpers import Inbox, free_port


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
