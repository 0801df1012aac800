"""The search outbox: every change to a post or comment, queued in its own transaction.

``after_flush`` sees every flushed change (whoever made it: comments, studio,
moderation, imports) and writes ``search_outbox`` rows on the same connection,
so they commit or roll back with the change. ORM bulk UPDATE/DELETE statements
on posts and comments are queued too. After the commit, the app's drainer
(blogapp/ops/drainer.py) has ``IndexOutbox`` apply the rows: one writer at a
time, never waiting for a busy index, each row applied from the database's
current state, so duplicate or out-of-order rows are harmless. `flask search
sync` and `flask worker` drain the same outbox.
"""

from collections.abc import Iterable

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from blogapp.extensions import db
from blogapp.models import Comment, OutboxKind, Post, SearchOutbox, User
from blogapp.models.base import utcnow
from blogapp.ops.drainer import mark_written
from blogapp.ops.outbox import DrainReport, Outbox, outbox, register_outbox
from blogapp.search.backend import IndexBusy, IndexWriter, get_backend
from blogapp.search.documents import comment_ids_on, documents_for, ids_by_author
from blogapp.search.hooks import Change, ChangesOf, hooks_of

# Rows applied right after a commit, at most; a bigger backlog is left to
# `flask search sync` or the worker, so no request pays for it.
AFTER_COMMIT_LIMIT = 200
BATCH = 200

def watch(app: Flask, model: type, changes: ChangesOf) -> None:
    """Queue index changes whenever an instance of ``model`` is flushed in ``app``.

    The response tracker registers its acknowledgements and assignments here,
    mapping each to ``("comment", comment_id)``."""
    hooks_of(app).watched[model] = changes


_THREAD_ATTRS = ("title", "tags", "author", "author_id")


def _post_changes(post: Post, state: str) -> Iterable[Change]:
    if state == "deleted":
        return [(OutboxKind.THREAD, post.id)]
    if state == "dirty":
        attrs = sa.inspect(post).attrs
        # Comments carry their post's title and tags, and are owed by default by its
        # author (the response tracker's assignee), so those changes reach them too.
        if any(attrs[name].history.has_changes() for name in _THREAD_ATTRS):
            return [(OutboxKind.THREAD, post.id)]
    return [(OutboxKind.POST, post.id)]


def _comment_changes(comment: Comment, state: str) -> Iterable[Change]:
    return [(OutboxKind.COMMENT, comment.id)]


def _user_changes(user: User, state: str) -> Iterable[Change]:
    attrs = sa.inspect(user).attrs
    if state == "dirty" and (
        attrs.display_name.history.has_changes() or attrs.role.history.has_changes()
    ):
        return [(OutboxKind.AUTHOR, user.id)]
    return []


def queue(session: Session, changes: Iterable[Change]) -> None:
    """Write outbox rows on the session's connection, inside its transaction."""
    rows = [{"kind": str(k), "object_id": i, "created_at": utcnow()} for k, i in set(changes)]
    if rows:
        session.connection().execute(sa.insert(SearchOutbox.__table__), rows)
        mark_written(session, "search")


def _collect(session: Session, flush_context) -> None:
    changes: list[Change] = []
    watched = hooks_of().watched
    for state, objects in (("new", session.new), ("dirty", session.dirty)):
        for obj in objects:
            handler = watched.get(type(obj))
            if handler and (state == "new" or session.is_modified(obj)):
                changes += handler(obj, state)
    for obj in session.deleted:
        if handler := watched.get(type(obj)):
            changes += handler(obj, "deleted")
    queue(session, changes)


_BULK_KINDS = {"posts": OutboxKind.THREAD, "comments": OutboxKind.COMMENT}


def _collect_bulk(orm_execute_state) -> None:
    """ORM UPDATE/DELETE statements skip the flush: queue the rows they will touch."""
    if not (orm_execute_state.is_update or orm_execute_state.is_delete):
        return
    statement = orm_execute_state.statement
    table = getattr(statement, "table", None)
    kind = _BULK_KINDS.get(getattr(table, "name", None))
    if kind is None:
        return
    select = sa.select(table.c.id)
    if statement.whereclause is not None:
        select = select.where(statement.whereclause)
    session = orm_execute_state.session
    ids = session.connection().execute(select).scalars().all()
    queue(session, [(kind, i) for i in ids])


