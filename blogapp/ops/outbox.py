"""One outbox: rows written with the change that caused them, delivered afterwards.

Mail, search and the response webhook each keep a table of rows to deliver. An
``Outbox`` says how to deliver a row; the rest is the same for all three:

- **claim**: a conditional ``UPDATE … SET claimed_until = now + LEASE,
  claimed_by = 'host:pid' WHERE status = 'pending' AND (claimed_until IS NULL
  OR claimed_until <= now)``, committed before anything is delivered. Of two
  drainers that read the same rows only the first one's update matches them, on
  SQLite (which has no row locks) and PostgreSQL alike. A drainer that dies
  mid-delivery leaves its rows to whoever drains after the lease, or sooner to
  the next `flask worker` or CLI drain on its host, which sees the process is
  gone (so a killed worker's rows are sent again at once, at most one of them
  twice: the one on the wire when it died).
- **retry**: a failure adds an attempt, keeps the error and waits
  ``first_backoff`` × 2^(attempts − 1), never more than ``MAX_BACKOFF``.
- **dead letter**: a row refused for good, or failing ``max_attempts`` times, is
  marked ``failed`` with its last error: listed by `flask outbox dead`, queued
  again by `flask outbox retry`, and counted in /readyz's backlog.

The registry is ``app.extensions["parley_outboxes"]``, filled by each feature's
``register(app)``; `flask worker`, /readyz and `flask outbox` read it.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.orm import Session

from blogapp.extensions import db
from blogapp.models.base import utcnow

PENDING = "pending"
DEAD = "failed"
# A claimed row is its drainer's for this long: longer than a batch takes to deliver.
LEASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=6)
EXTENSION_KEY = "parley_outboxes"


@dataclass
class DrainReport:
    delivered: int = 0
    failed: int = 0  # every row not delivered this time, the ones marked dead included
    dead: int = 0  # marked dead this time: refused for good, or out of attempts
    busy: bool = False  # stopped early: another process holds what delivery needs

    @property
    def handled(self) -> int:
        return self.delivered + self.failed


class Outbox:
    """One queue of rows to deliver; subclasses say what delivering a row means."""

    name: str
    model: type
    # The config key holding how many tries a row gets before it is marked dead.
    max_attempts_setting: str
    first_backoff = timedelta(minutes=1)
    # Rows claimed at once: few enough to be delivered well within LEASE.
    batch = 10
    error_length = 2000
    # The config key that says whether a commit's rows are drained right after it
    # (blogapp/ops/drainer.py); None: only `flask worker` and the CLI drain them.
    after_commit_setting: str | None = None

    # -- what each outbox says --------------------------------------------------

    # An outbox delivered row by row (mail, webhooks) says these two; one that applies its
    # rows another way (the search index, in batches under its writer's lock) overrides
    # drain() instead, and never reaches them.

    def deliver(self, row) -> None:
        """Deliver one claimed row; raise on failure."""
        raise NotImplementedError(f"{type(self).__name__} delivers row by row: say how")

    def delivered(self, row, now: datetime) -> None:
        """Mark a row delivered (in the session that claimed it)."""
        raise NotImplementedError(f"{type(self).__name__} delivers row by row: say how")

    def is_permanent(self, error: Exception) -> bool:
        """Whether trying again cannot help: the row goes to the dead letters at once."""
        return False

    def describe(self, error: Exception) -> str:
        return f"{type(error).__name__}: {error}"

    def before_drain(self, now: datetime) -> None:
        """Work to do before each drain of what is due, not one of rows asked for by id
        (the webhook outbox writes its overdue events here)."""

    def drain_after_commit(self, ids: set[int] | None) -> DrainReport:
        """Deliver what a commit wrote: ``ids``, or every due row if None."""
        return self.drain(ids=ids)

    # -- the same for every outbox ----------------------------------------------

    def drains_after_commit(self) -> bool:
        return bool(self.after_commit_setting and current_app.config[self.after_commit_setting])

    @property
    def max_attempts(self) -> int:
        return current_app.config[self.max_attempts_setting]

    def backoff(self, attempts: int) -> timedelta:
        """How long a row that failed ``attempts`` times waits before its next try."""
        return min(self.first_backoff * 2 ** min(attempts - 1, 30), MAX_BACKOFF)

    def _free(self, now: datetime):
        model = self.model
        return sa.or_(model.claimed_until.is_(None), model.claimed_until <= now)

    def candidates(self, now: datetime, ids=None, include_not_due=False, skip=()) -> sa.Select:
        """The pending rows a drain may take, oldest first."""
        model = self.model
        query = sa.select(model).where(model.status == PENDING)
        if ids is not None:
            query = query.where(model.id.in_(ids))
        elif not include_not_due:
            query = query.where(model.next_attempt_at <= now)
        if skip:
            query = query.where(model.id.not_in(skip))
        return query.order_by(model.id)

    def release_orphans(self, session: Session, now: datetime) -> None:
        """Free the rows claimed by drainers of this host that are no longer running."""
        model, host = self.model, socket.gethostname()
        claimants = session.scalars(
            sa.select(model.claimed_by)
            .where(model.claimed_until > now, model.claimed_by.startswith(f"{host}:"))
            .distinct()
        ).all()
        dead = [c for c in claimants if not _running(int(c.rpartition(":")[2]))]
        if dead:
            session.execute(
                sa.update(model)
                .where(model.claimed_by.in_(dead))
                .values(claimed_until=None, claimed_by=None)
                .execution_options(synchronize_session=False)
            )
        session.commit()

    def claim(self, session: Session, limit: int, now: datetime, **which) -> list:
        """Take up to ``limit`` rows for this drainer; committed before it delivers any."""
        model = self.model
        query = self.candidates(now, **which).where(self._free(now)).limit(limit)
        ids = list(session.scalars(query.with_only_columns(model.id)))
        claimed = []
        if ids:
            # The conditional update is the claim; RETURNING says which rows it won.
            claimed = session.scalars(
                sa.update(model)
                .where(model.id.in_(ids), model.status == PENDING, self._free(now))
                .values(claimed_until=now + LEASE, claimed_by=claimant())
                .returning(model.id)
                .execution_options(synchronize_session=False)
            ).all()
        session.commit()
        if not claimed:
            return []
        query = sa.select(model).where(model.id.in_(claimed)).order_by(model.id)
        return list(session.scalars(query))

    def failed(self, row, error: Exception, now: datetime) -> bool:
        """Record a failed try on ``row``; True if it is now a dead letter."""
        row.attempts += 1
        row.last_error = self.describe(error)[: self.error_length]
        if self.is_permanent(error):
            row.status = DEAD
            return True
        row.next_attempt_at = now + self.backoff(row.attempts)
        if row.attempts >= self.max_attempts:
            row.status = DEAD
            return True
        return False

    def drain(
        self, limit: int = 500, *, ids=None, include_not_due: bool = False, now=None
    ) -> DrainReport:
        """Deliver waiting rows (``ids``, or every due one), each settled in its own
        transaction; no row stops the drain."""
        report = DrainReport()
        if ids is None:
            self.before_drain(now or utcnow())
        tried: set[int] = set()
        with Session(db.engine, expire_on_commit=False) as session:
            if ids is None:  # a worker's or the CLI's drain, not a commit's
                self.release_orphans(session, now or utcnow())
            while report.handled < limit:
                rows = self.claim(
                    session,
                    min(self.batch, limit - report.handled),
                    now or utcnow(),
                    ids=ids,
                    include_not_due=include_not_due,
                    skip=tried,
                )
                if not rows:
                    break
                for row in rows:
                    tried.add(row.id)
                    self._deliver_and_settle(session, row, report, now)
        return report

    def _deliver_and_settle(self, session: Session, row, report: DrainReport, now) -> None:
        try:
            self.deliver(row)
        except Exception as error:  # noqa: BLE001 - kept on the row; the drain goes on
            dead = self.failed(row, error, now or utcnow())
            report.failed += 1
            report.dead += dead
            current_app.logger.warning("%s #%s not delivered: %s", self.name, row.id, error)
        else:
            self.delivered(row, now or utcnow())
            report.delivered += 1
        row.claimed_until = row.claimed_by = None
        session.commit()

    def backlog(self) -> tuple[int, int]:
        """(waiting, dead): rows still to deliver, and rows given up on."""
        model = self.model
        counts = dict(
            db.session.execute(
                sa.select(model.status, sa.func.count(model.id))
                .where(model.status.in_([PENDING, DEAD]))
                .group_by(model.status)
            ).all()
        )
        return counts.get(PENDING, 0), counts.get(DEAD, 0)

    def dead_letters(self, limit: int = 50) -> list:
        """The rows given up on, newest first."""
        model = self.model
        return list(
            db.session.scalars(
                sa.select(model).where(model.status == DEAD).order_by(model.id.desc()).limit(limit)
            )
        )

    def retry_dead(self) -> int:
        """Put the dead letters back in the queue with fresh attempts; how many."""
        model = self.model
        result = db.session.execute(
            sa.update(model)
            .where(model.status == DEAD)
            .values(status=PENDING, attempts=0, next_attempt_at=utcnow())
        )
        db.session.commit()
        return result.rowcount


def claimant() -> str:
    """This process, as a claim names it."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def register_outbox(app: Flask, outbox: Outbox) -> None:
    """Add an outbox to the app's registry (the worker drains them in this order)."""
    app.extensions.setdefault(EXTENSION_KEY, {})[outbox.name] = outbox


def outboxes(app: Flask | None = None) -> dict[str, Outbox]:
    """The app's outboxes by name, in the order they were registered."""
    app = app or current_app
    return app.extensions.get(EXTENSION_KEY, {})


def outbox(name: str) -> Outbox:
    return outboxes()[name]
