"""`flask worker`: one long-running process that drains the outboxes.

It drains the app's outboxes (blogapp/ops/outbox.py), whose claims keep workers
on several hosts from delivering the same row twice. On SQLite one worker is
enough: a lock file makes a second one stand by until the first one stops.
"""

import fcntl
import logging
import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app

from blogapp.extensions import db
from blogapp.ops.outbox import outboxes

log = logging.getLogger("parley.worker")
SCHEDULED_KEY = "parley_scheduled"

# (name, drain): drain() handles a batch of waiting rows and returns how many.
Drainer = tuple[str, Callable[[], int]]


def _run_schedule() -> int:
    from blogapp.responses.schedule import run_schedule

    return run_schedule()


def register_scheduled(app: Flask, name: str, task: Callable[[], int]) -> None:
    """Add a feature's task to each round of `flask worker`, run before the outboxes are
    drained (the webhook log's pruning); ``task()`` returns how many things it did."""
    app.extensions.setdefault(SCHEDULED_KEY, {})[name] = task


def outbox_drainers() -> list[Drainer]:
    """What `flask worker` does each round, in order: the clock's work (due-soon warnings,
    the daily digest, the features' scheduled tasks) writes mail and webhook rows that the
    app's outboxes then deliver."""
    scheduled = list(current_app.extensions.get(SCHEDULED_KEY, {}).items())
    drains = [
        (name, lambda outbox=outbox: outbox.drain().handled) for name, outbox in outboxes().items()
    ]
    return [("schedule", _run_schedule), *scheduled, *drains]


@contextmanager
def single_worker_lock(path: Path, wait: float, should_stop: Callable[[], bool]) -> Iterator[bool]:
    """Hold an exclusive lock file; yields False if asked to stop before getting it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        announced = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not announced:
                    log.warning("another worker holds %s; standing by", path)
                    announced = True
                if should_stop():
                    yield False
                    return
                time.sleep(wait)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def drain_round(drainers: list[Drainer]) -> int:
    """Visit every outbox once; one outbox failing does not stop the others."""
    handled = 0
    for name, drain in drainers:
        try:
            count = drain()
        except Exception:
            db.session.rollback()
            log.exception("draining %s failed; will retry next round", name)
            continue
        finally:
            db.session.remove()
        if count:
            log.info("%s: %d handled", name, count)
        handled += count
    return handled


def run_worker(
    app: Flask,
    interval: float = 2.0,
    once: bool = False,
    max_rounds: int = 0,
    on_start: Callable[[], None] | None = None,
) -> int:
    """Drain until SIGTERM/SIGINT (or once); returns the rows handled.

    ``on_start`` is called once the signal handlers are in place and the lock is held.
    """
    stopping = {"now": False}

    def stop(signum, frame):
        log.info("signal %s: finishing the current round, then stopping", signum)
        stopping["now"] = True

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    total, rounds = 0, 0
    try:
        with app.app_context():
            lock = _lock_for(app, interval, lambda: stopping["now"])
            with lock as holding:
                if not holding:
                    return 0
                if on_start:
                    on_start()
                while not stopping["now"]:
                    handled = drain_round(outbox_drainers())
                    total += handled
                    rounds += 1
                    if once or (max_rounds and rounds >= max_rounds):
                        break
                    if not handled:
                        time.sleep(interval)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return total


def _lock_for(app: Flask, interval: float, should_stop: Callable[[], bool]):
    if db.engine.url.get_backend_name() == "sqlite":
        return single_worker_lock(Path(app.instance_path) / "worker.lock", interval, should_stop)
    return _no_lock()


@contextmanager
def _no_lock() -> Iterator[bool]:
    yield True
