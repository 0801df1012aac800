"""After the last record: threads linked, placeholders kept, the tracker's history written.

File order is not time order, so this runs once the whole file is read, over the few
ints a comment the writer kept (kept.py; never the comments themselves):

1. A Disqus comment deleted on the old site is kept as a "Comment removed." placeholder
   only when a kept reply hangs under it; otherwise it is skipped.
2. Each comment's parent is its source parent, or the nearest kept ancestor when that
   was skipped (spam, a note...), or none (a top-level comment). Earlier imports'
   comments that new replies hang under are read from the database, a batch at a time.
3. The response tracker, in time order (ARCHITECTURE.md, "The rules the code keeps"):
   a customer's reply to their own still-owed comment joins its item; an employee's reply
   answers its parent's item, by that employee at that time; what is still unanswered
   and older than the cut-off is closed "no response needed — imported" by the person
   importing; newer items stay owed and enter the queue.

What is written (parents, acknowledgements, audit events) goes out BATCH rows at a time.
"""

from __future__ import annotations

from array import array
from datetime import datetime

import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.importing.comments import CommentWriter
from blogapp.importing.kept import (
    ANSWERED,
    CUSTOMER,
    HELD,
    NONE,
    OLD,
    PUBLISHED,
    REFUSED,
    REMOVED,
    KeptComments,
    from_microseconds,
    microseconds,
)
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

BATCH = 1000
_STATUS = {CommentStatus.PUBLISHED.value: PUBLISHED, CommentStatus.HELD.value: HELD}


def keep_needed_placeholders(writer: CommentWriter) -> None:
    """Step 1: deleted comments with a kept reply under them become placeholders."""
    kept = writer.kept
    needed: list[tuple[int, str, dict]] = []
    for at in range(len(kept)):
        if kept.status[at] == REFUSED:
            continue
        parent = kept.parent_key[at]
        while parent != NONE and parent not in kept.position:
            if parent in writer.deleted:
                grandparent, email, source_id, row = writer.deleted.pop(parent)
                placeholder = kept.add(parent, grandparent, row["post_id"], row["created_at"],
                                       row["author_id"], email, REMOVED)  # fmt: skip
                needed.append((placeholder, source_id, row))
                parent = grandparent
            else:
                parent = writer.skipped_parent.get(parent, NONE)
    for key, (parent, _, source_id, _) in writer.deleted.items():
        writer.skipped_parent[key] = parent
        writer.report.skip("comment", "deleted, with no reply kept", f"comment {source_id}")
    writer.deleted.clear()
    for _, source_id, _ in needed:
        writer.report.count("comment", "kept as “Comment removed.”", f"comment {source_id}")
    if not writer.known.dry_run:
        writer.write(needed)


def link_parents(writer: CommentWriter, old_ids: dict[str, int]) -> tuple[array, array]:
    """Step 2: each new comment's parent (a position in ``writer.kept``, or NONE), and
    the new comments' positions in time order. ``old_ids``: earlier imports' comments."""
    kept, new = writer.kept, len(writer.kept)
    parent_at = array("q", [NONE]) * new
    wanted: dict[int, int] = {}  # an earlier import's comment id → its position (once read)
    for at in range(new):
        if kept.status[at] == REFUSED:
            continue
        parent = kept.parent_key[at]
        while parent != NONE:
            if parent in kept.position:
                parent_at[at] = kept.position[parent]
                break
            old = old_ids.get(writer.keys.text(parent))
            if old is not None:
                wanted[old] = NONE
                parent_at[at] = -2 - old  # an earlier import's comment, read below
                break
            parent = writer.skipped_parent.get(parent, NONE)
    _load_old(kept, wanted)
    for at in range(new):
        parent = parent_at[at]
        if parent < NONE:
            parent = parent_at[at] = wanted[-2 - parent]
        if parent != NONE and kept.post_id[parent] != kept.post_id[at]:
            parent_at[at] = NONE  # a parent on another post is no parent
    # Stable: a tie in time keeps the file's order, which is the order of the new ids.
    order = array("q", sorted(
        (at for at in range(new) if kept.status[at] != REFUSED), key=kept.created.__getitem__
    ))  # fmt: skip
    for at in order:  # parents come before their replies in time (a clock skew aside)
        parent = parent_at[at]
        if parent != NONE:
            kept.root_id[at] = kept.root_id[parent] or kept.local_id[parent]
    return parent_at, order


def _load_old(kept: KeptComments, wanted: dict[int, int]) -> None:
    """Earlier imports' comments that new replies hang under, with their tracker state,
    appended to ``kept`` (flagged OLD); ``wanted`` gets their positions."""
    standing = sa.exists().where(Acknowledgement.standing_comment_id == Comment.id)
    ids = list(wanted)
    for start in range(0, len(ids), BATCH):
        rows = db.session.execute(
            sa.select(
                Comment.id, Comment.root_id, Comment.status, Comment.guest_email,
                Comment.author_id, Comment.created_at, Comment.post_id,
                Comment.customer_clause(), standing,
            ).where(Comment.id.in_(ids[start : start + BATCH]))
        )  # fmt: skip
        for cid, root_id, status, email, author_id, created, post_id, customer, ack in rows:
            flags = OLD | (CUSTOMER if customer else 0) | (ANSWERED if ack else 0)
            at = kept.add(NONE, NONE, post_id, created, author_id, (email or "").lower(),
                          _STATUS.get(status, REMOVED), flags)  # fmt: skip
            kept.local_id[at], kept.root_id[at] = cid, root_id or 0
            wanted[cid] = at


