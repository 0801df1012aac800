"""The backend for sites on several app hosts: PostgreSQL full-text search.

Documents live in ``search_documents`` with a weighted tsvector (title A, body D)
under a GIN index. Each leaf of the parsed query becomes ``websearch_to_tsquery``
of its words, combined with tsquery_and/or/not; filters become plain SQL.
One writer at a time by a transaction-level advisory lock, tried without waiting.
"""

import itertools
from contextlib import contextmanager

import sqlalchemy as sa
from markupsafe import Markup, escape
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from blogapp.extensions import db
from blogapp.models import SearchDocument, SearchWord
from blogapp.search.backend import SIMILAR_WORDS, Hit, Hits, IndexBusy, Scope
from blogapp.search.documents import SearchDoc, split_key
from blogapp.search.postgres_query import (
    CONFIG,
    D,
    condition,
    document_words,
    rank_query,
    scope_clause,
    websearch,
)
from blogapp.search.words import edit_distance, fold, spelling_words

# "search" as a number: the advisory lock every drain and rebuild takes.
LOCK_KEY = 0x5EA2C4
# Snippet markers: control characters, which documents.html_text() keeps out of the text.
# "<" is swapped for LT while ts_headline works, or its parser drops anything tag-like.
START, STOP, LT = "\x02", "\x03", "\x04"
HEADLINE = f"StartSel={START}, StopSel={STOP}, MaxWords=40, MinWords=20, MaxFragments=2, "
HEADLINE += 'FragmentDelimiter=" … "'
WHOLE = f"StartSel={START}, StopSel={STOP}, HighlightAll=true"
SNIPPET_CHARS = 240
UPSERT_BATCH = 500

_COLUMNS = (
    "kind", "object_id", "post_id", "post_title", "title", "body", "author_id", "author_name",
    "author_key", "author_staff", "tags", "status", "created_at", "published_at", "owed",
    "acknowledged_by_id", "assigned_to_id", "due_at", "fingerprint",
)  # fmt: skip


def _tsv(title, body):
    weight = {w: sa.literal_column(f"'{w}'") for w in "AD"}
    return sa.func.setweight(sa.func.to_tsvector(CONFIG, title), weight["A"]).op("||")(
        sa.func.setweight(sa.func.to_tsvector(CONFIG, body), weight["D"])
    )


_TABLE = SearchDocument.__table__
_UPSERT = (
    pg_insert(_TABLE)
    .values(
        {name: sa.bindparam(name) for name in _COLUMNS}
        | {"tsv": _tsv(sa.bindparam("title_words"), sa.bindparam("body_words"))}
    )
    .on_conflict_do_update(
        constraint="uq_search_documents_kind_object_id",
        set_={name: sa.text(f"excluded.{name}") for name in (*_COLUMNS, "tsv")},
    )
)


def _row(doc: SearchDoc) -> dict:
    state = doc.response
    return {
        "kind": doc.kind, "object_id": doc.object_id, "post_id": doc.post_id,
        "post_title": doc.post_title, "title": doc.title, "body": doc.body,
        "author_id": doc.author_id, "author_name": doc.author_name,
        "author_key": f" {document_words(doc.author_name).lower()} ",
        "author_staff": doc.author_staff,
        "tags": f" {' '.join(doc.tags)} ", "status": doc.status, "created_at": doc.created_at,
        "published_at": doc.published_at, "owed": state.owed,
        "acknowledged_by_id": state.acknowledged_by_id, "assigned_to_id": state.assigned_to_id,
        "due_at": state.due_at, "fingerprint": doc.fingerprint,
        "title_words": document_words(doc.title), "body_words": document_words(doc.body),
    }  # fmt: skip


class _Writer:
    in_transaction = True

    def __init__(self, session: Session):
        self.session = session
        self.pending: list[dict] = []
        self.words: set[str] = set()

    def update(self, doc: SearchDoc) -> None:
        self.pending.append(_row(doc))
        self.words |= spelling_words(f"{doc.title} {doc.body}")
        if len(self.pending) >= UPSERT_BATCH:
            self._flush()

    def delete(self, key: str) -> None:
        self._flush()
        kind, object_id = split_key(key)
        self.session.execute(sa.delete(D).where(D.kind == kind, D.object_id == object_id))

    def delete_thread(self, post_id: int) -> None:
        self._flush()
        self.session.execute(sa.delete(D).where(D.post_id == post_id))

    def _flush(self) -> None:
        if self.pending:
            self.session.execute(_UPSERT, self.pending)
            self.pending = []

    def commit(self) -> None:
        """Write what is buffered; the caller's transaction commits it with the outbox."""
        self._flush()
        words = sorted(self.words)
        for start in range(0, len(words), 1000):
            rows = [{"word": w} for w in words[start : start + 1000]]
            self.session.execute(pg_insert(SearchWord).on_conflict_do_nothing(), rows)
        self.words = set()


def _lt_swapped(column):
    return sa.func.replace(column, "<", LT)


def _marked(headline: str | None) -> Markup:
    """ts_headline's text, escaped, with its markers turned into <mark>."""
    text = str(escape((headline or "").replace(LT, "<")))
    return Markup(text.replace(START, "<mark>").replace(STOP, "</mark>"))


