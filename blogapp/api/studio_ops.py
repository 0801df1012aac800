"""Posts through the API (publish scope): write drafts, update them with the version they
were read at (a stale one is a 409 carrying the current post), schedule and publish, all
through the editor's own service (studio/editing.save_post) and form fields."""

from datetime import UTC
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints

from blogapp.api.dispatch import current_token
from blogapp.api.operations import Who, operation
from blogapp.api.problems import ApiProblem, field_error
from blogapp.api.schemas import Instant, Resource
from blogapp.api.validation import check_with_form
from blogapp.models import Post, Scope
from blogapp.query_args import MAX_ID
from blogapp.studio import drafts, editing, services
from blogapp.studio.forms import PostForm

TAG = "Studio"
Tag = Annotated[str, StringConstraints(max_length=40, pattern=r"^[^,]*$")]
Version = Field(ge=1, le=MAX_ID)  # a count, kept in an integer column like an id


class PostFields(Resource):
    title: str | None = Field(default=None, max_length=100_000)
    body: str | None = Field(default=None, max_length=1_000_000)
    slug: str | None = Field(default=None, max_length=1_000)
    tags: list[Tag] | None = Field(default=None, max_length=100)
    excerpt: str | None = Field(default=None, max_length=100_000)
    comments_open: bool | None = None


class PostUpdate(PostFields):
    version: int = Version


class VersionIn(Resource):
    version: int = Version


class ScheduleIn(VersionIn):
    publish_at: AwareDatetime


class StudioPost(Resource):
    id: int
    slug: str
    title: str
    body: str
    excerpt: str
    tags: list[str]
    comments_open: bool
    status: str  # draft, scheduled or published
    published_at: Instant | None
    version: int


def studio_post(post: Post) -> StudioPost:
    return StudioPost(
        id=post.id,
        slug=post.slug,
        title=post.title,
        body=post.body_source,
        excerpt=post.excerpt,
        tags=[t.name for t in post.tags],
        comments_open=post.comments_open,
        status=services.effective_status(post),
        published_at=post.published_at,
        version=post.version,
    )


def _post_to_edit(post_id: int) -> Post:
    try:
        return services.post_to_edit(post_id, current_token().user)
    except services.PostNotFound:
        raise ApiProblem(404, "No post has that id.") from None
    except services.NotAllowed:
        raise ApiProblem(403, "Authors edit their own posts; admins anyone's.") from None


def _save(post: Post | None, fields: BaseModel, action: str, version=None, publish_at=None):
    draft = drafts.draft_from_post(post) if post is not None else drafts.PostDraft("", "")
    # A field left out, or null, keeps what the post has.
    given = fields.model_dump(exclude_none=True, include=set(PostFields.model_fields))
    if "tags" in given:
        given["tags"] = ", ".join(given["tags"])
    for name, value in given.items():
        setattr(draft, name, value)
    form_values = {k: getattr(draft, k) for k in ("title", "slug", "body", "tags", "excerpt")}
    form = check_with_form(PostForm, form_values, tuple(form_values))
    for name in form_values:  # as the form cleaned them (no control characters)
        setattr(draft, name, getattr(form, name).data or "")
    when = publish_at.astimezone(UTC).replace(tzinfo=None) if publish_at else None
    try:
        return editing.save_post(
            post, draft, current_token().user, version, action=action, publish_at=when
        )
    except editing.EditConflict as conflict:
        raise ApiProblem(
            409,
            f"The post was saved since version {version}; it is at {conflict.post.version} now.",
            slug="stale-version",
            current=studio_post(conflict.post).model_dump(mode="json"),
        ) from None
    except drafts.StudioError as error:
        raise field_error(error.field or "body", str(error)) from None


def _op(method: str, rule: str, body=None, status: int = 200, problems=(404, 409)):
    return operation(
        method, rule, tag=TAG, who=Who.EMPLOYEE, scope=Scope.PUBLISH, body=body,
        response=StudioPost, status=status, problems=problems,
    )  # fmt: skip


@_op("GET", "/studio/posts/<int:post_id>", problems=(404,))
def get_studio_post(post_id: int) -> StudioPost:
    """A post as its editor sees it: its source, status and version."""
    return studio_post(_post_to_edit(post_id))


@_op("POST", "/studio/posts", body=PostFields, status=201, problems=())
def create_post(body: PostFields) -> StudioPost:
    """Write a new draft (its author is the token's person)."""
    return studio_post(_save(None, body, "save"))


@_op("PATCH", "/studio/posts/<int:post_id>", body=PostUpdate)
def update_post(post_id: int, body: PostUpdate) -> StudioPost:
    """Change a post; send the version you read (a stale one is a 409 with the current)."""
    return studio_post(_save(_post_to_edit(post_id), body, "save", body.version))


@_op("POST", "/studio/posts/<int:post_id>/publish", body=VersionIn)
def publish_post(post_id: int, body: VersionIn) -> StudioPost:
    """Publish a post now."""
    return studio_post(_save(_post_to_edit(post_id), body, "publish", body.version))


@_op("POST", "/studio/posts/<int:post_id>/schedule", body=ScheduleIn)
def schedule_post(post_id: int, body: ScheduleIn) -> StudioPost:
    """Publish a post at a later time (publish_at, with its time zone)."""
    post = _post_to_edit(post_id)
    return studio_post(_save(post, body, "schedule", body.version, body.publish_at))
