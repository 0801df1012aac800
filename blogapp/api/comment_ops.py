"""A person's own comments through the API: post, edit, delete, under the web form's
rules (the same form fields, services, anti-spam, moderation and rate limit)."""

from flask import request

from blogapp.api import present, schemas
from blogapp.api.dispatch import api_viewer, current_token
from blogapp.api.operations import Who, operation
from blogapp.api.problems import ApiProblem, field_error
from blogapp.api.public_ops import post_or_404
from blogapp.api.validation import check_with_form, spend
from blogapp.comments import services
from blogapp.comments.forms import CommentForm, EditForm
from blogapp.comments.rules import CommentRejected
from blogapp.extensions import db
from blogapp.models import Comment, Scope


def _own_comment(comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    viewer = api_viewer()
    if comment is None or not viewer.can_see(comment):
        raise ApiProblem(404, "No comment you may see has that id.")
    if not viewer.can_delete(comment):
        raise ApiProblem(403, "Only its author can change this comment.", slug="not-yours")
    return comment


@operation(
    "POST",
    "/posts/<slug>/comments",
    tag="Comments",
    who=Who.ACCOUNT,
    scope=Scope.COMMENT,
    body=schemas.CommentIn,
    response=schemas.CommentOut,
    status=201,
    problems=(404,),
)
def post_comment(slug: str, body: schemas.CommentIn) -> schemas.CommentOut:
    """Post a comment, or a reply (parent_id); held for moderation when the rules say so."""
    post = post_or_404(slug)
    form = check_with_form(CommentForm, body.model_dump(), ("body", "parent_id"))
    author = current_token().user
    spend("COMMENT_RATE_LIMIT_ACCOUNT", "api-comments", str(author.id))
    try:
        comment = services.post_comment(
            post, form.body.data, author=author, parent_id=form.parent, ip=request.remote_addr
        )
    except services.CommentsClosed as error:
        raise ApiProblem(403, str(error), slug="comments-closed") from None
    except CommentRejected as error:
        raise field_error(
            error.field if error.field in ("body", "parent_id") else "body", str(error)
        ) from None
    return present.comment(comment, post.slug, None, None)


@operation(
    "PATCH",
    "/comments/<int:comment_id>",
    tag="Comments",
    who=Who.ACCOUNT,
    scope=Scope.COMMENT,
    body=schemas.CommentEdit,
    response=schemas.CommentOut,
    problems=(404,),
)
def edit_comment(comment_id: int, body: schemas.CommentEdit) -> schemas.CommentOut:
    """Change the text of your comment, within the edit window."""
    comment = _own_comment(comment_id)
    form = check_with_form(EditForm, body.model_dump(), ("body",))
    try:
        services.edit_comment(comment, form.body.data, may_edit=api_viewer().can_edit(comment))
    except services.EditNotAllowed as error:
        raise ApiProblem(403, str(error), slug="edit-window-closed") from None
    except CommentRejected as error:
        raise field_error("body", str(error)) from None
    return present.comment(comment, comment.post.slug, None, None)


@operation(
    "DELETE",
    "/comments/<int:comment_id>",
    tag="Comments",
    who=Who.ACCOUNT,
    scope=Scope.COMMENT,
    status=204,
    problems=(404,),
)
def delete_comment(comment_id: int) -> None:
    """Delete your comment; its replies keep their place under a placeholder."""
    comment = _own_comment(comment_id)
    services.delete_own_comment(comment, current_token().user, may_delete=True)
