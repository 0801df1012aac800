"""Searching as a given person: who sees what, grouping by post, "did you mean", similar answers."""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from markupsafe import Markup

from blogapp.extensions import db
from blogapp.models import Comment, CommentStatus, Post, User
from blogapp.models.base import utcnow
from blogapp.search.backend import Hit, Scope, get_backend
from blogapp.search.documents import html_text, overdue_cutoff
from blogapp.search.nodes import render
from blogapp.search.query import parse_query

ORDERS = {"relevance": "Best match", "date": "Newest first"}
KINDS = {"all": "Posts and comments", "posts": "Posts only", "comments": "Comments only"}
AUTHORS = {"anyone": "Anyone", "customers": "Customers", "staff": "Employees"}
RESPONSES = {
    "any": "Any",
    "owed": "Waiting for an answer",
    "overdue": "Overdue",
    "acknowledged": "Answered or acknowledged",
}
MAX_PAGE = 500


@dataclass(frozen=True)
class SearchOptions:
    """What the person asked for besides the words. The filters after ``page`` are for
    employees; scope_for() ignores them for everyone else."""

    order: str = "relevance"
    page: int = 1
    kind: str = "all"
    authors: str = "anyone"
    include_held: bool = False
    response: str = "any"
    acknowledged_by: int | None = None
    assigned_to: int | None = None


@dataclass
class ResultGroup:
    """One post and the hits that belong to it: the post itself first, then its comments."""

    post: Post
    hits: list[Hit]

    @property
    def title(self) -> Markup | None:
        """The post's title with the search words marked, when the post itself matched."""
        return next((h.title for h in self.hits if h.kind == "post"), None)


@dataclass
class SearchResults:
    query: str
    groups: list[ResultGroup] = field(default_factory=list)
    total: int = 0
    # False when total is the engine's estimate (a very common word): no page count then.
    precision: str = "exact"  # or "about", "at_least": see backend.Hits
    more: bool = False
    page: int = 1
    per_page: int = 20
    suggestion: str | None = None
    notices: list[str] = field(default_factory=list)
    # What was searched for after repairs, shown when there were any.
    searched_for: str | None = None
    searched: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages if self.precision == "exact" else self.more

    @property
    def shown(self) -> int:
        return sum(len(g.hits) for g in self.groups)


def hidden_post_ids(now: datetime) -> frozenset[int]:
    """Posts the public may not see at ``now``: drafts, and scheduled posts still to come."""
    rows = db.session.scalars(sa.select(Post.id).where(sa.not_(Post.visible_clause(now))))
    return frozenset(rows)


def scope_for(viewer, options: SearchOptions, now: datetime | None = None) -> Scope:
    """What ``viewer`` may find: the public sees published things only; employees may
    narrow to posts, comments, customers or staff, and include held comments."""
    now = now or utcnow()
    scope = Scope(now=now, hidden_post_ids=hidden_post_ids(now))
    if not getattr(viewer, "is_employee", False):
        return scope
    kinds = {"posts": {"post"}, "comments": {"comment"}}.get(options.kind, {"post", "comment"})
    statuses = {"published", "held"} if options.include_held else {"published"}
    authors = {"customers": False, "staff": True}.get(options.authors)
    return Scope(
        now=now,
        hidden_post_ids=scope.hidden_post_ids,
        kinds=frozenset(kinds),
        comment_statuses=frozenset(statuses),
        author_staff=authors,
        owed=True if options.response == "owed" else None,
        overdue=options.response == "overdue",
        overdue_created_by=overdue_cutoff(now) if options.response == "overdue" else None,
        acknowledged=options.response == "acknowledged",
        acknowledged_by_id=options.acknowledged_by,
        assigned_to_id=options.assigned_to,
    )