class TrackerHistory:
    """Step 3: the acknowledgements and audit events the imported history calls for."""

    def __init__(self, report: ImportReport, cutoff: datetime, actor: User | None):
        self.report = report
        self.cutoff = microseconds(cutoff)
        self.actor = actor
        # (item, reply) positions; reply NONE: closed "no response needed — imported"
        self.ack_item = array("q")
        self.ack_reply = array("q")
        self.joins = array("q")

    def work_out(self, kept: KeptComments, parent_at: array, order: array) -> None:
        self.joins = joins = array("q", [NONE]) * len(kept)
        tracker = self.report.tracker
        for at in order:
            parent = parent_at[at]
            if kept.status[at] != PUBLISHED or parent == NONE:
                continue
            item = parent if joins[parent] == NONE else joins[parent]
            if kept.status[item] != PUBLISHED or not kept.has(item, CUSTOMER):
                continue
            if kept.has(item, ANSWERED):
                continue
            if kept.has(at, CUSTOMER):
                if kept.same_person(at, parent):
                    joins[at] = item
                    tracker["follow-ups joined to their conversation"] += 1
            else:
                kept.set(item, ANSWERED)
                self.ack_item.append(item)
                self.ack_reply.append(at)
                tracker["answered by an employee's reply"] += 1
        for at in order:
            if kept.status[at] != PUBLISHED or not kept.has(at, CUSTOMER):
                continue
            if joins[at] != NONE or kept.has(at, ANSWERED):
                continue
            if kept.created[at] < self.cutoff and self.actor is not None:
                kept.set(at, ANSWERED)
                self.ack_item.append(at)
                self.ack_reply.append(NONE)
                tracker["closed: no response needed — imported"] += 1
            else:
                tracker["owed: in the response queue"] += 1

    def write(self, kept: KeptComments, parent_at: array, order: array) -> None:
        connection = db.session.connection()
        table = Comment.__table__
        link = (
            table.update()
            .where(table.c.id == sa.bindparam("b_id"))
            .values(
                parent_id=sa.bindparam("b_parent"),
                root_id=sa.bindparam("b_root"),
                joins_id=sa.bindparam("b_joins"),
            )
        )  # fmt: skip
        updates = []
        for at in range(len(parent_at)):
            parent, joined = parent_at[at], self.joins[at]
            if kept.status[at] == REFUSED or (parent == NONE and joined == NONE):
                continue
            updates.append({
                "b_id": kept.local_id[at],
                "b_parent": kept.local_id[parent] if parent != NONE else None,
                "b_root": kept.root_id[at] or None,
                "b_joins": kept.local_id[joined] if joined != NONE else None,
            })  # fmt: skip
            if len(updates) >= BATCH:
                connection.execute(link, updates)
                updates = []
        if updates:
            connection.execute(link, updates)
        for start in range(0, len(self.ack_item), BATCH):
            self._write_acks(kept, range(start, min(start + BATCH, len(self.ack_item))))
        posts = {kept.post_id[at] for at in order}
        queue_index_changes(db.session, [(OutboxKind.THREAD, post_id) for post_id in posts])

    def _write_acks(self, kept: KeptComments, which: range) -> None:
        now = utcnow()
        acks, events = [], []
        for i in which:
            item, reply = self.ack_item[i], self.ack_reply[i]
            closing = reply == NONE
            local_id, reply_id = kept.local_id[item], kept.local_id[reply] if not closing else None
            employee_id = self.actor.id if closing else kept.author_id[reply]
            at = now if closing else from_microseconds(kept.created[reply])
            acks.append({
                "comment_id": local_id, "standing_comment_id": local_id,
                "kind": (AckKind.NO_RESPONSE_NEEDED if closing else AckKind.REPLY).value,
                "employee_id": employee_id, "created_at": at, "reply_id": reply_id,
                "reason": CloseReason.IMPORTED.value if closing else None,
            })  # fmt: skip
            events.append({
                "action": Action.CLOSED if closing else Action.REPLIED, "actor_id": employee_id,
                "comment_id": local_id, "post_id": kept.post_id[item], "created_at": at,
                "reason": CloseReason.IMPORTED.value if closing else None,
                "detail": f"reply {reply_id}" if reply_id else "imported",
            })  # fmt: skip
        connection = db.session.connection()
        connection.execute(sa.insert(Acknowledgement.__table__), acks)
        connection.execute(sa.insert(AuditEvent.__table__), events)
