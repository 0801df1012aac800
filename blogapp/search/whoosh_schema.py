"""The Whoosh index's fields, its analyzers, and the query tree compiled to Whoosh queries."""

from whoosh import fields, query
from whoosh.analysis import (
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.support.charset import accent_map

from blogapp.search.backend import Scope
from blogapp.search.documents import SearchDoc
from blogapp.search.nodes import And, Author, DateRange, Not, Phrase, Tag, Word
from blogapp.search.words import STOPWORDS

# Words are runs of letters and digits, as query.pieces() splits them, so "3.5"
# and "e-mail" are found the same way they are typed. Accents are folded,
# English stop words dropped (even one-letter ones), the rest stemmed.
WORDS = RegexTokenizer(r"\w+") | LowercaseFilter() | CharsetFilter(accent_map)
TEXT = WORDS | StopFilter(stoplist=STOPWORDS, minsize=1) | StemFilter()

TITLE_BOOST = 2.0

SCHEMA = fields.Schema(
    key=fields.ID(stored=True, unique=True),
    kind=fields.ID(stored=True),
    post_id=fields.ID(stored=True),
    post_title=fields.STORED(),
    title=fields.TEXT(analyzer=TEXT, stored=True),
    body=fields.TEXT(analyzer=TEXT, stored=True),
    # Unstemmed words, the dictionary "did you mean" draws from.
    spell=fields.KEYWORD(scorable=False),
    # Names are matched word by word (author:"jane doe" is author:jane AND author:doe).
    author=fields.TEXT(analyzer=WORDS, stored=True, phrase=False),
    author_id=fields.ID(stored=True),
    author_staff=fields.BOOLEAN(stored=True),
    tags=fields.KEYWORD(),
    status=fields.ID(stored=True),
    created_at=fields.DATETIME(stored=True, sortable=True),
    published_at=fields.DATETIME(stored=True),
    owed=fields.BOOLEAN(),
    acknowledged_by=fields.ID(),
    assigned_to=fields.ID(),
    due_at=fields.DATETIME(),
    fingerprint=fields.STORED(),
)


def document_fields(doc: SearchDoc, spell: set[str]) -> dict:
    """The field values Whoosh stores for ``doc``."""
    values = {
        "key": doc.key,
        "kind": doc.kind,
        "post_id": str(doc.post_id),
        "post_title": doc.post_title,
        "body": doc.body,
        "author": doc.author_name,
        "author_id": str(doc.author_id or ""),
        "author_staff": doc.author_staff,
        "tags": " ".join(doc.tags),
        "status": doc.status,
        "created_at": doc.created_at,
        "fingerprint": doc.fingerprint,
    }
    if doc.title:  # comments have none
        values["title"] = doc.title
    if spell:
        values["spell"] = " ".join(sorted(spell))
    if doc.published_at is not None:
        values["published_at"] = doc.published_at
    state = doc.response
    if state.owed is not None:
        values["owed"] = state.owed
    if state.acknowledged_by_id is not None:
        values["acknowledged_by"] = str(state.acknowledged_by_id)
    if state.assigned_to_id is not None:
        values["assigned_to"] = str(state.assigned_to_id)
    # No due time for most: a numeric field costs eight terms a comment (a quarter of a
    # rebuild when most comments are owed); "overdue" filters on created_at instead,
    # through Scope.overdue_created_by. A comment reopened by "Didn't help" owes from the
    # reopening, so it keeps its due time, which "overdue" checks too (they are few).
    if state.owed and state.reopened and state.due_at is not None:
        values["due_at"] = state.due_at
    return values


def analyzed(text: str, analyzer=TEXT) -> list[str]:
    return [token.text for token in analyzer(text)]


def _text_query(words: list[str]) -> query.Query | None:
    terms = [t for w in words for t in analyzed(w)]
    if not terms:
        return None
    if len(terms) == 1:
        return query.Or(
            [query.Term("title", terms[0], boost=TITLE_BOOST), query.Term("body", terms[0])]
        )
    return query.Or([query.Phrase("title", terms, boost=TITLE_BOOST), query.Phrase("body", terms)])


def compile_node(node) -> query.Query | None:
    """The Whoosh query for a node of the parsed search; None if nothing is left of it."""
    if isinstance(node, Word):
        return _text_query([node.text])
    if isinstance(node, Phrase):
        return _text_query(list(node.words))
    if isinstance(node, Author):
        terms = [t for w in node.words for t in analyzed(w, WORDS)]
        return query.And([query.Term("author", t) for t in terms]) if terms else None
    if isinstance(node, Tag):
        return query.Term("tags", node.slug)
    if isinstance(node, DateRange):
        return query.DateRange("created_at", node.start, node.end, endexcl=True)
    if isinstance(node, Not):
        inner = compile_node(node.item)
        return query.Not(inner) if inner is not None else None
    parts = [q for q in (compile_node(i) for i in node.items) if q is not None]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return query.And(parts) if isinstance(node, And) else query.Or(parts)


# A filter's weight: next to nothing, so ranking stays the search's own. Not zero:
# Whoosh drops matchers that can add nothing, and a zero-weight filter then
# matches nothing at all.
FILTER_BOOST = 1e-6


def _is(field: str, value) -> query.Term:
    return query.Term(field, value, boost=FILTER_BOOST)


def _required(scope: Scope) -> list[query.Query]:
    """Response-state filters: each selects a few comments, so they are intersected."""
    required = []
    if scope.owed is not None:
        required.append(_is("owed", scope.owed))
    if scope.overdue:
        if scope.overdue_created_by:
            # Created before the cutoff, and not reopened with its clock still running.
            due = query.AndNot(
                query.DateRange("created_at", None, scope.overdue_created_by, boost=FILTER_BOOST),
                query.DateRange("due_at", scope.now, None, startexcl=True),
            )
        else:
            due = query.DateRange("due_at", None, scope.now, boost=FILTER_BOOST)
        required += [_is("owed", True), due]
    if scope.acknowledged:
        required.append(query.Every("acknowledged_by", boost=FILTER_BOOST))
    if scope.acknowledged_by_id:
        required.append(_is("acknowledged_by", str(scope.acknowledged_by_id)))
    if scope.assigned_to_id:
        required.append(_is("assigned_to", str(scope.assigned_to_id)))
    return required


def restrict(q: query.Query, scope: Scope) -> query.Query:
    """``q`` narrowed by the employee filters. Posts and employees' writing are the few
    documents, so each filter intersects with them or subtracts them."""
    required = _required(scope)
    if "comment" not in scope.kinds:
        required.append(_is("kind", "post"))
    if scope.author_staff:
        required.append(_is("author_staff", True))
    if required:
        q = query.And([q, *required])
    if "post" not in scope.kinds:
        q = query.AndNot(q, _is("kind", "post"))
    if scope.author_staff is False:
        q = query.AndNot(q, _is("author_staff", True))
    return q


def hidden_documents(searcher, scope: Scope, exclude: list[str] = ()) -> set[int]:
    """Document numbers the viewer may not see, passed to the search as its mask.

    The index holds only published and scheduled posts and published and held
    comments, so this is a small set: held comments (unless the viewer may see
    them), everything under posts the database hides, and scheduled posts whose
    published_at is still to come (checked here, at query time, so a post shows
    itself when its time comes without being indexed again)."""
    terms = [_is("post_id", str(i)) for i in sorted(scope.hidden_post_ids)]
    terms += [_is("status", "held")] if "held" not in scope.comment_statuses else []
    terms += [_is("key", k) for k in exclude]
    hidden = set(searcher.docs_for_query(query.Or(terms))) if terms else set()
    for docnum in searcher.docs_for_query(_is("status", "scheduled")):
        published_at = searcher.stored_fields(docnum).get("published_at")
        if published_at is None or published_at > scope.now:
            hidden.add(docnum)
    return hidden
