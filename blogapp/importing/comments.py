"""Comments of the old site as Parley comments: converted, rendered and written in bulk.

Rows are written with SQLAlchemy Core, a batch at a time (one executemany with
RETURNING for the ids), never one ORM object a comment: an import of 100,000 comments
must not build 100,000 objects. Parents, threads and the response tracker's records are
worked out afterwards over the whole file (``threading.py``), as a reply may come
before its parent in the file. What the ORM's listeners would have done is done there:
the search outbox gets one row a post, the tracker's acknowledgements and audit events
are written beside the comments.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from blogapp.extensions import db
from blogapp.importing.fast_paths import simple_comment
from blogapp.importing.html_source import markdown_source
from blogapp.importing.known import KnownIds
from blogapp.importing.records import SourceComment
from blogapp.importing.report import ImportReport
from blogapp.markup import RenderRefused, render_comment, render_comments
from blogapp.models import Comment, CommentStatus
from blogapp.models.base import utcnow

BATCH = 1000
RENDER_CHUNK = 100
# Batches rendering while the next is read: one keeps both cores busy without holding more.
IN_FLIGHT = 1
REMOVED_TEXT = "Comment removed."


@dataclass(slots=True, eq=False)
class Entry:
    """One comment as the threading pass sees it (this file's, or an earlier import's)."""

    source_id: str
    parent_source_id: str | None
    post_id: int
    created_at: datetime
    author_id: int | None  # an employee's id; None for a guest (a customer)
    email: str
    status: str
    old: bool = False  # imported before: its row is left as it is
    local_id: int | None = None
    parent: Entry | None = None
    root_id: int | None = None
    joins: Entry | None = None
    answered: bool = False
    customer: bool = True
    row: dict | None = field(default=None, repr=False)


class CommentWriter:
    """Collects kept comments, writes them a batch at a time, remembers what it skipped."""

    def __init__(self, known: KnownIds, report: ImportReport, with_pingbacks: bool):
        self.known = known
        self.report = report
        self.with_pingbacks = with_pingbacks
        self.kept: dict[str, Entry] = {}
        # skipped comment → its parent, so a reply can climb to the nearest kept ancestor
        self.skipped_parent: dict[str, str | None] = {}
        # Disqus's deleted comments: kept as placeholders only if a kept reply needs one
        self.deleted: dict[str, Entry] = {}
        self._batch: list[Entry] = []
        # Batches whose renders are under way: (batch, its chunks to render, their futures).
        self._in_flight: deque[tuple[list[Entry], list[list[Entry]], list]] = deque()
        self._now = utcnow()
        self._limit = current_app.config["POST_MAX_LENGTH"]
        self._fast = current_app.config["IMPORT_FAST_PATHS"]
        self._pool = ThreadPoolExecutor(max_workers=current_app.config.get("RENDER_WORKERS", 2))

    def add(self, comment: SourceComment, post_id: int | None, author_id: int | None) -> None:
        label = f"comment {comment.source_id} by {comment.author_name or 'anonymous'}"
        reason = self._reason_to_skip(comment, post_id)
        if reason is not None:
            self.skipped_parent[comment.source_id] = comment.parent_source_id
            self.report.skip("comment", reason, label)
            return
        entry = Entry(
            source_id=comment.source_id,
            parent_source_id=comment.parent_source_id,
            post_id=post_id,
            created_at=comment.created_at,
            author_id=author_id,
            email=comment.author_email.strip().lower()[:254],
            status=CommentStatus.HELD if comment.state == "held" else CommentStatus.PUBLISHED,
            customer=author_id is None,
        )
        if (known := self.known.get("comment", comment.source_id)) is not None:
            entry.old, entry.local_id = True, known
            self.kept[comment.source_id] = entry
            self.report.count("comment", "matched")
            return
        entry.row = self._row(comment, post_id, author_id, entry)
        if comment.state == "deleted":
            entry.status = entry.row["status"] = CommentStatus.REMOVED
            self.deleted[comment.source_id] = entry
            return
        self.kept[comment.source_id] = entry
        self.report.count("comment", "created", label if entry.status != "held" else "")
        if entry.status == CommentStatus.HELD:
            self.report.count("comment", "held for moderation", label)
        self._batch.append(entry)
        if len(self._batch) >= BATCH:
            self._send()

    def _reason_to_skip(self, comment: SourceComment, post_id: int | None) -> str | None:
        if post_id is None:
            return "its post or thread was not imported"
        if comment.kind == "note":
            return "a WordPress note (never imported)"
        if comment.kind in ("pingback", "trackback") and not self.with_pingbacks:
            return f"a {comment.kind} (--with-pingbacks imports them)"
        if comment.state in ("spam", "trash"):
            return comment.state
        if len(comment.body_html) > self._limit:
            return f"over {self._limit:,} characters"
        return None

    def _row(self, comment: SourceComment, post_id, author_id, entry: Entry) -> dict:
        name = comment.author_name or ("Anonymous" if author_id is None else "")
        return {
            "post_id": post_id,
            "author_id": author_id,
            "guest_name": None if author_id else name[:80],
            "guest_email": None if author_id else entry.email,
            "body_source": comment.body_html,  # converted when the batch is written
            "body_html": "",
            "status": entry.status,
            "created_at": comment.created_at,
            "changed_at": self._now,
        }

    def _send(self) -> None:
        """Convert the waiting batch and hand its renders to the pool; while they run the
        file reading goes on, and the batch sent before this one is written."""
        batch, self._batch = self._batch, []
        if not batch or self.known.dry_run:
            return
        to_render = []
        for entry in batch:
            row = entry.row
            quick = simple_comment(row["body_source"]) if self._fast else None
            if quick is not None:
                row["body_source"], row["body_html"] = quick
            else:
                row["body_source"] = markdown_source(row["body_source"])
                to_render.append(entry)
        n = RENDER_CHUNK
        chunks = [to_render[i : i + n] for i in range(0, len(to_render), n)]
        futures = [self._pool.submit(_render, chunk) for chunk in chunks]
        self._in_flight.append((batch, chunks, futures))
        while len(self._in_flight) > IN_FLIGHT:
            self._land(*self._in_flight.popleft())

    def flush(self) -> None:
        """Convert, render and (unless a dry run) write every comment still waiting."""
        self._send()
        while self._in_flight:
            self._land(*self._in_flight.popleft())

    def _land(self, batch: list[Entry], chunks: list[list[Entry]], futures: list) -> None:
        for chunk, future in zip(chunks, futures, strict=True):
            for entry, body_html in zip(chunk, future.result(), strict=True):
                entry.row["body_html"] = body_html
        refused = [e for e in batch if e.row["body_html"] is None]
        for entry in refused:
            self._refuse(entry)
        self.write([e for e in batch if e.row["body_html"] is not None])

    def _refuse(self, entry: Entry) -> None:
        del self.kept[entry.source_id]
        self.skipped_parent[entry.source_id] = entry.parent_source_id
        self.report.counts["comment created"] -= 1
        self.report.skip("comment", "too complex to render", f"comment {entry.source_id}")

    def write(self, batch: list[Entry]) -> None:
        if not batch:
            return
        table = Comment.__table__
        ids = db.session.connection().execute(
            sa.insert(table).returning(table.c.id, sort_by_parameter_order=True),
            [entry.row for entry in batch],
        )
        for entry, (local_id,) in zip(batch, ids, strict=True):
            entry.local_id = local_id
            entry.row = None
            self.known.remember("comment", entry.source_id, local_id)

    def close(self) -> None:
        self._pool.shutdown()


def _render(chunk: list[Entry]) -> list[str | None]:
    """Each body's safe HTML; None for a body the renderer refuses."""
    sources = [entry.row["body_source"] for entry in chunk]
    try:
        return render_comments(sources)
    except RenderRefused:
        pass  # one refused body fails the whole batch: render them one by one to find it
    rendered: list[str | None] = []
    for source in sources:
        try:
            rendered.append(render_comment(source))
        except RenderRefused:
            rendered.append(None)
    return rendered
