"""`flask worker`: drains every outbox, and two workers never deliver a row twice."""

import os
import signal
from pathlib import Path

import pytest
import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.mail.outbox import queue_mail
from blogapp.models import MailMessage, MailStatus, Role
from blogapp.ops.outbox import outboxes
from blogapp.ops.worker import run_worker, single_worker_lock
from blogapp.search.outbox import waiting as search_waiting
from tests.load_harness import flask_worker

ROOT = Path(__file__).resolve().parent.parent


def pending_mail() -> int:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(sa.func.count(MailMessage.id)).where(
            MailMessage.status == MailStatus.PENDING.value
        )
    )


def queue_mails(count: int) -> None:
    for n in range(count):
        queue_mail("test", f"person{n}@example.com", f"Message {n}", "Hello.")
    db.session.commit()


def test_one_round_drains_mail_search_and_webhooks(
    app,
    smtp,
    receiver,
    make_user,
    make_post,
    make_comment,
):
    app.config.update(MAIL_SEND_AFTER_COMMIT=False, SEARCH_DRAIN_AFTER_COMMIT=False)
    post = make_post(author=make_user(Role.STAFF))
    make_comment(post, author=make_user(Role.READER), body="Is there an export?")
    queue_mails(3)
    assert pending_mail() >= 3 and search_waiting() > 0
    handled = run_worker(app, once=True)
    assert handled > 0
    assert pending_mail() == 0 and search_waiting() == 0
    assert {m["Subject"] for m in smtp.messages} >= {"Message 0", "Message 1", "Message 2"}
    assert receiver.received, "the comment became owed: its webhook event was delivered"


def test_a_failing_outbox_does_not_stop_the_others(app, smtp, monkeypatch):

    app.config.update(MAIL_SEND_AFTER_COMMIT=False)
    queue_mails(2)

    def broken(*args, **kwargs):
        raise RuntimeError("index on fire")

    monkeypatch.setattr(outboxes(app)["search"], "drain", broken)
    assert run_worker(app, once=True) == 2
    assert pending_mail() == 0


def test_sqlite_lock_file_lets_only_one_worker_run(tmp_path):
    lock = tmp_path / "worker.lock"
    with single_worker_lock(lock, wait=0.01, should_stop=lambda: False) as first:
        assert first is True
        asked = []

        def stop_after_two_tries() -> bool:
            asked.append(1)
            return len(asked) >= 2

        with single_worker_lock(lock, wait=0.01, should_stop=stop_after_two_tries) as second:
            assert second is False
    with single_worker_lock(lock, wait=0.01, should_stop=lambda: True) as again:
        assert again is True, "the lock is free once the first worker stops"


def worker_env(app, smtp_port: int) -> dict:
    env = dict(os.environ)
    env.update(
        FLASK_APP="wsgi",
        PARLEY_ENV="development",
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        PARLEY_INSTANCE_DIR=app.instance_path,
        SEARCH_INDEX_DIR=app.config["SEARCH_INDEX_DIR"],
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp_port),
    )
    return env


@pytest.mark.slow  # concurrency: two worker processes
@pytest.mark.alone
def test_two_workers_started_by_mistake_send_each_mail_once(app, smtp):
    app.config.update(MAIL_SEND_AFTER_COMMIT=False)
    queue_mails(40)
    env = worker_env(app, app.config["MAIL_PORT"])
    workers = [flask_worker(env, "--once"), flask_worker(env, "--once")]
    for process in workers:
        output, _ = process.communicate(timeout=180)  # a bound on a hang on a busy machine
        assert process.returncode == 0, output
    subjects = [m["Subject"] for m in smtp.messages]
    assert sorted(subjects) == sorted(f"Message {n}" for n in range(40))
    assert pending_mail() == 0


@pytest.mark.slow  # a worker process, stopped by a signal
@pytest.mark.alone
def test_worker_stops_cleanly_on_sigterm(app, smtp):
    env = worker_env(app, app.config["MAIL_PORT"])
    process = flask_worker(env, "--interval", "0.2")
    first_line = process.stdout.readline()  # printed once the signal handlers are in place
    assert first_line.startswith("Worker started"), first_line
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=120)  # a bound on a hang on a busy machine
    assert process.returncode == 0, output
    assert "Worker stopped" in output
