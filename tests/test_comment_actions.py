"""The table of comment actions (responses/actions.py): every action, wherever it is offered
(the queue's inline forms, its bulk form, the moderation page), as every role. A role
without the action's permission gets 403 (a guest is sent to log in) and nothing changes;
a role with it gets the action done."""

import pytest
import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.models import (
    Acknowledgement,
    Assignment,
    AuditEvent,
    Comment,
    CommentStatus,
    Flag,
    Role,
)
from blogapp.responses import services
from blogapp.responses.actions import ACTIONS, BULK, MODERATION, QUEUE
from tests.conftest import csrf_from

EMPLOYEES = {Role.STAFF, Role.MODERATOR, Role.ADMIN}
MODERATORS = {Role.MODERATOR, Role.ADMIN}

# Who may take each action, where it is offered: written out here, not read from the table.
# The bulk form is a moderator's tool whatever the action.
ALLOWED = {
    ("reply", QUEUE): EMPLOYEES,
    ("acknowledge", QUEUE): EMPLOYEES,
    ("acknowledge", BULK): MODERATORS,
    ("assign", QUEUE): EMPLOYEES,
    ("assign", BULK): MODERATORS,
    ("close", QUEUE): MODERATORS,
    ("close", BULK): MODERATORS,
    ("undo", QUEUE): MODERATORS,
    ("private", QUEUE): MODERATORS,  # issue 17: take it to private support
    ("spam", QUEUE): MODERATORS,
    ("spam", BULK): MODERATORS,
    ("spam", MODERATION): MODERATORS,
    ("remove", QUEUE): MODERATORS,
    ("remove", MODERATION): MODERATORS,
    ("approve", QUEUE): MODERATORS,
    ("approve", MODERATION): MODERATORS,
    ("reject", QUEUE): MODERATORS,
    ("keep", MODERATION): MODERATORS,
}
# What each action needs to find, and what it is sent with.
TARGET = {"approve": "held", "reject": "held", "keep": "flagged", "undo": "answered"}
FIELDS = {
    "reply": {"body": "Thanks, we are on it."},
    "acknowledge": {"note": "Passed on"},
    "assign": {"assignee": "me"},
    "close": {"reason": "thanks-only"},
    "remove": {"note": "Off topic"},
    # The moderation page's own form for it names the field "reason".
    ("remove", MODERATION): {"reason": "Off topic"},
}


def test_the_table_offers_exactly_these_actions():
    offered = {(name, where) for name, action in ACTIONS.items() for where in action.offered}
    assert offered == set(ALLOWED)


def _target(kind: str, post, make_comment, reader, staff) -> Comment:
    """A fresh comment for one action to work on."""
    if kind == "held":
        return make_comment(post, body="Held back", status=CommentStatus.HELD)
    comment = make_comment(post, body=f"A question ({kind})")
    if kind == "flagged":
        db.session.add(Flag(comment=comment, reporter=reader, reason="spam", note=""))
        db.session.commit()
    if kind == "answered":
        services.acknowledge(comment, staff)
    return comment


def _state() -> dict:
    """Everything a comment action can change."""
    tables = (Comment, Acknowledgement, Assignment, Flag, AuditEvent)
    db.session.expire_all()
    return {
        t.__tablename__: db.session.execute(sa.select(t.__table__).order_by(t.id)).all()
        for t in tables
    }


def _send(client, action: str, where: str, comment: Comment, token: str):
    fields = FIELDS.get((action, where), FIELDS.get(action, {}))
    data = {"csrf_token": token, "next": "/responses", **fields}
    if where == QUEUE:
        return client.post(f"/responses/{comment.id}/{action}", data=data)
    if where == BULK:
        return client.post(
            "/responses/bulk", data={**data, "action": action, "ids": str(comment.id)}
        )
    return client.post(f"/moderation/comments/{comment.id}/{action}", data=data)


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_each_action_is_taken_only_by_the_roles_it_allows(
    client, auth, make_user, make_post, make_comment, role
):
    staff = make_user(Role.STAFF)
    reader = make_user(Role.READER)
    post = make_post(author=staff)
    if role is Role.GUEST:
        token = csrf_from(client.get("/account/login").text)
    else:
        me = staff if role is Role.STAFF else make_user(role)
        auth.login(me.email)
        token = csrf_from(client.get("/").text)
    wrong = []
    for (action, where), allowed in ALLOWED.items():
        comment = _target(TARGET.get(action, "owed"), post, make_comment, reader, staff)
        before = _state()
        response = _send(client, action, where, comment, token)
        after = _state()
        if role in allowed:
            if response.status_code not in (302, 303) or after == before:
                wrong.append(f"{action} at {where}: {response.status_code}, changed nothing")
        elif role is Role.GUEST:
            if response.status_code != 302 or "/account/login" not in response.location:
                wrong.append(f"{action} at {where}: {response.status_code}, not sent to log in")
        elif response.status_code != 403:
            wrong.append(f"{action} at {where}: {response.status_code}, not 403")
        if role not in allowed and after != before:
            wrong.append(f"{action} at {where}: refused, but something changed")
    assert wrong == []
