"""After the last record: threads linked, placeholders kept, the tracker's history written.

File order is not time order, so this runs once the whole file is read:

1. A Disqus comment deleted on the old site is kept as a "Comment removed." placeholder
   only when a kept reply hangs under it; otherwise it is skipped.
2. Each comment's parent is its source parent, or the nearest kept ancestor when that
   was skipped (spam, a note...), or none (a top-level comment).
3. The response tracker, in time order (ARCHITECTURE.md, "The rules the code keeps"):
   a customer's reply to their own still-owed comment joins its item; an employee's reply
   answers its parent's item, by that employee at that time; what is still unanswered
   and older than the cut-off is closed "no response needed — imported" by the person
   importing; newer items stay owed and enter the queue.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.importing.comments import CommentWriter, Entry
from blogapp.importing.report import ImportReport
from blogapp.models import (
    AckKind,
    Acknowledgement,
    AuditEvent,
    CloseReason,
    Comment,
    CommentStatus,
    OutboxKind,
    User,
)
from blogapp.models.base import utcnow
from blogapp.responses.audit import Action
from blogapp.search.outbox import queue as queue_index_changes


def keep_needed_placeholders(writer: CommentWriter) -> None:
    """Step 1: deleted comments with a kept reply under them become placeholders."""
    needed: list[Entry] = []
    for entry in list(writer.kept.values()):
        parent = entry.parent_source_id
        while parent is not None and parent not in writer.kept:
            if parent in writer.deleted:
                placeholder = writer.deleted.pop(parent)
                writer.kept[parent] = placeholder
                needed.append(placeholder)
                parent = placeholder.parent_source_id
            else:
                parent = writer.skipped_parent.get(parent)
    for source_id, entry in writer.deleted.items():
        writer.skipped_parent[source_id] = entry.parent_source_id
        writer.report.skip("comment", "deleted, with no reply kept", f"comment {source_id}")
    for entry in needed:
        entry.row.update(body_source="", body_html="", removed_at=entry.created_at,
                         removal_reason="Deleted on the old site before the import")  # fmt: skip
        writer.report.count("comment", "kept as “Comment removed.”", f"comment {entry.source_id}")
    if not writer.known.dry_run:
        writer.write(needed)


def link_parents(writer: CommentWriter, old_parent_ids: dict[str, int]) -> list[Entry]:
    """Step 2: each new entry's parent entry; returns the new entries in time order."""
    new = [e for e in writer.kept.values() if not e.old]
    olds = _load_old(writer, new, old_parent_ids)
    for entry in new:
        parent = entry.parent_source_id
        while parent is not None:
            if parent in writer.kept:
                entry.parent = writer.kept[parent]
                break
            if parent in olds:
                entry.parent = olds[parent]
                break
            parent = writer.skipped_parent.get(parent)
        if entry.parent is not None and entry.parent.post_id != entry.post_id:
            entry.parent = None  # a parent on another post is no parent
    new.sort(key=lambda e: (e.created_at, e.local_id or 0))
    for entry in new:  # parents come before their replies in time (a clock skew aside)
        entry.root_id = _root_of(entry.parent)
    return new


def _root_of(parent: Entry | None) -> int | None:
    if parent is None:
        return None
    return parent.root_id or parent.local_id


def _load_old(writer: CommentWriter, new: list[Entry], known: dict[str, int]) -> dict[str, Entry]:
    """Earlier imports' comments that new replies hang under, with their tracker state."""
    wanted = {e.source_id for e in writer.kept.values() if e.old}
    wanted |= {e.parent_source_id for e in new if e.parent_source_id not in writer.kept}
    wanted.discard(None)
    ids = {known[s]: s for s in wanted if s in known}
    if not ids:
        return {}
    standing = sa.exists().where(Acknowledgement.standing_comment_id == Comment.id)
    rows = db.session.execute(
        sa.select(
            Comment.id,
            Comment.root_id,
            Comment.joins_id,
            Comment.status,
            Comment.guest_email,
            Comment.author_id,
            Comment.created_at,
            Comment.post_id,
            Comment.customer_clause(),
            standing,
        ).where(Comment.id.in_(list(ids)))  # fmt: skip
    )
    olds: dict[str, Entry] = {}
    for cid, root_id, _joins, status, email, author_id, created, post_id, customer, ack in rows:
        olds[ids[cid]] = Entry(
            source_id=ids[cid], parent_source_id=None, post_id=post_id, created_at=created,
            author_id=author_id, email=(email or "").lower(), status=status, old=True,
            local_id=cid, root_id=root_id, answered=bool(ack), customer=bool(customer),
        )  # fmt: skip
    for source_id, entry in olds.items():
        if source_id in writer.kept:  # the file's copy, with what the site knows of it
            writer.kept[source_id] = entry
    return olds


