"""Every action on one comment that the response queue and the moderation page offer, in
one table: who may take it (a permission, asked of the user), what it does (a service)
and what the person is told when it is done (a message). The views look an action up
here and do nothing else with its name; tests/test_comment_actions.py tries each action
as each role.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from blogapp.comments import moderation
from blogapp.comments.services import post_comment
from blogapp.models import Comment, CommentStatus, User
from blogapp.responses import assigning, replying, services
from blogapp.responses.services import ResponseError

# Where an action is offered: the queue's inline forms, its bulk form, the moderation page.
QUEUE, BULK, MODERATION = "queue", "bulk", "moderation"


@dataclass(frozen=True)
class Given:
    """What came with an action: its form's fields, each read only by the services that
    need it."""

    body: str | None = None
    note: str | None = None
    reason: str | None = None
    assignee: User | None = None
    ip: str | None = None
    opened: datetime | None = None  # when the reply box was drawn (responses/replying.py)
    confirmed: bool = False  # "send mine anyway" after someone else answered since


@dataclass(frozen=True)
class CommentAction:
    permission: Callable[[User], bool]  # asked of the person acting; False: 403
    service: Callable[[Comment, User, Given], object]  # raises ResponseError/CommentRejected
    message: str  # flashed when done; "{assignee}" is the assignee's name
    offered: frozenset[str]  # QUEUE, BULK, MODERATION
    bulk_label: str | None  # its name in the bulk form's menu

    def done(self, given: Given) -> str:
        """The message for the person who took the action."""
        assignee = given.assignee.display_name if given.assignee is not None else ""
        return self.message.format(assignee=assignee)


def employee(user: User) -> bool:
    return user.is_employee


def moderator(user: User) -> bool:
    return user.is_moderator


def _reply(comment: Comment, me: User, given: Given):
    body = (given.body or "").strip()
    if not body:
        raise ResponseError("Please write your reply before sending it.")
    if not given.confirmed:
        replying.check_not_answered_since(comment, me, given.opened)
    result = post_comment(comment.post, body, author=me, parent_id=comment.id, ip=given.ip)
    replying.stop_replying(comment.id, me)
    # A Comment, or a ProposedReply when the post's author reviews answers first.
    return result


def _take_private(comment: Comment, me: User, given: Given) -> None:
    # Imported here: blogapp.private builds on this package's services.
    from blogapp.private.services import take_private

    take_private(comment, me, given.body)


def _reject(comment: Comment, me: User, given: Given) -> None:
    if comment.status != CommentStatus.HELD:
        raise ResponseError("Only a comment awaiting moderation can be rejected.")
    moderation.remove_comment(comment, me, "Rejected in moderation")


def _action(permission, service, message, *offered, bulk_label=None) -> CommentAction:
    """An action offered ``offered``, and in the bulk form too when it has a bulk label."""
    where = frozenset(offered) | ({BULK} if bulk_label else set())
    return CommentAction(permission, service, message, where, bulk_label)


ACTIONS: dict[str, CommentAction] = {
    "reply": _action(employee, _reply, "Replied: the comment is answered.", QUEUE),
    "acknowledge": _action(
        employee,
        lambda comment, me, given: services.acknowledge(comment, me, given.note),
        "Acknowledged.",
        QUEUE,
        bulk_label="Acknowledge",
    ),
    "close": _action(
        moderator,
        lambda comment, me, given: services.close_without_response(
            comment, me, given.reason, given.note
        ),
        "Closed: no response needed.",
        QUEUE,
        bulk_label="Close: no response needed",
    ),
    "assign": _action(
        employee,
        lambda comment, me, given: assigning.assign(comment, given.assignee, me),
        "Assigned to {assignee}.",
        QUEUE,
        bulk_label="Assign to…",
    ),
    "private": _action(
        moderator,
        _take_private,
        "Taken to private support: the customer has been mailed.",
        QUEUE,
    ),
    "undo": _action(
        moderator,
        lambda comment, me, given: services.undo(comment, me),
        "Undone: the comment is owed an answer again.",
        QUEUE,
    ),
    "spam": _action(
        moderator,
        lambda comment, me, given: moderation.mark_spam(comment, me),
        "Marked as spam: the comment is hidden.",
        QUEUE,
        MODERATION,
        bulk_label="Mark as spam",
    ),
    "remove": _action(
        moderator,
        lambda comment, me, given: moderation.remove_comment(
            comment, me, given.note or "Removed from the queue"
        ),
        "Removed. The reason is kept with the comment.",
        QUEUE,
        MODERATION,
    ),
    "approve": _action(
        moderator,
        lambda comment, me, given: moderation.approve_comment(comment, me),
        "Approved: the comment is public now.",
        QUEUE,
        MODERATION,
    ),
    "reject": _action(moderator, _reject, "Rejected.", QUEUE),
    "keep": _action(
        moderator,
        lambda comment, me, given: moderation.keep_comment(comment, me),
        "Kept: the reports are cleared.",
        MODERATION,
    ),
}


def offered(where: str, name: str) -> CommentAction | None:
    """The action ``name`` if it is offered ``where``; None means no such page (404)."""
    action = ACTIONS.get(name)
    return action if action is not None and where in action.offered else None


BULK_CHOICES = [(name, a.bulk_label) for name, a in ACTIONS.items() if BULK in a.offered]
