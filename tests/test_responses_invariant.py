"""DESIGN.md's invariant, under random sequences of actions by random people:
the queue is exactly the published customer comments without an acknowledgement —
none lost, none twice."""

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blogapp.comments import moderation
from blogapp.comments.services import post_comment
from blogapp.extensions import db
from blogapp.models import Comment, CommentStatus, Role
from blogapp.responses import services
from blogapp.responses.queue import QueueFilters, queue_page
from blogapp.responses.services import ResponseError

ROLES = ["guest", "reader", "reader", "staff", "moderator", "admin"]
step = st.tuples(
    st.sampled_from(
        # Posting and replying come up more often, so threads grow and get answered.
        ["post", "post", "reply", "reply", "reply", "acknowledge", "close", "undo", "assign"]
        + ["remove", "spam", "approve"]
    ),
    st.integers(0, len(ROLES) - 1),  # who acts
    st.integers(0, 30),  # which comment (modulo the number there is)
    st.integers(0, len(ROLES) - 1),  # whom to assign
)


@pytest.fixture
def cast(make_user):
    people = {"guest": None}
    for role in ("reader", "staff", "moderator", "admin"):
        people[role] = make_user(Role(role))
    return people


class Model:
    """What the queue must hold, worked out from the rules alone."""

    def __init__(self):
        self.status: dict[int, str] = {}
        self.customer: dict[int, bool] = {}
        self.acked: dict[int, bool] = {}

    def owed(self) -> set[int]:
        return {
            cid
            for cid, status in self.status.items()
            if status == "published" and self.customer[cid] and not self.acked[cid]
        }


def _queue_ids(post, user) -> list[int]:
    ids, number = [], 1
    while True:
        page = queue_page(QueueFilters(post_id=post.id), user, number, per_page=3)
        ids += [item.comment.id for item in page.items]
        if number >= page.pages:
            return ids
        number += 1


counter = itertools.count()


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=3, max_size=14))
def test_queue_is_exactly_the_unacknowledged_published_customer_comments(steps, cast, make_post):
    post = make_post(author=cast["staff"])
    model = Model()
    moderator = cast["moderator"]
    for action, who, which, whom in steps:
        role = ROLES[who]
        actor = cast[role]
        ids = sorted(model.status)
        target = db.session.get(Comment, ids[which % len(ids)]) if ids else None
        n = next(counter)
        try:
            if action == "post" or target is None:
                comment = post_comment(
                    post,
                    f"Comment {n}",
                    author=actor,
                    guest_name=None if actor else f"Guest {n % 3}",
                    guest_email=None if actor else f"guest{n % 3}@example.com",
                )
                model.status[comment.id] = comment.status
                model.customer[comment.id] = actor is None or not actor.is_employee
                model.acked[comment.id] = False
            elif action == "reply":
                if target.status != CommentStatus.PUBLISHED:
                    continue
                reply = post_comment(
                    post,
                    f"Reply {n}",
                    author=actor,
                    parent_id=target.id,
                    guest_name=None if actor else "Replying Guest",
                    guest_email=None if actor else "rg@example.com",
                )
                model.status[reply.id] = reply.status
                model.customer[reply.id] = actor is None or not actor.is_employee
                model.acked[reply.id] = False
                if actor is not None and actor.is_employee and target.id in model.owed():
                    model.acked[target.id] = True
            elif action == "acknowledge":
                expected = actor is not None and actor.is_employee and target.id in model.owed()
                try:
                    services.acknowledge(target, actor, "Seen")
                    model.acked[target.id] = True
                    assert expected
                except ResponseError:
                    assert not expected
            elif action == "close":
                expected = role in ("moderator", "admin") and target.id in model.owed()
                try:
                    services.close_without_response(target, actor, "duplicate")
                    model.acked[target.id] = True
                    assert expected
                except ResponseError:
                    assert not expected
            elif action == "undo":
                expected = role in ("moderator", "admin") and model.acked[target.id]
                try:
                    services.undo(target, actor)
                    model.acked[target.id] = False
                    assert expected
                except ResponseError:
                    assert not expected
            elif action == "assign":
                assignee = cast[ROLES[whom]]
                try:
                    services.assign(target, assignee, actor)
                except ResponseError:
                    pass
            elif action in ("remove", "spam"):
                if action == "spam":
                    moderation.mark_spam(target, moderator)
                    model.status[target.id] = "spam"
                else:
                    moderation.remove_comment(target, moderator, "Off topic")
                    model.status[target.id] = "removed"
            elif action == "approve" and target.status == CommentStatus.HELD:
                moderation.approve_comment(target, moderator)
                model.status[target.id] = "published"
        except ResponseError:
            db.session.rollback()
        on_post = {cid for cid in services.owed_ids() if cid in model.status}
        listed = _queue_ids(post, moderator)
        assert on_post == model.owed()
        assert len(listed) == len(set(listed)), "a comment sits in the queue twice"
        assert set(listed) == model.owed()
