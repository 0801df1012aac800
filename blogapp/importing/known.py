"""What earlier imports brought in: the other system's ids and the rows they became."""

from __future__ import annotations

import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.models import ImportSource
from blogapp.models.base import utcnow


class KnownIds:
    """``(kind, source_id) → local id`` for one source, loaded once, remembered as added."""

    def __init__(self, source: str, dry_run: bool):
        self.source = source
        self.dry_run = dry_run
        self.ids: dict[str, dict[str, int]] = {}
        self._new: list[dict] = []
        rows = db.session.execute(
            sa.select(ImportSource.kind, ImportSource.source_id, ImportSource.local_id).where(
                ImportSource.source == source
            )
        )
        for kind, source_id, local_id in rows:
            self.ids.setdefault(kind, {})[source_id] = local_id

    def get(self, kind: str, source_id: str) -> int | None:
        return self.ids.get(kind, {}).get(source_id)

    def remember(self, kind: str, source_id: str, local_id: int) -> None:
        # This file's comments are the writer's to look up (kept.py, a few ints each):
        # a dict entry a comment here would hold the file's ids twice.
        if kind != "comment":
            self.ids.setdefault(kind, {})[source_id] = local_id
        if not self.dry_run:
            self._new.append(
                {
                    "source": self.source,
                    "kind": kind,
                    "source_id": source_id[:200],
                    "local_id": local_id,
                    "created_at": utcnow(),
                }  # fmt: skip
            )
        if len(self._new) >= 2000:
            self.write()

    def write(self) -> None:
        """Add what was remembered since the last write (in the import's transaction)."""
        if self._new:
            db.session.connection().execute(sa.insert(ImportSource.__table__), self._new)
            self._new = []
