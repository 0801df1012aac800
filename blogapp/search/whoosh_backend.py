"""The embedded backend: a Whoosh index in a folder under instance/.

One writer at a time, by Whoosh's own lock file; the drain asks for it without
waiting, so a busy index never holds up a request.
"""

import functools
import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from sqlalchemy.orm import Session
from whoosh import index, query, writing
from whoosh.filedb.filestore import FileStorage

from blogapp.search import whoosh_patches  # noqa: F401 (applies the patches on import)
from blogapp.search.backend import SIMILAR_WORDS, Hit, Hits, IndexBusy, Scope
from blogapp.search.documents import SearchDoc
from blogapp.search.nodes import Word, words_of
from blogapp.search.snippets import mark_words
from blogapp.search.whoosh_schema import (
    SCHEMA,
    TEXT,
    analyzed,
    compile_node,
    document_fields,
    hidden_documents,
    restrict,
)
from blogapp.search.words import fold, spelling_words

SNIPPET_CHARS = 240
# Below this many possible matches a search counts them exactly; above, the count is
# Whoosh's estimate, since counting means visiting every match.
EXACT_COUNT_LIMIT = 300
# How long `flask search rebuild` waits for a drain in progress to finish.
REBUILD_LOCK_WAIT = 120.0


def index_dir(app: Flask) -> Path:
    return Path(app.config["SEARCH_INDEX_DIR"] or Path(app.instance_path) / "search-index")


@functools.lru_cache(maxsize=100_000)
def stem(word: str) -> str | None:
    """A word as the index holds it (folded, stemmed); None for a stop word."""
    terms = analyzed(word)
    return terms[0] if terms else None


def _marker(terms: set[str]):
    return lambda word: stem(word) in terms


class _Writer:
    in_transaction = False

    def __init__(self, writer, clear: bool):
        self.writer, self.clear, self.committed = writer, clear, False
        # On a rebuild each word goes into the spelling dictionary once, not once a document.
        self.spelled: set[str] | None = set() if clear else None

    def update(self, doc: SearchDoc) -> None:
        spell = spelling_words(f"{doc.title} {doc.body}")
        if self.spelled is not None:
            spell -= self.spelled
            self.spelled |= spell
        values = document_fields(doc, spell)
        if self.clear:
            self.writer.add_document(**values)
        else:
            self.writer.update_document(**values)

    def delete(self, key: str) -> None:
        self.writer.delete_by_term("key", key)

    def delete_thread(self, post_id: int) -> None:
        self.writer.delete_by_term("post_id", str(post_id))

    def commit(self) -> None:
        self.writer.commit(mergetype=writing.CLEAR if self.clear else None)
        self.committed = True


class _Searchers:
    """Searchers kept open for reuse: opening one maps the segment files (about 70 ms
    on a 100,000-document index), checking one is current only lists the folder.

    A searcher is replaced, not refresh()ed, once the index changes: Whoosh's refresh
    reuses a segment's reader even when the segment has new deletions, and would keep
    finding documents that were deleted or replaced."""

    def __init__(self):
        self.idle: list = []
        self.lock = threading.Lock()

    @contextmanager
    def borrow(self, open_index):
        with self.lock:
            searcher = self.idle.pop() if self.idle else None
        if searcher is not None:
            try:
                current = searcher.up_to_date()
            except OSError:  # the folder was replaced under it
                current = False
            if not current:
                searcher.close()
                searcher = None
        if searcher is None:
            searcher = open_index().searcher()
        try:
            yield searcher
        finally:
            with self.lock:
                self.idle.append(searcher)

    def close(self) -> None:
        with self.lock:
            idle, self.idle = self.idle, []
        for searcher in idle:
            searcher.close()


