"""The one small interface both search backends implement, and how the app picks one."""

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from flask import Flask, current_app
from markupsafe import Markup
from sqlalchemy.orm import Session

from blogapp.search.documents import SearchDoc
from blogapp.search.nodes import Node
from config import ConfigError

BACKENDS = ("whoosh", "postgres")
# How many of a text's words similar() looks for.
SIMILAR_WORDS = 16


class IndexBusy(Exception):
    """Another process is writing the index; the outbox rows wait for the next drain."""


@dataclass(frozen=True)
class Scope:
    """Which documents a search may return. Built by services.scope_for(viewer)."""

    now: datetime
    # Posts the public may not see (drafts, scheduled for later): their comments are hidden too.
    hidden_post_ids: frozenset[int] = frozenset()
    kinds: frozenset[str] = frozenset({"post", "comment"})
    comment_statuses: frozenset[str] = frozenset({"published"})
    # True: employees' writing only; False: customers' only; None: anyone's.
    author_staff: bool | None = None
    # Response-state filters. They select on the state the response tracker
    # reports through the search hooks (hooks.py); None means "any".
    owed: bool | None = None
    overdue: bool = False
    # With overdue: comments created at or before this are past their due time (the
    # tracker's SLA clock run backwards); None: compare each comment's due time.
    overdue_created_by: datetime | None = None
    # Answered or acknowledged by an employee (a standing acknowledgement of any kind).
    acknowledged: bool = False
    acknowledged_by_id: int | None = None
    assigned_to_id: int | None = None


@dataclass
class Hit:
    """One result: what to show, and what to link to."""

    kind: str
    object_id: int
    post_id: int
    post_title: str
    author_name: str
    author_staff: bool
    status: str
    created_at: datetime
    score: float
    snippet: Markup
    title: Markup | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.object_id}"


@dataclass
class Hits:
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    # "exact"; "about" (the engine's estimate, for a very common word); or
    # "at_least" (a lower bound, for a common combination of words).
    precision: str = "exact"
    # Whether there are hits after this page.
    more: bool = False


class IndexWriter(Protocol):
    # True when the writes are part of the drain's database transaction (PostgreSQL).
    in_transaction: bool

    def update(self, doc: SearchDoc) -> None: ...

    def delete(self, key: str) -> None: ...

    def delete_thread(self, post_id: int) -> None:
        """Remove the post and every comment under it."""

    def commit(self) -> None: ...


class SearchBackend(Protocol):
    name: str

    def writer(
        self, session: Session, wait: bool = False, clear: bool = False
    ) -> AbstractContextManager[IndexWriter]:
        """The single writer; raises IndexBusy unless ``wait``. ``clear`` starts from empty."""

    def search(self, node: Node, scope: Scope, order: str, page: int, per_page: int) -> Hits:
        """One page of hits, by relevance or by date ("date": newest first)."""

    def suggest(self, words: list[str]) -> dict[str, str]:
        """Corrections for words the index does not contain: {typed: suggested}."""

    def similar(
        self, text: str, scope: Scope, exclude_key: str, limit: int, post_id: int | None = None
    ) -> list[Hit]:
        """Documents most like ``text``, best first: sharing at least two of its telling
        words, or one when they are under the same post ``post_id``."""

    def fingerprints(self) -> Iterator[tuple[str, str]]:
        """(key, fingerprint) of every document in the index."""

    def size_on_disk(self) -> int: ...


def check_backend_config(app: Flask) -> None:
    """Refuse to start with a backend this site cannot run, saying what to set."""
    name = app.config["SEARCH_BACKEND"]
    if name not in BACKENDS:
        raise ConfigError(f"SEARCH_BACKEND={name!r}: choose one of {', '.join(BACKENDS)}.")
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if name == "postgres" and not url.startswith("postgresql"):
        raise ConfigError(
            "SEARCH_BACKEND=postgres needs a PostgreSQL DATABASE_URL; "
            "use SEARCH_BACKEND=whoosh with SQLite."
        )


def get_backend() -> SearchBackend:
    """The current app's backend, created once per app."""
    app = current_app._get_current_object()
    state = app.extensions.setdefault("parley_search", {})
    name = app.config["SEARCH_BACKEND"]
    if state.get("name") != name:
        if name == "postgres":
            from blogapp.search.postgres_backend import PostgresBackend

            state["backend"] = PostgresBackend()
        else:
            from blogapp.search.whoosh_backend import WhooshBackend, index_dir

            state["backend"] = WhooshBackend(index_dir(app), app.config["SEARCH_REBUILD_PROCS"])
        state["name"] = name
    return state["backend"]