def register(app: Flask) -> None:
    """The search outbox in the app's registry; listen on every app session once."""
    register_outbox(app, IndexOutbox())
    watch(app, Post, _post_changes)
    watch(app, Comment, _comment_changes)
    watch(app, User, _user_changes)
    target = db.session.session_factory.class_
    if event.contains(target, "after_flush", _collect):
        return
    event.listen(target, "after_flush", _collect)
    event.listen(target, "do_orm_execute", _collect_bulk)


def waiting() -> int:
    """How many outbox rows wait to be applied (the failed ones included)."""
    return db.session.scalar(sa.select(sa.func.count(SearchOutbox.id))) or 0


def apply_rows(session: Session, writer: IndexWriter, rows: list[SearchOutbox]) -> None:
    """Bring the index in line with the database for everything these rows name."""
    ids: dict[str, set[int]] = {kind.value: set() for kind in OutboxKind}
    for row in rows:
        ids[row.kind].add(row.object_id)
    posts, comments, threads = ids["post"], ids["comment"], ids["thread"]
    if ids["author"]:
        by_author = ids_by_author(session, ids["author"])
        posts |= set(by_author[0])
        comments |= set(by_author[1])
    if threads:
        posts |= threads
        comments |= set(comment_ids_on(session, threads))
    docs, gone = documents_for(session, posts, comments)
    for post_id in sorted(threads):
        writer.delete_thread(post_id)
    for doc in docs:
        writer.update(doc)
    for key in gone:
        writer.delete(key)


class IndexOutbox(Outbox):
    """The search outbox: rows applied in batches, one index commit a batch.

    No lease: the index's single writer (Whoosh's lock file, PostgreSQL's advisory
    lock), taken before the rows are read, is the claim, and applying a row twice
    is harmless. A batch that fails counts a try on each of its rows.
    """

    name = "search"
    model = SearchOutbox
    max_attempts_setting = "SEARCH_MAX_ATTEMPTS"
    after_commit_setting = "SEARCH_DRAIN_AFTER_COMMIT"
    batch = BATCH

    def drain_after_commit(self, ids) -> DrainReport:
        return self.drain(AFTER_COMMIT_LIMIT)

    def drain(self, limit=10_000, *, ids=None, include_not_due=False, now=None) -> DrainReport:
        """Apply up to ``limit`` waiting rows; a busy index applies none."""
        backend = get_backend()
        report = DrainReport()
        failed: set[int] = set()
        while report.handled < limit:
            which = self.candidates(now or utcnow(), include_not_due=include_not_due, skip=failed)
            ids = []
            with Session(db.engine) as session:
                if session.scalar(which.with_only_columns(SearchOutbox.id).limit(1)) is None:
                    break
                try:
                    with backend.writer(session) as writer:
                        batch = which.limit(min(BATCH, limit - report.handled))
                        rows = list(session.scalars(batch))
                        ids = [row.id for row in rows]
                        self._apply(session, writer, rows)
                except IndexBusy:
                    report.busy = True
                    break
                except Exception as error:  # noqa: BLE001 - kept on the rows; the next batch goes on
                    current_app.logger.exception("Applying search outbox rows failed")
                    session.rollback()
                    if not ids:
                        break
                    failed.update(ids)
                    report.failed += len(ids)
                    report.dead += self._record_failure(session, ids, error, now or utcnow())
                    continue
            report.delivered += len(ids)
            if len(ids) < BATCH:
                break
        return report

    def _apply(self, session: Session, writer: IndexWriter, rows: list[SearchOutbox]) -> None:
        apply_rows(session, writer, rows)
        if not writer.in_transaction:
            # A file index: its lock serializes drains, so end the read transaction
            # now; on SQLite a long one could not turn into the write below once
            # another connection had committed.
            session.commit()
        writer.commit()
        # Only after the index has them: a crash in between re-applies, never loses.
        session.execute(sa.delete(SearchOutbox).where(SearchOutbox.id.in_([r.id for r in rows])))
        session.commit()

    def _record_failure(self, session: Session, ids: list[int], error, now) -> int:
        rows = session.scalars(sa.select(SearchOutbox).where(SearchOutbox.id.in_(ids)))
        dead = sum(self.failed(row, error, now) for row in rows)
        session.commit()
        return dead


def drain(limit: int = 10_000) -> int:
    """Apply up to ``limit`` waiting rows, failed tries included; returns how many."""
    return outbox("search").drain(limit, include_not_due=True).handled
