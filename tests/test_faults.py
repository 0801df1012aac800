"""Faults: kill -9 a gunicorn worker, or the `flask worker`, in the middle of writing.

What the outbox design allows (and these tests hold it to): a comment or
acknowledgement that a client was told succeeded is never lost; a mail is sent
at least once, and sent twice only if the worker died between the SMTP server
accepting it and the outbox row being marked sent — at most one message per
killed worker. The search index converges after `flask search sync`.
"""

import asyncio
import email
import email.policy
import os
import random
import signal
import threading
import time
from collections import Counter

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from blogapp.extensions import db
from blogapp.mail.outbox import queue_mail
from blogapp.models import MailMessage, MailStatus
from tests.load_harness import (
    Gunicorn,
    check_every_success_stored_once,
    check_queue_invariant,
    flask,
    flask_worker,
    free_port,
    run_clients,
    seed_site,
    server_env,
)

pytestmark = pytest.mark.slow  # faults: killed workers under load

FAULT_SECONDS = float(os.environ.get("FAULT_SECONDS", "12"))


def test_killing_gunicorn_workers_loses_nothing_acknowledged(app):
    site = seed_site()
    env = server_env(app)
    server = Gunicorn(env, workers=4)
    report_box = {}
    clients = threading.Thread(
        target=lambda: report_box.update(
            report=run_clients(server.url, site, clients=20, seconds=FAULT_SECONDS)
        )
    )
    killed = []
    try:
        clients.start()
        rng = random.Random(3)
        for _ in range(3):
            time.sleep(FAULT_SECONDS / 4)
            pids = server.worker_pids()
            if pids:
                victim = rng.choice(pids)
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)
        clients.join(timeout=FAULT_SECONDS + 120)
    finally:
        server.stop()
    report = report_box["report"]
    assert len(killed) == 3
    assert 500 not in report.statuses, report.statuses
    assert sum(o.ok for o in report.outcomes) >= 20
    check_every_success_stored_once(report)
    check_queue_invariant()
    assert flask(env, "search", "sync").returncode == 0
    check = flask(env, "search", "check")
    assert check.returncode == 0, check.stdout + check.stderr


class SlowInbox:
    """An SMTP handler that takes a little while over each message."""

    def __init__(self):
        self.subjects: list[str] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.02)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.subjects.append(message["Subject"])
        return "250 Message accepted for delivery"


def test_killing_the_flask_worker_mid_send_sends_each_mail_at_least_once_and_at_most_twice(app):
    app.config.update(MAIL_SEND_AFTER_COMMIT=False)
    total = 150
    for n in range(total):
        queue_mail("test", f"person{n}@example.com", f"Message {n}", "Hello.")
    db.session.commit()
    inbox = SlowInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        env = server_env(app, MAIL_SERVER="127.0.0.1", MAIL_PORT=str(controller.port))
        worker = flask_worker(env, "--interval", "0.2")
        deadline = time.monotonic() + 60
        while len(inbox.subjects) < 30 and time.monotonic() < deadline:
            time.sleep(0.05)
        worker.send_signal(signal.SIGKILL)
        worker.communicate(timeout=30)
        sent_before_restart = len(inbox.subjects)
        assert 30 <= sent_before_restart < total, "killed in the middle of the batch"
        restarted = flask_worker(env, "--once")
        output, _ = restarted.communicate(timeout=120)
        assert restarted.returncode == 0, output
    finally:
        controller.stop()
    received = Counter(inbox.subjects)
    assert set(received) == {f"Message {n}" for n in range(total)}, "every mail arrived"
    duplicates = sum(count - 1 for count in received.values())
    assert duplicates <= 1, received.most_common(3)
    db.session.expire_all()
    assert (
        db.session.scalar(
            sa.select(sa.func.count(MailMessage.id)).where(
                MailMessage.status != MailStatus.SENT.value
            )
        )
        == 0
    )