class PostgresBackend:
    name = "postgres"

    @contextmanager
    def writer(self, session: Session, wait: bool = False, clear: bool = False):
        if wait:
            session.execute(sa.select(sa.func.pg_advisory_xact_lock(LOCK_KEY)))
        elif not session.scalar(sa.select(sa.func.pg_try_advisory_xact_lock(LOCK_KEY))):
            raise IndexBusy("another process is writing search_documents")
        if clear:
            session.execute(sa.delete(D))
        yield _Writer(session)

    def _hits(self, where, rank_q, order: str, offset: int, limit: int) -> list[Hit]:
        score = sa.func.ts_rank_cd(D.tsv, rank_q) if rank_q is not None else sa.literal(0.0)
        if rank_q is not None:
            # A short body is shown whole; a long one as its best fragments.
            options = sa.case((sa.func.length(D.body) <= SNIPPET_CHARS, WHOLE), else_=HEADLINE)
            snippet = sa.func.ts_headline(CONFIG, _lt_swapped(D.body), rank_q, options)
            title = sa.func.ts_headline(CONFIG, _lt_swapped(D.title), rank_q, WHOLE)
        else:
            snippet, title = sa.func.substr(D.body, 1, SNIPPET_CHARS), D.title
        newest = (D.created_at.desc(), D.id.desc())
        order_by = newest if order == "date" else (score.desc(), *newest)
        rows = db.session.execute(
            sa.select(D, score, snippet, title).where(where).order_by(*order_by)
            .offset(offset).limit(limit).options(sa.orm.defer(D.tsv))
        )  # fmt: skip
        hits = []
        for doc, rank, body_html, title_html in rows:
            if rank_q is None and len(doc.body) > SNIPPET_CHARS:
                body_html += " …"
            hits.append(
                Hit(
                    kind=doc.kind,
                    object_id=doc.object_id,
                    post_id=doc.post_id,
                    post_title=doc.post_title,
                    author_name=doc.author_name,
                    author_staff=doc.author_staff,
                    status=doc.status,
                    created_at=doc.created_at,
                    score=float(rank or 0),
                    snippet=_marked(body_html),
                    title=_marked(title_html) if doc.kind == "post" else None,
                )  # fmt: skip
            )
        return hits

    def search(self, node, scope: Scope, order: str, page: int, per_page: int) -> Hits:
        where = sa.and_(condition(node), scope_clause(scope))
        total = db.session.scalar(sa.select(sa.func.count()).select_from(D).where(where)) or 0
        hits = self._hits(where, rank_query(node), order, (page - 1) * per_page, per_page)
        return Hits(hits, total, more=total > page * per_page)

    def _frequency(self, word: str) -> int:
        match = D.tsv.op("@@")(websearch(word))
        return db.session.scalar(sa.select(sa.func.count()).select_from(D).where(match)) or 0

    def suggest(self, words: list[str]) -> dict[str, str]:
        corrections: dict[str, str] = {}
        for typed in dict.fromkeys(w.lower() for w in words):
            word = fold(typed)
            if len(word) < 3 or not spelling_words(word) or self._frequency(word):
                continue
            limit = 2 if len(word) > 4 else 1
            nearby = db.session.scalars(
                sa.select(SearchWord.word).where(
                    SearchWord.word.startswith(word[0], autoescape=True),
                    sa.func.length(SearchWord.word).between(len(word) - limit, len(word) + limit),
                )
            )
            close = sorted((edit_distance(word, w), w) for w in nearby if w != word)
            close = [(d, w) for d, w in close if d <= limit][:8]
            ranked = sorted((d, -self._frequency(w), w) for d, w in close)
            ranked = [r for r in ranked if r[1] < 0]
            if ranked:
                corrections[typed] = ranked[0][2]
        return corrections

    def similar(
        self, text: str, scope: Scope, exclude_key: str, limit: int, post_id: int | None = None
    ) -> list[Hit]:
        # The longest words stand in for the most telling ones (PostgreSQL keeps no
        # document frequencies to weigh them by).
        words = sorted(spelling_words(text), key=lambda w: (-len(w), w))[:SIMILAR_WORDS]
        if not words:
            return []
        likeness = websearch(" or ".join(words))
        # "a b or a c or …": any two of the words (one, if that is all there is).
        pairs = [f"{a} {b}" for a, b in itertools.combinations(words, 2)]
        alike = D.tsv.op("@@")(websearch(" or ".join(pairs)) if pairs else likeness)
        if post_id is not None:
            alike = sa.or_(alike, sa.and_(D.post_id == post_id, D.tsv.op("@@")(likeness)))
        kind, object_id = split_key(exclude_key)
        where = sa.and_(
            alike,
            scope_clause(scope),
            sa.not_(sa.and_(D.kind == kind, D.object_id == object_id)),
        )
        return self._hits(where, likeness, "relevance", 0, limit)

    def fingerprints(self):
        rows = db.session.execute(sa.select(D.kind, D.object_id, D.fingerprint))
        for kind, object_id, fingerprint in rows:
            yield f"{kind}:{object_id}", fingerprint

    def size_on_disk(self) -> int:
        return db.session.scalar(sa.select(sa.func.pg_total_relation_size("search_documents")))
