"""Rebuilding the index from the database, and checking the two agree."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from blogapp.extensions import db
from blogapp.models import SearchOutbox
from blogapp.search.backend import get_backend
from blogapp.search.documents import all_documents, count_all_documents


def documents_to_index() -> int:
    """How many posts and comments a rebuild will index."""
    with Session(db.engine) as session:
        return count_all_documents(session)


def rebuild(progress: Callable[[int], None] | None = None) -> int:
    """Index every searchable post and comment afresh; returns how many.

    Searches keep using the old index until the new one is committed. Outbox
    rows already waiting are covered by the rebuild and deleted with it; rows
    written meanwhile stay for the next drain."""
    backend = get_backend()
    count = 0
    with Session(db.engine) as session:
        with backend.writer(session, wait=True, clear=True) as writer:
            covered = list(session.scalars(sa.select(SearchOutbox.id)))
            for doc in all_documents(session):
                writer.update(doc)
                count += 1
                if progress and count % 100 == 0:
                    progress(100)
            writer.commit()
            for start in range(0, len(covered), 1000):
                chunk = covered[start : start + 1000]
                session.execute(sa.delete(SearchOutbox).where(SearchOutbox.id.in_(chunk)))
            session.commit()
    if progress and count % 100:
        progress(count % 100)
    return count


@dataclass
class Drift:
    """Differences between what the database says is searchable and what the index holds."""

    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    indexed: int = 0
    expected: int = 0
    waiting: int = 0

    @property
    def found(self) -> bool:
        return bool(self.missing or self.extra or self.stale or self.duplicated)


def check() -> Drift:
    """Compare every document the database implies with the index, key by key."""
    with Session(db.engine) as session:
        waiting = session.scalar(sa.select(sa.func.count(SearchOutbox.id))) or 0
        expected = {doc.key: doc.fingerprint for doc in all_documents(session)}
    counts: Counter[str] = Counter()
    actual: dict[str, str] = {}
    for key, fingerprint in get_backend().fingerprints():
        counts[key] += 1
        actual[key] = fingerprint
    return Drift(
        missing=sorted(set(expected) - set(actual)),
        extra=sorted(set(actual) - set(expected)),
        stale=sorted(k for k in set(expected) & set(actual) if expected[k] != actual[k]),
        duplicated=sorted(k for k, n in counts.items() if n > 1),
        indexed=sum(counts.values()),
        expected=len(expected),
        waiting=waiting,
    )
