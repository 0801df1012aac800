"""The response tracker through the API: the queue, its actions and the metrics. Each
action is the queue's own (responses/actions.py: permission, service, message), with the
queue form's fields and limits."""

from flask import request, url_for

from blogapp.api import present
from blogapp.api import staff_schemas as s
from blogapp.api.dispatch import current_token
from blogapp.api.operations import Who, operation
from blogapp.api.problems import ApiProblem
from blogapp.api.validation import check_with_form
from blogapp.comments.rules import CommentRejected
from blogapp.extensions import db
from blogapp.models import Comment, Scope, User
from blogapp.responses import metrics
from blogapp.responses.actions import ACTIONS, Given
from blogapp.responses.forms import ActionForm
from blogapp.responses.queue import QueueFilters, queue_page
from blogapp.responses.services import ResponseError

TAG = "Responses"


def _act(name: str, comment_id: int, fields: dict, assignee: User | None = None) -> s.ActionDone:
    """Take the queue's action ``name`` on the comment as the token's person."""
    action = ACTIONS[name]
    me = current_token().user
    if not action.permission(me):
        raise ApiProblem(403, "Your role cannot take this action.", slug="not-allowed")
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise ApiProblem(404, "No comment has that id.")
    form = check_with_form(ActionForm, fields, tuple(fields))
    given = Given(
        body=form.body.data,
        note=form.note.data,
        reason=form.reason.data,
        assignee=assignee,
        ip=request.remote_addr,
    )
    try:
        action.service(comment, me, given)
    except (ResponseError, CommentRejected) as error:
        db.session.rollback()
        raise ApiProblem(409, str(error), slug="not-possible-now") from None
    return s.ActionDone(comment_id=comment_id, action=name, message=action.done(given))


def _action_op(rule: str, who: Who = Who.EMPLOYEE, scope: Scope = Scope.RESPOND, **kw):
    return operation(
        "POST",
        rule,
        tag=TAG,
        who=who,
        scope=scope,
        response=s.ActionDone,
        problems=(404, 409),
        **kw,
    )


@operation(
    "GET", "/responses", tag=TAG, who=Who.EMPLOYEE, scope=Scope.READ, query=s.QueueQuery,
    response=s.QueueOut,
)  # fmt: skip
def response_queue(query: s.QueueQuery) -> s.QueueOut:
    """The owed comments, oldest first, with the queue page's filters."""
    filters = QueueFilters(query.view, query.post, query.author)
    page = queue_page(filters, current_token().user, query.page, query.per_page)
    permalink = url_for("comments.permalink", comment_id=987654321, _external=True)
    return s.QueueOut(
        items=[
            s.QueueItemOut(
                comment_id=item.comment.id,
                post_id=item.comment.post.id,
                post_title=item.comment.post.title,
                author_name=item.comment.author_name,
                body_html=item.comment.body_html,
                created_at=item.comment.created_at,
                assignee=present.employee(item.assignee),
                assigned=item.assigned,
                due_at=item.due_at,
                overdue=item.overdue,
                time_left=item.time_left,
                follow_up_ids=[f.id for f in item.follow_ups],
                url=permalink.replace("987654321", str(item.comment.id)),
            )
            for item in page.items
        ],
        total=page.total,
        page=page.page,
        pages=page.pages,
    )


@_action_op("/responses/<int:comment_id>/reply", body=s.ReplyIn)
def reply(comment_id: int, body: s.ReplyIn) -> s.ActionDone:
    """Reply to an owed comment: the reply answers it."""
    return _act("reply", comment_id, {"body": body.body})


@_action_op("/responses/<int:comment_id>/acknowledge", body=s.AcknowledgeIn)
def acknowledge(comment_id: int, body: s.AcknowledgeIn) -> s.ActionDone:
    """Mark an owed comment seen, with an optional public note (mailed to its author)."""
    return _act("acknowledge", comment_id, {"note": body.note})


@_action_op("/responses/<int:comment_id>/assign", body=s.AssignIn)
def assign(comment_id: int, body: s.AssignIn) -> s.ActionDone:
    """Give an owed comment to an employee (moderators: anyone; others: themselves)."""
    return _act("assign", comment_id, {}, assignee=db.session.get(User, body.assignee_id))


@_action_op("/responses/<int:comment_id>/claim")
def claim(comment_id: int) -> s.ActionDone:
    """Take an owed comment on yourself."""
    return _act("assign", comment_id, {}, assignee=current_token().user)


@_action_op("/responses/<int:comment_id>/close", who=Who.MODERATOR, body=s.CloseIn)
def close(comment_id: int, body: s.CloseIn) -> s.ActionDone:
    """Close an owed comment that needs no answer, with a reason (moderators)."""
    return _act("close", comment_id, {"reason": body.reason, "note": body.note})


@_action_op("/comments/<int:comment_id>/approve", who=Who.MODERATOR, scope=Scope.MODERATE)
def approve(comment_id: int) -> s.ActionDone:
    """Publish a comment held for moderation."""
    return _act("approve", comment_id, {})


@_action_op("/comments/<int:comment_id>/reject", who=Who.MODERATOR, scope=Scope.MODERATE)
def reject(comment_id: int) -> s.ActionDone:
    """Reject a comment held for moderation."""
    return _act("reject", comment_id, {})


@operation(
    "GET", "/responses/metrics", tag=TAG, who=Who.EMPLOYEE, scope=Scope.READ,
    query=s.MetricsQuery, response=s.MetricsOut,
)  # fmt: skip
def response_metrics(query: s.MetricsQuery) -> s.MetricsOut:
    """Weekly response figures and answers per employee, as the metrics page shows."""
    return s.MetricsOut(
        weeks=[
            s.WeekOut(
                **{k: getattr(w, k) for k in s.WeekOut.model_fields if k != "within_sla"},
                within_sla=w.within_sla,
            )
            for w in metrics.weekly(query.weeks)
        ],
        employees=[
            s.EmployeeCountOut(
                name=e.name, replies=e.replies, acknowledged=e.acknowledged, closed=e.closed,
                taken_private=e.taken_private,
            )
            for e in metrics.per_employee(query.weeks)
        ],
    )
