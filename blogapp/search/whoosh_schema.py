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
    author=fields.TEXT(analyzer=WORDS, stored=True),
    author_id=fields.ID(stored=True),
    author_staff=fields.BOOLEAN(stored=True),
    tags=fields.KEYWORD(),
    status=fields.ID(stored=True),
    created_at=fields.DATETIME(stored=True, sortable=True),
    published_at=fields.DATETIME(),
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
        "title": doc.title,
        "body": doc.body,
        "author": doc.author_name,
        "author_id": str(doc.author_id or ""),
        "author_staff": doc.author_staff,
        "tags": " ".join(doc.tags),
        "status": doc.status,
        "created_at": doc.created_at,
        "fingerprint": doc.fingerprint,
    }
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
    if state.due_at is not None:
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


def scope_query(scope: Scope) -> query.Query:
    """What the viewer may find; combined with the search so only its own terms score."""
    parts = []
    response_filter = scope.owed is not None or scope.overdue
    response_filter = response_filter or scope.acknowledged_by_id or scope.assigned_to_id
    if "post" in scope.kinds and not response_filter:
        parts.append(
            query.And(
                [query.Term("kind", "post"), query.DateRange("published_at", None, scope.now)]
            )
        )
    if "comment" in scope.kinds:
        statuses = [query.Term("status", s) for s in sorted(scope.comment_statuses)]
        comment = [query.Term("kind", "comment"), query.Or(statuses)]
        if scope.owed is not None:
            comment.append(query.Term("owed", scope.owed))
        if scope.overdue:
            comment += [query.Term("owed", True), query.DateRange("due_at", None, scope.now)]
        if scope.acknowledged_by_id:
            comment.append(query.Term("acknowledged_by", str(scope.acknowledged_by_id)))
        if scope.assigned_to_id:
            comment.append(query.Term("assigned_to", str(scope.assigned_to_id)))
        parts.append(query.And(comment))
    allowed = query.Or(parts) if parts else query.NullQuery
    if scope.author_staff is not None:
        allowed = query.And([allowed, query.Term("author_staff", scope.author_staff)])
    return allowed


def restrict(q: query.Query, scope: Scope, exclude: list[str] = ()) -> query.Query:
    """``q`` limited to the scope, minus hidden posts' documents and ``exclude``d keys."""
    # Not query.Require: its matcher trips an assertion when skipping by block quality.
    # A zero constant score keeps the ranking the search's own.
    q = query.And([q, query.ConstantScoreQuery(scope_query(scope), 0.0)])
    hidden = [query.Term("post_id", str(i)) for i in sorted(scope.hidden_post_ids)]
    hidden += [query.Term("key", k) for k in exclude]
    return query.AndNot(q, query.Or(hidden)) if hidden else q
