"""Issue 17, point 5: on a post whose author reviews answers first, an employee's reply
waits (a ProposedReply), the comment stays owed with its due time, and the author
approves (as written or edited) or sends it back. The services, on SQLite and PostgreSQL."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from blogapp.comments.services import post_comment
from blogapp.extensions import db
from blogapp.models import (
    AckKind,
    Acknowledgement,
    Comment,
    Guest,
    ProposedReply,
    ReviewState,
    Role,
)
from blogapp.models.base import utcnow
from blogapp.responses import reviews, services
from blogapp.responses.owed_list import owed_and_overdue
from blogapp.responses.queue import QueueFilters, queue_page
from blogapp.responses.review_gate import review_needed
from blogapp.responses.reviews import ReviewError
from blogapp.search.services import SearchOptions, search_site
from tests.review_helpers import audit, build_scene, mails


@pytest.fixture
def scene(make_user, make_post, make_comment):
    return build_scene(make_user, make_post, make_comment)


def found(text: str, viewer=None) -> list[str]:
    results = search_site(text, viewer or Guest(), SearchOptions())
    return [hit.key for group in results.groups for hit in group.hits]


def replies_to(comment) -> list[Comment]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Comment).where(Comment.parent_id == comment.id)))


def test_a_staff_reply_waits_and_the_comment_stays_owed(scene, client):
    held = post_comment(
        scene.post, "Your invoice is in Billing, zanzibarian.", author=scene.staff,
        parent_id=scene.comment.id,
    )  # fmt: skip
    assert isinstance(held, ProposedReply) and held.awaits_review
    assert held.state == ReviewState.WAITING and held.author_id == scene.staff.id
    assert replies_to(scene.comment) == []
    assert scene.comment.id in services.owed_ids()
    assert found("zanzibarian") == [] and found("zanzibarian", scene.admin) == []
    # Nothing of it on the public page (the feed carries posts only).
    assert "zanzibarian" not in client.get(f"/posts/{scene.post.slug}").text
    [asked] = audit("review_asked")
    assert (asked.actor_id, asked.comment_id, asked.subject_id) == (
        scene.staff.id, scene.comment.id, scene.executive.id,
    )  # fmt: skip
    [mail] = mails("review_asked")
    assert mail.to_address == scene.executive.email and "zanzibarian" in mail.body_text


def test_the_clock_keeps_running_while_a_reply_waits(scene, make_comment):
    three_days_ago = utcnow() - timedelta(days=3)
    old = make_comment(scene.post, author=scene.reader, body="Old", created_at=three_days_ago)
    due_before = services.clock().due_at(old.created_at)
    post_comment(scene.post, "Soon.", author=scene.staff, parent_id=old.id)
    page = queue_page(QueueFilters(post_id=scene.post.id), scene.admin, 1, 50)
    [item] = [i for i in page.items if i.comment.id == old.id]
    assert item.overdue and item.due_at == due_before
    assert owed_and_overdue() == (2, 1)


def test_approve_as_written_publishes_as_the_writers_reply_now(scene):
    held = post_comment(scene.post, "Billing has it, quokkaish.", author=scene.staff,
                        parent_id=scene.comment.id)  # fmt: skip
    before = utcnow()
    reply = reviews.approve(held, scene.executive)
    assert reply.author_id == scene.staff.id and reply.is_public
    assert reply.body_source == "Billing has it, quokkaish." and reply.created_at >= before
    assert scene.comment.id not in services.owed_ids()
    ack = db.session.scalar(
        sa.select(Acknowledgement).where(Acknowledgement.comment_id == scene.comment.id)
    )
    assert (ack.kind, ack.employee_id, ack.reply_id) == (AckKind.REPLY, scene.staff.id, reply.id)
    assert ack.created_at == reply.created_at
    assert held.state == ReviewState.PUBLISHED and held.reply_id == reply.id
    assert held.reviewer_id == scene.executive.id
    [approved] = audit("review_approved")
    assert approved.actor_id == scene.executive.id and approved.subject_id == scene.staff.id
    assert "approved by Erin Exec" in approved.detail and "edited" not in approved.detail
    assert [e.actor_id for e in audit("replied")] == [scene.staff.id]
    assert found("quokkaish") == [f"comment:{reply.id}"]
    # The customer hears of the answer, as from any reply.
    assert [m.to_address for m in mails("comment_reply")] == [scene.reader.email]


def test_approve_after_editing_publishes_the_edited_text(scene):
    held = post_comment(scene.post, "Billing has it.", author=scene.staff,
                        parent_id=scene.comment.id)  # fmt: skip
    reply = reviews.approve(held, scene.executive, "Billing has it; I checked myself.")
    assert reply.body_source == "Billing has it; I checked myself."
    assert reply.author_id == scene.staff.id
    assert "edited" in audit("review_approved")[0].detail
    with pytest.raises(ReviewError, match="no longer waiting"):
        reviews.approve(held, scene.executive)  # a second click publishes nothing more
    assert len(replies_to(scene.comment)) == 1


def test_send_back_keeps_the_text_tells_the_writer_and_they_send_it_again(scene):
    held = post_comment(scene.post, "Try turning it off.", author=scene.staff,
                        parent_id=scene.comment.id)  # fmt: skip
    with pytest.raises(ReviewError, match="what should change"):
        reviews.send_back(held, scene.executive, "  ")
    reviews.send_back(held, scene.executive, "Please link the billing page.")
    assert held.state == ReviewState.RETURNED and held.body_source == "Try turning it off."
    [mail] = mails("review_returned")
    assert mail.to_address == scene.staff.email and "link the billing page" in mail.body_text
    assert audit("review_returned")[0].detail == "Please link the billing page."
    assert scene.comment.id in services.owed_ids()
    with pytest.raises(ReviewError):
        reviews.approve(held, scene.executive)  # sent back: not waiting
    again = reviews.send_again(held, scene.staff, "See https://example.com/billing")
    assert again.id == held.id and held.state == ReviewState.WAITING
    assert db.session.scalar(sa.select(sa.func.count(ProposedReply.id))) == 1
    reply = reviews.approve(held, scene.executive)
    assert reply.body_source == "See https://example.com/billing"


@pytest.mark.parametrize("who", ["staff", "admin", "reader"])
def test_only_the_post_author_approves_or_sends_back(scene, who):
    held = post_comment(scene.post, "Answer.", author=scene.staff, parent_id=scene.comment.id)
    person = getattr(scene, who)
    with pytest.raises(ReviewError, match="Only the post's author"):
        reviews.approve(held, person)
    with pytest.raises(ReviewError, match="Only the post's author"):
        reviews.send_back(held, person, "No.")
    db.session.refresh(held)
    assert held.state == ReviewState.WAITING and replies_to(scene.comment) == []


def test_only_the_writer_sends_again_or_withdraws(scene):
    held = post_comment(scene.post, "Answer.", author=scene.staff, parent_id=scene.comment.id)
    with pytest.raises(ReviewError, match="Only its writer"):
        reviews.withdraw(held, scene.executive)
    reviews.withdraw(held, scene.staff)
    assert held.state == ReviewState.WITHDRAWN and audit("review_withdrawn")
    with pytest.raises(ReviewError, match="no longer waiting"):
        reviews.send_again(held, scene.staff, "Again")


def test_who_is_held(scene, make_user, make_post):
    moderator = make_user(Role.MODERATOR)
    assert review_needed(scene.post, scene.staff) and review_needed(scene.post, scene.admin)
    assert review_needed(scene.post, moderator)
    assert not review_needed(scene.post, scene.executive)  # the author's own replies
    assert not review_needed(scene.post, scene.reader) and not review_needed(scene.post, None)
    other = make_post(author=scene.executive)
    assert not review_needed(other, scene.staff)  # the switch was for one post
    scene.executive.replies_need_review = True  # ... now for all their posts
    assert review_needed(other, scene.staff)
    scene.executive.disabled_at = utcnow()  # nobody left to review: not held
    assert not review_needed(other, scene.staff)
    db.session.rollback()


def test_the_authors_own_reply_and_a_plain_acknowledgement_publish_at_once(scene, make_comment):
    own = post_comment(scene.post, "Mine.", author=scene.executive, parent_id=scene.comment.id)
    assert isinstance(own, Comment) and own.is_public
    other = make_comment(scene.post, author=scene.reader, body="Another question")
    ack = services.acknowledge(other, scene.staff)
    assert isinstance(ack, Acknowledgement) and other.id not in services.owed_ids()


def test_a_public_note_waits_too_and_approving_acknowledges_with_it(scene):
    held = services.acknowledge(scene.comment, scene.staff, "Passed to billing.")
    assert isinstance(held, ProposedReply) and held.kind == "note"
    assert scene.comment.id in services.owed_ids()
    ack = reviews.approve(held, scene.executive, "Passed to our billing team.")
    assert (ack.kind, ack.employee_id) == (AckKind.ACKNOWLEDGED, scene.staff.id)
    assert ack.public_note == "Passed to our billing team."
    assert scene.comment.id not in services.owed_ids()


def test_approving_after_the_comment_was_removed_publishes_nothing(scene):
    from blogapp.comments import moderation

    held = post_comment(scene.post, "Answer.", author=scene.staff, parent_id=scene.comment.id)
    moderation.remove_comment(scene.comment, scene.admin, "Off topic")
    with pytest.raises(ReviewError, match="Not published"):
        reviews.approve(held, scene.executive)
    db.session.refresh(held)
    assert held.state == ReviewState.WAITING and replies_to(scene.comment) == []


def test_an_answer_by_someone_no_longer_an_employee_is_not_published(scene):
    held = post_comment(scene.post, "Answer.", author=scene.staff, parent_id=scene.comment.id)
    scene.staff.role = Role.READER.value
    db.session.commit()
    with pytest.raises(ReviewError, match="no longer an employee"):
        reviews.approve(held, scene.executive)
    assert replies_to(scene.comment) == [] and scene.comment.id in services.owed_ids()


def test_a_double_click_is_one_proposal(scene):
    post_comment(scene.post, "Answer.", author=scene.staff, parent_id=scene.comment.id)
    post_comment(scene.post, "Answer!", author=scene.staff, parent_id=scene.comment.id)
    [proposal] = db.session.scalars(sa.select(ProposedReply)).all()
    assert proposal.body_source == "Answer!"


def test_the_switches_and_who_may_turn_them(scene, make_user):
    author = make_user(Role.STAFF)
    assert reviews.require_review(author, True, author) is True
    assert reviews.require_review(author, True, author) is False  # nothing changed
    with pytest.raises(ReviewError, match="author or an admin"):
        reviews.require_review(author, False, scene.staff)
    assert reviews.require_review(author, False, scene.admin) is True
    assert not author.replies_need_review
    with pytest.raises(ReviewError):
        reviews.require_review(scene.reader, True, scene.admin)  # readers write no posts
    with pytest.raises(ReviewError, match="post's author"):
        reviews.require_review_on_post(scene.post, False, scene.admin)
    assert reviews.require_review_on_post(scene.post, False, scene.executive) is True
    events = audit("review_setting_changed")
    assert [(e.actor_id, e.subject_id, e.detail) for e in events] == [
        (author.id, author.id, "all posts: on"),
        (scene.admin.id, author.id, "all posts: off"),
        (scene.executive.id, scene.executive.id, f"post {scene.post.id}: off"),
    ]
    assert events[-1].post_id == scene.post.id
