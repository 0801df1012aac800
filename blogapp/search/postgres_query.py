"""The parsed search and the viewer's scope as SQL on search_documents."""

import sqlalchemy as sa

from blogapp.models import SearchDocument
from blogapp.search.backend import Scope
from blogapp.search.nodes import And, Author, DateRange, Not, Or, Phrase, Tag, Word
from blogapp.search.words import fold, pieces

D = SearchDocument
CONFIG = sa.literal_column("'english'::regconfig")


def document_words(text: str) -> str:
    """Text as words.pieces() splits it, so documents and queries agree on word boundaries."""
    return " ".join(pieces(fold(text)))


def websearch(text: str):
    return sa.func.websearch_to_tsquery(CONFIG, text)


def _is_text(node) -> bool:
    if isinstance(node, Word | Phrase):
        return True
    if isinstance(node, Not):
        return _is_text(node.item)
    if isinstance(node, And | Or):
        return all(_is_text(i) for i in node.items)
    return False


def _tsquery(node):
    """A text-only node as one tsquery."""
    if isinstance(node, Word):
        return websearch(document_words(node.text))
    if isinstance(node, Phrase):
        return websearch(f'"{document_words(" ".join(node.words))}"')
    if isinstance(node, Not):
        return sa.func.tsquery_not(_tsquery(node.item))
    combine = sa.func.tsquery_and if isinstance(node, And) else sa.func.tsquery_or
    result = _tsquery(node.items[0])
    for item in node.items[1:]:
        result = combine(result, _tsquery(item))
    return result


def condition(node):
    """Any node as a SQL condition on search_documents."""
    if _is_text(node):
        return D.tsv.op("@@")(_tsquery(node))
    if isinstance(node, Author):
        return sa.and_(*(D.author_key.contains(f" {fold(w).lower()} ") for w in node.words))
    if isinstance(node, Tag):
        return D.tags.contains(f" {node.slug} ")
    if isinstance(node, DateRange):
        parts = [sa.true()]
        if node.start is not None:
            parts.append(D.created_at >= node.start)
        if node.end is not None:
            parts.append(D.created_at < node.end)
        return sa.and_(*parts)
    if isinstance(node, Not):
        return sa.not_(condition(node.item))
    combine = sa.and_ if isinstance(node, And) else sa.or_
    return combine(*(condition(i) for i in node.items))


def _positive_text(node) -> list:
    """The text leaves not under NOT: what ranks and highlights."""
    if isinstance(node, Word | Phrase):
        return [node]
    if isinstance(node, And | Or):
        return [leaf for item in node.items for leaf in _positive_text(item)]
    return []


def rank_query(node):
    leaves = _positive_text(node)
    return (
        _tsquery(Or(tuple(leaves)))
        if len(leaves) > 1
        else (_tsquery(leaves[0]) if leaves else None)
    )


def scope_clause(scope: Scope):
    response_filter = scope.owed is not None or scope.overdue or scope.acknowledged
    response_filter = response_filter or scope.acknowledged_by_id or scope.assigned_to_id
    allowed = []
    if "post" in scope.kinds and not response_filter:
        allowed.append(sa.and_(D.kind == "post", D.published_at <= scope.now))
    if "comment" in scope.kinds:
        comment = [D.kind == "comment", D.status.in_(sorted(scope.comment_statuses))]
        if scope.owed is not None:
            comment.append(D.owed.is_(scope.owed))
        if scope.overdue:
            comment += [D.owed.is_(True), D.due_at < scope.now]
        if scope.acknowledged:
            comment.append(D.acknowledged_by_id.is_not(None))
        if scope.acknowledged_by_id:
            comment.append(D.acknowledged_by_id == scope.acknowledged_by_id)
        if scope.assigned_to_id:
            comment.append(D.assigned_to_id == scope.assigned_to_id)
        allowed.append(sa.and_(*comment))
    clause = [sa.or_(*allowed) if allowed else sa.false()]
    if scope.author_staff is not None:
        clause.append(D.author_staff.is_(scope.author_staff))
    if scope.hidden_post_ids:
        clause.append(D.post_id.not_in(sorted(scope.hidden_post_ids)))
    return sa.and_(*clause)
