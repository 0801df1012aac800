"""The API's resources as pydantic models: what operations answer and read. Their JSON
Schema (draft 2020-12, OpenAPI 3.1's dialect) is the OpenAPI document's components.

Request models say only the shape and the bounds on what a stranger may send; the rules
and their messages are the forms' and services' (api/validation.py)."""

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

from blogapp.query_args import MAX_ID


def _utc(value: datetime) -> str:
    return value.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")


# Stored naive in UTC; written with its Z.
Instant = Annotated[
    datetime,
    PlainSerializer(_utc, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


class Resource(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Problem(Resource):
    """RFC 9457 problem details."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, str]] | None = None


class Person(Resource):
    name: str
    # Employees only: their public profile.
    job_title: str | None = None
    url: str | None = None
    is_employee: bool


class TagOut(Resource):
    name: str
    slug: str


class PostSummary(Resource):
    id: int
    slug: str
    title: str
    excerpt: str
    published_at: Instant | None
    author: Person
    tags: list[TagOut]
    url: str


class PostList(Resource):
    items: list[PostSummary]
    # Pass as ?cursor= for the next page; null on the last.
    next_cursor: str | None


class PostOut(PostSummary):
    body_html: str
    updated_at: Instant
    comments_open: bool
    answered: int
    questions: int
    median_first_response: str | None


class Answer(Resource):
    """What the page shows under an answered comment: "Answered by …", "Seen by …", or
    "Taken to private support by …" (then ``later`` is null and, once the private
    conversation is resolved, ``resolved`` says so; nothing of it is ever public)."""

    label: Literal["Answered by", "Seen by", "Taken to private support by"]
    name: str
    job_title: str | None
    url: str
    later: str | None
    note: str | None
    reply_id: int | None
    resolved: str | None = None


class CommentOut(Resource):
    id: int
    post: str  # the post's slug
    parent_id: int | None
    depth: int | None  # in a thread; null on its own
    status: Literal["published", "held", "removed", "spam"]
    # Null on a removed comment kept as a placeholder for its replies.
    author: Person | None
    body_html: str | None
    created_at: Instant
    edited_at: Instant | None
    answer: Answer | None
    url: str


class ThreadOut(Resource):
    post: str
    count: int
    page: int
    pages: int
    comments: list[CommentOut]


class SearchHit(Resource):
    kind: Literal["post", "comment"]
    id: int
    title: str | None
    snippet: str
    url: str


class SearchGroup(Resource):
    post: str
    post_title: str
    hits: list[SearchHit]


class SearchOut(Resource):
    query: str
    total: int
    page: int
    pages: int
    groups: list[SearchGroup]


class Figures(Resource):
    typical_response_time: str | None = Field(
        description="Median time to a first public answer over the last 90 days."
    )


# What a stranger may send, bounded: the rules themselves are the services'.
Text = Annotated[str, Field(max_length=100_000)]


class CommentIn(Resource):
    body: Text
    parent_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class CommentEdit(Resource):
    body: Text


class Query(BaseModel):
    """A query string: a parameter the operation does not know is refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


class PostsQuery(Query):
    # An empty ?cursor= is refused like any damaged one (the document says so: minLength 1).
    cursor: str | None = Field(default=None, min_length=1, max_length=200)
    limit: int = Field(default=20, ge=1, le=100)


class PageQuery(Query):
    page: int = Field(default=1, ge=1, le=10_000)


class SearchQuery(Query):
    q: str = Field(min_length=1, max_length=500)
    order: Literal["relevance", "date"] = "relevance"
    page: int = Field(default=1, ge=1, le=500)