class WhooshBackend:
    name = "whoosh"

    def __init__(self, path: Path, rebuild_procs: int = 1):
        self.path = Path(path)
        self.rebuild_procs = rebuild_procs
        self.searchers = _Searchers()
        weakref.finalize(self, self.searchers.close)

    def searcher(self):
        """A searcher on the latest committed index, for a with-block."""
        return self.searchers.borrow(self.open_index)

    def open_index(self) -> index.FileIndex:
        """The index, created on first use (under a lock, so two processes can't both)."""
        if not index.exists_in(str(self.path)):
            self.path.mkdir(parents=True, exist_ok=True)
            lock = FileStorage(str(self.path)).lock("parley_create")
            lock.acquire(blocking=True)
            try:
                if not index.exists_in(str(self.path)):
                    index.create_in(str(self.path), SCHEMA)
            finally:
                lock.release()
        return index.open_dir(str(self.path), schema=SCHEMA)

    @contextmanager
    def writer(self, session: Session, wait: bool = False, clear: bool = False):
        ix = self.open_index()
        options: dict = {"timeout": REBUILD_LOCK_WAIT if wait else 0.0, "limitmb": 128}
        if clear and self.rebuild_procs > 1:
            options.update(procs=self.rebuild_procs, multisegment=True, limitmb=256)
        try:
            raw = ix.writer(**options)
        except index.LockError:
            raise IndexBusy(str(self.path)) from None
        wrapped = _Writer(raw, clear)
        try:
            yield wrapped
        finally:
            if not wrapped.committed:
                raw.cancel()

    def search(self, node, scope: Scope, order: str, page: int, per_page: int) -> Hits:
        marked = _marker({t for w in words_of(node, positive_only=True) for t in analyzed(w)})
        compiled = compile_node(node)
        if compiled is None:
            return Hits()
        q = restrict(compiled, scope)
        sort = {"sortedby": "created_at", "reverse": True} if order == "date" else {}
        with self.searcher() as searcher:
            mask = hidden_documents(searcher, scope)
            limit = page * per_page + 1
            results = searcher.search(q, limit=limit, mask=mask or None, **sort)
            start = (page - 1) * per_page
            hits = [self._hit(h, marked) for h in results[start : start + per_page]]
            more = results.scored_length() > page * per_page
            return Hits(hits, *self._count(node, results, limit), more=more)

    @staticmethod
    def _count(node, results, limit: int) -> tuple[int, str]:
        """How many documents match, and how precisely that is known (see Hits).

        A collector that never filled its top list saw every match. Past that,
        Whoosh skips blocks that cannot make the list, so an exact count means
        visiting every match again: done for small estimates only. Whoosh's
        estimate is close for one word (its document frequency), but only an
        upper bound for words that must all match."""
        if results.has_exact_length():
            return len(results), "exact"
        if results.scored_length() < limit:
            return results.scored_length(), "exact"
        estimate = results.estimated_length()
        if estimate <= EXACT_COUNT_LIMIT:
            return len(results), "exact"
        if isinstance(node, Word):
            return estimate, "about"
        return limit - 1, "at_least"

    def _hit(self, hit, marked) -> Hit:
        title = mark_words(hit["title"], marked) if hit["kind"] == "post" else None
        return Hit(
            kind=hit["kind"],
            object_id=int(hit["key"].partition(":")[2]),
            post_id=int(hit["post_id"]),
            post_title=hit["post_title"],
            author_name=hit["author"],
            author_staff=bool(hit["author_staff"]),
            status=hit["status"],
            created_at=hit["created_at"],
            score=hit.score or 0.0,
            snippet=mark_words(hit.get("body", ""), marked, SNIPPET_CHARS),
            title=title,
        )

    def suggest(self, words: list[str]) -> dict[str, str]:
        corrections: dict[str, str] = {}
        with self.searcher() as searcher:
            reader = searcher.reader()

            def frequency(word: str) -> int:
                stems = analyzed(word, TEXT)
                return sum(reader.doc_frequency(f, s) for s in stems for f in ("body", "title"))

            for typed in dict.fromkeys(w.lower() for w in words):
                word = fold(typed)
                if len(word) < 3 or not analyzed(word) or frequency(word):
                    continue
                for distance in (1, 2) if len(word) > 4 else (1,):
                    found = {w for w in reader.terms_within("spell", word, distance, prefix=1)}
                    ranked = sorted((-frequency(w), w) for w in found if w != word)
                    if ranked and ranked[0][0] < 0:
                        corrections[typed] = ranked[0][1]
                        break
        return corrections

    def similar(
        self, text: str, scope: Scope, exclude_key: str, limit: int, post_id: int | None = None
    ) -> list[Hit]:
        with self.searcher() as searcher:
            # The text's most telling words, weighed against the whole index (Bo1).
            terms = searcher.key_terms_from_text("body", text, numterms=SIMILAR_WORDS)
            if not terms:
                return []
            likeness = query.Or([query.Term("body", word, boost=w) for word, w in terms])
            mask = hidden_documents(searcher, scope, exclude=[exclude_key])
            results = searcher.search(
                restrict(likeness, scope), limit=limit * 3, mask=mask, terms=True
            )
            enough = min(2, len(terms))
            alike = [
                h
                for h in results
                if h["post_id"] == str(post_id)
                or sum(field == "body" for field, _ in h.matched_terms()) >= enough
            ]
            marked = _marker({word for word, _ in terms})
            return [self._hit(h, marked) for h in alike[:limit]]

    def fingerprints(self) -> Iterator[tuple[str, str]]:
        with self.searcher() as searcher:
            for stored in searcher.all_stored_fields():
                yield stored["key"], stored["fingerprint"]

    def size_on_disk(self) -> int:
        if not self.path.exists():
            return 0
        return sum(entry.stat().st_size for entry in os.scandir(self.path) if entry.is_file())
