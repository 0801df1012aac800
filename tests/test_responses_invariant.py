"""ARCHITECTURE.md's invariant, under random sequences of actions by random people:
the queue is exactly the published customer comments without an acknowledgement,
after folding follow-ups into their conversation — none lost, none twice.

Customers reply to their own comments often enough for follow-ups to join owed items,
for employees to answer them by replying to the follow-up, and for items to be removed
from under their follow-ups."""

import itertools

import pytest
import sqlalchemy as sa
from flask import current_app
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blogapp.comments import moderation
from blogapp.comments.services import post_comment
from blogapp.extensions import db
from blogapp.models import Comment, CommentStatus, ProposedReply, ReviewState, Role
from blogapp.private.services import take_private
from blogapp.responses import assigning, metrics, reviews, services
from blogapp.responses.helped import rate_answer
from blogapp.responses.owed_list import owed_and_overdue
from blogapp.responses.public import PUBLIC_KINDS
from blogapp.responses.queue import QueueFilters, queue_page
from blogapp.responses.services import ResponseError
from tests.inbound_helpers import reply_by_mail

ROLES = ["guest", "reader", "reader", "staff", "moderator", "admin"]
step = st.tuples(
    st.sampled_from(
        # Posting and replying come up more often, so threads grow and get answered.
        ["post", "post", "reply", "reply", "reply", "acknowledge", "close", "undo", "assign"]
        + ["remove", "spam", "approve"]
        + ["didnt_help", "didnt_help"]
        + ["reply_by_mail"]
        + ["private"]  # issue 17: a moderator's private hand-off
        # Issue 17, point 5: a reply that waits for the post author's review, then approved.
        + ["propose", "approve_review"]
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
        self.who: dict[int, object] = {}  # a user id, or a guest's email
        self.parent: dict[int, int | None] = {}
        self.joins: dict[int, int | None] = {}

    def owed(self) -> set[int]:
        return {
            cid
            for cid, status in self.status.items()
            if status == "published"
            and self.customer[cid]
            and not self.acked[cid]
            and self.joins[cid] is None
        }

    def item(self, cid: int) -> int:
        return self.joins[cid] or cid

    def add(self, comment, actor, parent_id=None) -> None:
        cid = comment.id
        self.status[cid] = comment.status
        self.customer[cid] = actor is None or not actor.is_employee
        self.acked[cid] = False
        self.who[cid] = actor.id if actor else comment.guest_email
        self.parent[cid] = parent_id
        self.joins[cid] = None
        if comment.status == "published":
            self.join(cid)

    def join(self, cid: int) -> None:
        """A customer's message to their own comment whose conversation is owed joins it."""
        parent = self.parent[cid]
        self.joins[cid] = None
        if parent is None or not self.customer[cid] or self.who[parent] != self.who[cid]:
            return
        if self.item(parent) in self.owed():
            self.joins[cid] = self.item(parent)

    def removed(self, cid: int) -> None:
        """An item removed from under its follow-ups: the oldest published one takes over."""
        follow_ups = sorted(
            f for f, j in self.joins.items() if j == cid and self.status[f] == "published"
        )
        if follow_ups and not self.acked[cid]:
            first, *rest = follow_ups
            self.joins[first] = None
            for f in rest:
                self.joins[f] = first


def _queue_ids(post, user) -> list[int]:
    ids, number = [], 1
    while True:
        page = queue_page(QueueFilters(post_id=post.id), user, number, per_page=3)
        ids += [item.comment.id for item in page.items]
        if number >= page.pages:
            return ids
        number += 1


counter = itertools.count()


@pytest.mark.slow  # hypothesis: 20 random histories
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
    proposals: list[int] = []
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
                model.add(comment, actor)
            elif action == "reply":
                if target.status != CommentStatus.PUBLISHED:
                    continue
                reply = post_comment(
                    post,
                    f"Reply {n}",
                    author=actor,
                    parent_id=target.id,
                    guest_name=None if actor else f"Guest {n % 3}",
                    guest_email=None if actor else f"guest{n % 3}@example.com",
                )
                item = model.item(target.id)
                if actor is not None and actor.is_employee and item in model.owed():
                    model.acked[item] = True  # a reply to a follow-up answers its item
                model.add(reply, actor, parent_id=target.id)
            elif action == "acknowledge":
                item = model.item(target.id)
                expected = actor is not None and actor.is_employee and item in model.owed()
                try:
                    services.acknowledge(target, actor, "Seen")
                    model.acked[item] = True
                    assert expected
                except ResponseError:
                    assert not expected
            elif action == "close":
                item = model.item(target.id)
                expected = role in ("moderator", "admin") and item in model.owed()
                try:
                    services.close_without_response(target, actor, "duplicate")
                    model.acked[item] = True
                    assert expected
                except ResponseError:
                    assert not expected
            elif action == "private":
                # A standing acknowledgement: off the queue; undo puts it back (above).
                item = model.item(target.id)
                expected = role in ("moderator", "admin") and item in model.owed()
                try:
                    take_private(target, actor)
                    model.acked[item] = True
                    assert expected
                except ResponseError:
                    assert not expected
            elif action == "undo":
                item = model.item(target.id)
                expected = role in ("moderator", "admin") and model.acked[item]
                try:
                    services.undo(target, actor)
                    model.acked[item] = False
                    assert expected
                except ResponseError:
                    assert not expected
            elif action == "assign":
                assignee = cast[ROLES[whom]]
                try:
                    assigning.assign(target, assignee, actor)
                except ResponseError:
                    pass
            elif action in ("remove", "spam"):
                was_published = model.status[target.id] == "published"
                if action == "spam":
                    moderation.mark_spam(target, moderator)
                    model.status[target.id] = "spam"
                else:
                    moderation.remove_comment(target, moderator, "Off topic")
                    model.status[target.id] = "removed"
                if was_published:
                    model.removed(target.id)
            elif action == "didnt_help":
                # The item's author says its standing answer did not help: owed again.
                item = db.session.get(Comment, model.item(target.id))
                ack = services.standing_acknowledgement(item)
                assert (ack is not None) == model.acked[item.id]
                if ack is None:
                    continue
                # Only a public answer is rated: not a close, nor a private hand-off.
                expected = ack.kind in PUBLIC_KINDS and model.status[item.id] == "published"
                try:
                    rate_answer(ack, False, None, item.author)
                    assert expected
                    model.acked[item.id] = False
                except ResponseError:
                    db.session.rollback()
                    assert not expected
            elif action == "reply_by_mail":
                item = model.item(target.id)
                standing = services.standing_acknowledgement(db.session.get(Comment, item))
                expected = (
                    actor is not None
                    and actor.is_employee
                    and model.status[target.id] == "published"
                    and (standing is None or standing.employee_id == actor.id)
                )
                if reply_by_mail(target, actor, f"Answer by mail {n}").accepted:
                    assert expected
                    reply = db.session.scalars(
                        sa.select(Comment)
                        .where(Comment.parent_id == target.id)
                        .order_by(Comment.id.desc())
                    ).first()
                    if item in model.owed():
                        model.acked[item] = True
                    model.add(reply, actor, parent_id=target.id)
                else:
                    assert not expected
            elif action == "propose":
                if target.status != CommentStatus.PUBLISHED:
                    continue
                writer = actor if actor is not None and actor.is_employee else moderator
                if writer.id == post.author_id:
                    writer = moderator
                post.replies_need_review = True
                held = post_comment(post, f"Proposed {n}", author=writer, parent_id=target.id)
                post.replies_need_review = False
                db.session.commit()
                assert held.awaits_review  # nothing is published: the model does not move
                proposals.append(held.id)
            elif action == "approve_review":
                waiting = [
                    p
                    for p in map(lambda i: db.session.get(ProposedReply, i), proposals)
                    if p.state == ReviewState.WAITING
                ]
                if not waiting:
                    continue
                proposal = waiting[which % len(waiting)]
                parent = proposal.comment
                try:
                    reply = reviews.approve(proposal, post.author)
                except reviews.ReviewError:
                    assert model.status[parent.id] != "published"
                    continue
                item = model.item(parent.id)
                if item in model.owed():
                    model.acked[item] = True  # answered when approved, not when written
                model.add(reply, proposal.author, parent_id=parent.id)
            elif action == "approve" and target.status == CommentStatus.HELD:
                moderation.approve_comment(target, moderator)
                model.status[target.id] = "published"
                model.join(target.id)
        except ResponseError:
            db.session.rollback()
        on_post = {cid for cid in services.owed_ids() if cid in model.status}
        listed = _queue_ids(post, moderator)
        assert on_post == model.owed()
        assert len(listed) == len(set(listed)), "a comment sits in the queue twice"
        assert set(listed) == model.owed()
        _check_kept_figures(model, moderator)


def _worked_out_afresh(work):
    current_app.config["RESPONSES_CACHE"] = False
    try:
        return work()
    finally:
        current_app.config["RESPONSES_CACHE"] = True


def _check_kept_figures(model, moderator) -> None:
    """What the queue, the navigation and the metrics keep under the tracker's change stamp
    (tracker_cache.py) is what the database says after every move: the stamp moved."""
    whole = queue_page(QueueFilters(), moderator, 1, per_page=10_000)
    assert {i.comment.id for i in whole.items if i.comment.id in model.status} == model.owed()
    assert owed_and_overdue() == _worked_out_afresh(owed_and_overdue)
    assert owed_and_overdue()[0] == len(services.owed_ids())
    assert metrics.weekly(2) == _worked_out_afresh(lambda: metrics.weekly(2))
