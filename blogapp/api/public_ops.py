"""Public reads: posts, a post's thread, comment permalinks, search, response figures."""

import base64
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, url_for
from flask_login import current_user

from blogapp.api import present, schemas
from blogapp.api.dispatch import Prepared, api_viewer
from blogapp.api.operations import operation
from blogapp.api.problems import ApiProblem, field_error
from blogapp.blog.services import visible_post, visible_posts
from blogapp.comments.cache import cache
from blogapp.comments.threads import load_thread, thread_stats
from blogapp.extensions import db
from blogapp.models import Comment, Post
from blogapp.responses.public import post_summary, public_answers, typical_response_time
from blogapp.search import services as search

DAMAGED_CURSOR = "This cursor is damaged; start again from the first page."


def _cursor_of(post: Post) -> str:
    raw = f"{post.published_at.isoformat()}|{post.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _after(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        when, _, post_id = raw.partition("|")
        return datetime.fromisoformat(when), int(post_id)
    except (ValueError, UnicodeDecodeError):
        raise field_error("cursor", DAMAGED_CURSOR) from None


def post_or_404(slug: str) -> Post:
    post = visible_post(slug)
    if post is None:
        raise ApiProblem(404, "No public post has that slug.")
    return post


@operation("GET", "/posts", tag="Posts", query=schemas.PostsQuery, response=schemas.PostList)
def list_posts(query: schemas.PostsQuery) -> schemas.PostList:
    """Published posts, newest first, a page at a time (follow next_cursor)."""
    select = visible_posts().order_by(None).order_by(Post.published_at.desc(), Post.id.desc())
    if query.cursor:
        when, post_id = _after(query.cursor)
        select = select.where(
            sa.or_(Post.published_at < when, sa.and_(Post.published_at == when, Post.id < post_id))
        )
    posts = db.session.scalars(select.limit(query.limit + 1)).unique().all()
    more = len(posts) > query.limit
    posts = posts[: query.limit]
    return schemas.PostList(
        items=[present.post_summary(p) for p in posts],
        next_cursor=_cursor_of(posts[-1]) if more else None,
    )


@operation("GET", "/posts/<slug>", tag="Posts", response=schemas.PostOut, problems=(404,))
def get_post(slug: str) -> schemas.PostOut:
    """One published post with its tags, author and answer rate."""
    post = post_or_404(slug)
    summary = post_summary(post.id)
    return present.post_summary(
        post,
        schemas.PostOut,
        body_html=post.body_html,
        updated_at=post.updated_at,
        comments_open=post.comments_open,
        answered=summary.answered if summary else 0,
        questions=summary.questions if summary else 0,
        median_first_response=summary.median if summary else None,
    )


@operation(
    "GET",
    "/posts/<slug>/comments",
    tag="Comments",
    query=schemas.PageQuery,
    response=schemas.ThreadOut,
    problems=(404,),
)
def get_thread(slug: str, query: schemas.PageQuery) -> Prepared:
    """A post's conversation in reading order, with "Answered by" as the page shows it."""
    post = post_or_404(slug)
    stats = thread_stats(post)
    # Kept as the post page's threads are: keyed on the thread's change stamp (any new,
    # edited, removed, approved or answered comment moves it), for cache.TTL at most.
    key = (post.id, post.slug, query.page, stats.stamp)
    kept = cache("api_threads").get(key)
    if kept is None:
        per_page = current_app.config["COMMENT_THREADS_PER_PAGE"]
        drawn = load_thread(post, page=query.page, per_page=per_page, stats=stats)
        answers = public_answers(node.comment.id for node in drawn.walk())
        kept = Prepared.of(present.thread(post, drawn, answers))
        cache("api_threads").put(key, kept)
    return kept


@operation(
    "GET",
    "/comments/<int:comment_id>",
    tag="Comments",
    response=schemas.CommentOut,
    problems=(404,),
)
def get_comment(comment_id: int) -> schemas.CommentOut:
    """One comment by its id (a held one only to its author and moderators)."""
    found = db.session.get(Comment, comment_id)
    if found is None or not found.post.is_visible() or not api_viewer().can_see(found):
        raise ApiProblem(404, "No comment you may see has that id.")
    answer = public_answers([found.id]).get(found.id)
    return present.comment(found, found.post.slug, None, answer)


@operation("GET", "/search", tag="Search", query=schemas.SearchQuery, response=schemas.SearchOut)
def search_site(query: schemas.SearchQuery) -> schemas.SearchOut:
    """Posts and comments matching q, with /search's query syntax and rules."""
    options = search.SearchOptions(order=query.order, page=query.page)
    results = search.search_site(query.q, current_user, options)
    return schemas.SearchOut(
        query=query.q,
        total=results.total,
        page=results.page,
        pages=results.pages,
        groups=[
            schemas.SearchGroup(
                post=group.post.slug,
                post_title=group.post.title,
                hits=[
                    schemas.SearchHit(
                        kind=hit.kind,
                        id=hit.object_id,
                        title=str(hit.title) if hit.title else None,
                        snippet=str(hit.snippet),
                        url=_hit_url(hit, group.post),
                    )
                    for hit in group.hits
                ],
            )
            for group in results.groups
        ],
    )


def _hit_url(hit, post: Post) -> str:
    if hit.kind == "post":
        return url_for("blog.post", slug=post.slug, _external=True)
    return url_for("comments.permalink", comment_id=hit.object_id, _external=True)


@operation("GET", "/figures", tag="Responses", response=schemas.Figures)
def response_figures() -> schemas.Figures:
    """The site's public response figures, as the pages show them."""
    return schemas.Figures(typical_response_time=typical_response_time())