def _still_visible(hits: list[Hit], scope: Scope) -> tuple[list[Hit], dict[int, Post]]:
    """Check the page's hits against the database, in case the index is a moment behind."""
    post_ids = {h.post_id for h in hits}
    posts = {
        p.id: p
        for p in db.session.scalars(
            sa.select(Post).where(Post.id.in_(post_ids), Post.visible_clause(scope.now))
        )
    }
    comment_ids = [h.object_id for h in hits if h.kind == "comment"]
    statuses = dict(
        db.session.execute(
            sa.select(Comment.id, Comment.status).where(Comment.id.in_(comment_ids))
        ).all()
    )
    kept = [
        h
        for h in hits
        if h.post_id in posts
        and (h.kind == "post" or statuses.get(h.object_id) in scope.comment_statuses)
    ]
    return kept, posts


def search_site(text: str, viewer, options: SearchOptions) -> SearchResults:
    """One page of results for ``text`` as ``viewer`` may see them, grouped by post."""
    per_page = current_app.config["SEARCH_RESULTS_PER_PAGE"]
    parsed = parse_query(text)
    results = SearchResults(query=text, per_page=per_page, notices=parsed.notices)
    if parsed.node is None:
        return results
    backend = get_backend()
    scope = scope_for(viewer, options)
    order = options.order if options.order in ORDERS else "relevance"
    page = min(max(options.page, 1), MAX_PAGE)
    found = backend.search(parsed.node, scope, order, page, per_page)
    if not found.hits and found.total and found.precision == "exact" and page > 1:
        page = -(-found.total // per_page)  # past the end: show the last page
        found = backend.search(parsed.node, scope, order, page, per_page)
    corrections = backend.suggest(parsed.words)
    hits, posts = _still_visible(found.hits, scope)
    groups: dict[int, ResultGroup] = {}
    for hit in sorted(hits, key=lambda h: h.kind != "post"):  # stable: ranks kept
        groups.setdefault(hit.post_id, ResultGroup(posts[hit.post_id], [])).hits.append(hit)
    # Groups in the order of their best hit.
    first = {h.post_id: n for n, h in reversed(list(enumerate(hits)))}
    results.groups = sorted(groups.values(), key=lambda g: first[g.post.id])
    results.total, results.precision, results.more = found.total, found.precision, found.more
    results.page = page
    results.searched = True
    results.searched_for = render(parsed.node)
    results.suggestion = render(parsed.node, corrections) if corrections else None
    return results


@dataclass
class SimilarAnswer:
    """A customer's earlier comment like the one being answered, and the staff reply to it."""

    question: Comment
    answer: Comment
    post: Post


def similar_answers(comment: Comment, limit: int = 5) -> list[SimilarAnswer]:
    """Staff replies to earlier customer comments that read like ``comment``, best match first."""
    now = utcnow()
    scope = Scope(
        now=now,
        hidden_post_ids=hidden_post_ids(now),
        kinds=frozenset({"comment"}),
        author_staff=False,
    )
    hits = get_backend().similar(
        html_text(comment.body_html),
        scope,
        exclude_key=f"comment:{comment.id}",
        limit=limit * 5,
        post_id=comment.post_id,
    )
    question_ids = [h.object_id for h in hits]
    if not question_ids:
        return []
    replies = db.session.scalars(
        sa.select(Comment)
        .join(User, User.id == Comment.author_id)
        .where(
            Comment.parent_id.in_(question_ids),
            Comment.status == CommentStatus.PUBLISHED.value,
            User.employee_clause(),
        )
        .order_by(Comment.created_at)
    )
    first_reply: dict[int, Comment] = {}
    for reply in replies:
        first_reply.setdefault(reply.parent_id, reply)
    questions = {
        c.id: c for c in db.session.scalars(sa.select(Comment).where(Comment.id.in_(question_ids)))
    }
    answers = [
        SimilarAnswer(questions[i], first_reply[i], questions[i].post)
        for i in question_ids
        if i in first_reply and i in questions and questions[i].status == "published"
    ]
    return answers[:limit]
