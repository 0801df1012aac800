"""Draining the outboxes after a commit, off the request's path.

A transaction that wrote outbox rows notes which (``mark_written`` in
``after_flush``); once it has committed and given its connection back, the
app's ``Drainer`` is told. With ``OUTBOX_DRAIN_IN_BACKGROUND`` (the default) a
per-process thread drains while the response goes out: it lets commits gather
for a moment (``OUTBOX_GATHER_SECONDS``), and everything written while it was busy is taken in
its next round, so many comments cost one search-index commit. Off (the test
suite), the committing thread drains before it returns. Either way the committed
row is the record: a process that dies before draining loses nothing, and the
next drain (`flask worker`, `flask mail send`, `flask search sync`, or the next
commit's) delivers it.

One drain at a time a process: a thread that finds another one draining leaves
its work to it, and the drainer looks for new work after letting go, so no
commit's rows wait for a later commit.
"""

from __future__ import annotations

import os
import threading
import time

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from blogapp.extensions import db
from blogapp.ops.outbox import outboxes

EXTENSION_KEY = "parley_drainer"
_PENDING_KEY = "parley_outbox_written"
_READY_KEY = "parley_outbox_committed"
# Work: outbox name -> the row ids to deliver, or None for every due row.
Work = dict[str, set[int] | None]
# How long the background drainer waits before trying again an outbox another
# process was delivering (the search index is one writer at a time).
BUSY_PAUSE = 0.1


def _merge(into: Work, name: str, ids) -> None:
    if ids is None or into.get(name, set()) is None:
        into[name] = None
    else:
        into.setdefault(name, set()).update(ids)


class Drainer:
    """Drains what committed transactions wrote: on its own thread, or the caller's."""

    def __init__(self, app: Flask):
        self.app = app
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.draining = threading.Lock()
        self.waiting: Work = {}
        self.working = False
        self.stopped = False
        self.thread: threading.Thread | None = None
        self.pid = 0

    def notify(self, work: Work) -> None:
        """Deliver ``work`` soon: now on this thread, or on the drainer's."""
        with self.lock:
            for name, ids in work.items():
                _merge(self.waiting, name, ids)
            if self.app.config["OUTBOX_DRAIN_IN_BACKGROUND"]:
                if not self.stopped:
                    self._start()
                self.changed.notify_all()
                return
        self.drain_waiting()

    def _start(self) -> None:
        # A forked worker process inherits the object but not the thread.
        if self.thread is None or self.pid != os.getpid() or not self.thread.is_alive():
            self.pid = os.getpid()
            self.thread = threading.Thread(
                target=self._run, name="parley-outbox-drainer", daemon=True
            )
            self.thread.start()

    def _run(self) -> None:
        while True:
            with self.lock:
                while not self.waiting and not self.stopped:
                    self.changed.wait()
                if self.stopped:
                    return
                gather = self.app.config["OUTBOX_GATHER_SECONDS"]
                self.changed.wait_for(lambda: self.stopped, gather)
                if self.stopped:
                    return
            # One round, then gather again: what was committed during a round waits for
            # the next window rather than starting a round at once, so a steady stream of
            # comments costs a round a window, not a round for every comment or two.
            self.drain_waiting(rounds=1)

    def drain_waiting(self, rounds: int | None = None) -> None:
        """Drain everything noted (in at most ``rounds`` rounds), unless another thread is
        draining (it will)."""
        while self.draining.acquire(blocking=False):
            try:
                with self.lock:
                    work, self.waiting = self.waiting, {}
                    self.working = bool(work)
                in_the_way: Work = {}
                if work:
                    with self.app.app_context():
                        in_the_way = drain(work)
                if in_the_way and self.app.config["OUTBOX_DRAIN_IN_BACKGROUND"]:
                    # Another process's drain may have read the rows before these
                    # were committed: try again shortly rather than wait for the
                    # next commit. (A request that drains inline does not wait.)
                    time.sleep(BUSY_PAUSE)
                    with self.lock:
                        for name, ids in in_the_way.items():
                            _merge(self.waiting, name, ids)
            finally:
                with self.lock:
                    self.working = False
                    self.changed.notify_all()
                self.draining.release()
            if rounds is not None:
                rounds -= 1
                if rounds <= 0:
                    return
            with self.lock:
                if not self.waiting or self.stopped:
                    return

    def wait_until_idle(self, timeout: float = 30) -> bool:
        """Block until nothing is waiting or being drained; False if ``timeout`` passed."""
        with self.lock:
            return self.changed.wait_for(lambda: not (self.waiting or self.working), timeout)

    def stop(self, timeout: float = 30) -> None:
        """Stop the thread after the round in progress; what waits stays in the outboxes."""
        with self.lock:
            self.stopped = True
            self.changed.notify_all()
        if self.thread is not None:
            self.thread.join(timeout)


def drain(work: Work) -> Work:
    """Drain each outbox named in ``work``; one failing does not stop the others.
    Returns the work another process was in the way of."""
    registry, busy = outboxes(), {}
    for name, ids in work.items():
        try:
            if registry[name].drain_after_commit(ids).busy:
                busy[name] = ids
        except Exception:  # the rows stay for the next drain
            current_app.logger.exception("Draining the %s outbox after commit failed", name)
    return busy


def drainer(app: Flask | None = None) -> Drainer:
    app = app or current_app._get_current_object()
    return app.extensions[EXTENSION_KEY]


def mark_written(session: Session, name: str, ids=None) -> None:
    """Note, in ``after_flush``, that this transaction wrote rows to outbox ``name``."""
    _merge(session.info.setdefault(_PENDING_KEY, {}), name, ids)


def _committed(session: Session) -> None:
    written = session.info.pop(_PENDING_KEY, None)
    if written:
        ready = session.info.setdefault(_READY_KEY, {})
        for name, ids in written.items():
            _merge(ready, name, ids)


def _forget(session: Session, previous_transaction=None) -> None:
    session.info.pop(_PENDING_KEY, None)


def _transaction_ended(session: Session, transaction) -> None:
    # Once the outermost transaction has given its connection back, so a request
    # that drains inline never holds two.
    if transaction.parent is not None or _READY_KEY not in session.info:
        return
    ready = session.info.pop(_READY_KEY)
    if not has_app_context():
        return
    registry = outboxes()
    work = {name: ids for name, ids in ready.items() if registry[name].drains_after_commit()}
    if work:
        drainer().notify(work)


def register(app: Flask) -> None:
    """The app's drainer, and the session listeners that feed it (installed once)."""
    app.extensions[EXTENSION_KEY] = Drainer(app)
    target = db.session.session_factory.class_
    if event.contains(target, "after_commit", _committed):
        return
    event.listen(target, "after_commit", _committed)
    event.listen(target, "after_rollback", _forget)
    event.listen(target, "after_transaction_end", _transaction_ended)
