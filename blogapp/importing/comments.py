"""Comments of the old site as Parley comments: converted, rendered and written in bulk.

Rows are written with SQLAlchemy Core, a batch at a time (one executemany with
RETURNING for the ids), never one ORM object a comment: an import of 100,000 comments
must not build 100,000 objects. Parents, threads and the response tracker's records are
worked out afterwards over the whole file (``threading_pass.py``), as a reply may come
before its parent in the file. What the ORM's listeners would have done is done there:
the search outbox gets one row a post, the tracker's acknowledgements and audit events
are written beside the comments.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa
from flask import current_app

from blogapp.extensions import db
from blogapp.importing.fast_paths import simple_comment
from blogapp.importing.html_source import markdown_source
from blogapp.importing.kept import CUSTOMER, HELD, PUBLISHED, REFUSED, KeptComments, SourceKeys
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


# A comment waiting to be written: its position (kept.py), its source id, its row.
Pending = tuple[int, str, dict]


class CommentWriter:
    """Collects kept comments, writes them a batch at a time, remembers what it skipped.

    What outlives a batch is a few ints a comment (``self.kept``, kept.py) and, for
    a comment it skipped, its parent's key: never the comment's text or row."""

    def __init__(self, known: KnownIds, report: ImportReport, with_pingbacks: bool):
        self.known = known
        self.report = report
        self.with_pingbacks = with_pingbacks
        self.keys = SourceKeys()
        self.kept = KeptComments()
        # skipped comment's key → its parent's, so a reply can climb to the nearest kept
        # ancestor
        self.skipped_parent: dict[int, int] = {}
        # Disqus's deleted comments, kept as placeholders only if a kept reply needs one:
        # key → (parent's key, email, source id, the placeholder's row)
        self.deleted: dict[int, tuple[int, str, str, dict]] = {}
        self._batch: list[Pending] = []
        # Batches whose renders are under way: (batch, its chunks to render, their futures).
        self._in_flight: deque[tuple[list[Pending], list[list[Pending]], list]] = deque()
        self._now = utcnow()
        self._limit = current_app.config["POST_MAX_LENGTH"]
        self._fast = current_app.config["IMPORT_FAST_PATHS"]
        self._pool = ThreadPoolExecutor(max_workers=current_app.config.get("RENDER_WORKERS", 2))

    def add(self, comment: SourceComment, post_id: int | None, author_id: int | None) -> None:
        label = f"comment {comment.source_id} by {comment.author_name or 'anonymous'}"
        key = self.keys.key(comment.source_id)
        parent_key = self.keys.key(comment.parent_source_id)
        reason = self._reason_to_skip(comment, post_id)
        if reason is None and (key in self.kept.position or key in self.deleted):
            reason = "its id came earlier in the file"
        if reason is not None:
            self.skipped_parent.setdefault(key, parent_key)
            self.report.skip("comment", reason, label)
            return
        if self.known.get("comment", comment.source_id) is not None:
            self.report.count("comment", "matched")
            return
        email = comment.author_email.strip().lower()[:254]
        row = self._row(comment, post_id, author_id, email)
        if comment.state == "deleted":
            row.update(status=CommentStatus.REMOVED, body_source="", body_html="",
                       removed_at=comment.created_at,
                       removal_reason="Deleted on the old site before the import")  # fmt: skip
            self.deleted[key] = (parent_key, email, comment.source_id, row)
            return
        held = comment.state == "held"
        at = self.kept.add(key, parent_key, post_id, comment.created_at, author_id, email,
                           HELD if held else PUBLISHED, CUSTOMER if author_id is None else 0)
        self.report.count("comment", "created", "" if held else label)
        if held:
            self.report.count("comment", "held for moderation", label)
        self._batch.append((at, comment.source_id, row))
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

    def _row(self, comment: SourceComment, post_id, author_id, email: str) -> dict:
        name = comment.author_name or ("Anonymous" if author_id is None else "")
        return {
            "post_id": post_id,
            "author_id": author_id,
            "guest_name": None if author_id else name[:80],
            "guest_email": None if author_id else email,
            "body_source": comment.body_html,  # converted when the batch is written
            "body_html": "",
            "status": CommentStatus.HELD if comment.state == "held" else CommentStatus.PUBLISHED,
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
        for pending in batch:
            row = pending[2]
            quick = simple_comment(row["body_source"]) if self._fast else None
            if quick is not None:
                row["body_source"], row["body_html"] = quick
            else:
                row["body_source"] = markdown_source(row["body_source"])
                to_render.append(pending)
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

    def _land(self, batch: list[Pending], chunks: list[list[Pending]], futures: list) -> None:
        for chunk, future in zip(chunks, futures, strict=True):
            for pending, body_html in zip(chunk, future.result(), strict=True):
                pending[2]["body_html"] = body_html
        for pending in batch:
            if pending[2]["body_html"] is None:
                self._refuse(pending)
        self.write([p for p in batch if p[2]["body_html"] is not None])

    def _refuse(self, pending: Pending) -> None:
        at, source_id, _ = pending
        key = self.kept.key[at]
        del self.kept.position[key]
        self.kept.status[at] = REFUSED
        self.skipped_parent[key] = self.kept.parent_key[at]
        self.report.counts["comment created"] -= 1
        self.report.skip("comment", "too complex to render", f"comment {source_id}")

    def write(self, batch: list[Pending]) -> None:
        if not batch:
            return
        table = Comment.__table__
        ids = db.session.connection().execute(
            sa.insert(table).returning(table.c.id, sort_by_parameter_order=True),
            [row for _, _, row in batch],
        )
        for (at, source_id, _), (local_id,) in zip(batch, ids, strict=True):
            self.kept.local_id[at] = local_id
            self.known.remember("comment", source_id, local_id)

    def close(self) -> None:
        self._pool.shutdown()


def _render(chunk: list[Pending]) -> list[str | None]:
    """Each body's safe HTML; None for a body the renderer refuses."""
    sources = [row["body_source"] for _, _, row in chunk]
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