def _same_person(a: Entry, b: Entry) -> bool:
    if a.author_id is not None or b.author_id is not None:
        return a.author_id == b.author_id
    return bool(a.email) and a.email == b.email


class TrackerHistory:
    """Step 3: the acknowledgements and audit events the imported history calls for."""

    def __init__(self, report: ImportReport, cutoff: datetime, actor: User | None):
        self.report = report
        self.cutoff = cutoff
        self.actor = actor
        self.acks: list[tuple[Entry, str, int | None, datetime, Entry | None]] = []

    def work_out(self, new: list[Entry]) -> None:
        for entry in new:
            if entry.status != CommentStatus.PUBLISHED:
                continue
            parent = entry.parent
            item = (parent.joins or parent) if parent is not None else None
            if item is None or item.status != CommentStatus.PUBLISHED or not item.customer:
                continue
            if entry.customer and _same_person(entry, parent) and not item.answered:
                entry.joins = item
                self.report.tracker["follow-ups joined to their conversation"] += 1
            elif not entry.customer and not item.answered:
                item.answered = True
                self.acks.append((item, AckKind.REPLY, entry.author_id, entry.created_at, entry))
                self.report.tracker["answered by an employee's reply"] += 1
        now = utcnow()
        for entry in new:
            if entry.status != CommentStatus.PUBLISHED or not entry.customer or entry.joins:
                continue
            if entry.answered:
                continue
            if entry.created_at < self.cutoff and self.actor is not None:
                entry.answered = True
                self.acks.append((entry, AckKind.NO_RESPONSE_NEEDED, self.actor.id, now, None))
                self.report.tracker["closed: no response needed — imported"] += 1
            else:
                self.report.tracker["owed: in the response queue"] += 1

    def write(self, new: list[Entry]) -> None:
        connection = db.session.connection()
        updates = [
            {"b_id": e.local_id, "b_parent": e.parent.local_id if e.parent else None,
             "b_root": e.root_id, "b_joins": e.joins.local_id if e.joins else None}
            for e in new if e.parent is not None or e.joins is not None
        ]  # fmt: skip
        if updates:
            table = Comment.__table__
            connection.execute(
                table.update()
                .where(table.c.id == sa.bindparam("b_id"))
                .values(
                    parent_id=sa.bindparam("b_parent"),
                    root_id=sa.bindparam("b_root"),
                    joins_id=sa.bindparam("b_joins"),
                ),  # fmt: skip
                updates,
            )
        acks, events = [], []
        for item, kind, employee_id, at, reply in self.acks:
            closing = kind == AckKind.NO_RESPONSE_NEEDED
            acks.append({
                "comment_id": item.local_id, "standing_comment_id": item.local_id,
                "kind": kind.value, "employee_id": employee_id, "created_at": at,
                "reply_id": reply.local_id if reply else None,
                "reason": CloseReason.IMPORTED.value if closing else None,
            })  # fmt: skip
            events.append({
                "action": Action.CLOSED if closing else Action.REPLIED, "actor_id": employee_id,
                "comment_id": item.local_id, "post_id": item.post_id, "created_at": at,
                "reason": CloseReason.IMPORTED.value if closing else None,
                "detail": f"reply {reply.local_id}" if reply else "imported",
            })  # fmt: skip
        if acks:
            connection.execute(sa.insert(Acknowledgement.__table__), acks)
            connection.execute(sa.insert(AuditEvent.__table__), events)
        posts = {e.post_id for e in new}
        queue_index_changes(db.session, [(OutboxKind.THREAD, post_id) for post_id in posts])
