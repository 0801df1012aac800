"""A disabled employee's posts: new comments go to who took over (the person named at the
handover, else the admin who disabled them), and every handed-over item is mailed to its
new person, one mail a person (blogapp/responses/absent.py, blogapp/admin/handover.py)."""

import pytest
import sqlalchemy as sa

from blogapp.admin import handover
from blogapp.admin import services as people
from blogapp.comments.moderation import approve_comment
from blogapp.comments.services import post_comment
from blogapp.extensions import db
from blogapp.models import AuditEvent, Comment, CommentStatus, MailMessage, Role
from blogapp.responses import assigning
from blogapp.responses import services as responses
from tests.load_harness import check_queue_invariant


@pytest.fixture
def staff(make_user, make_post, make_comment):
    """Lena leaves; on her post one comment is owed, on Omar's one is assigned to her."""
    people_ = {
        "admin": make_user(Role.ADMIN, name="Ada Admin"),
        "lena": make_user(Role.STAFF, name="Lena Leaving"),
        "omar": make_user(Role.STAFF, name="Omar Other"),
        "mod": make_user(Role.MODERATOR, name="Mo Moderator"),
    }
    hers, his = make_post(author=people_["lena"]), make_post(author=people_["omar"])
    mine = make_comment(hers, body="On Lena's post.")
    given = make_comment(his, body="Given to Lena.")
    assigning.assign(given, people_["lena"], people_["mod"])
    return people_ | {"hers": hers, "his": his, "mine": mine, "given": given}


@pytest.fixture(autouse=True)
def guests_publish(app):
    app.config["COMMENTS_HOLD_FIRST_GUESTS"] = False


def comment_on(post, body: str) -> Comment:
    """A guest's comment the way the form posts it (the tracker acts in its transaction)."""
    return post_comment(post, body, guest_name="Gail Guest", guest_email="gail@example.com")


def assigned_mails(person) -> list[MailMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(MailMessage)
            .where(MailMessage.kind == "response_assigned", MailMessage.to_address == person.email)
            .order_by(MailMessage.id)
        )
    )


def assert_every_owed_item_has_someone_who_can_answer() -> None:
    check_queue_invariant()
    for comment_id in responses.owed_ids():
        comment = db.session.get(Comment, comment_id)
        assignee = responses.current_assignee(comment)
        assert assignee.is_employee and assignee.is_active, (comment_id, assignee)


def test_each_new_assignee_of_a_handover_gets_one_mail_listing_their_items(
    app, staff, make_comment
):
    extra = make_comment(staff["hers"], body="A second one on Lena's post.")
    moves = people.disable_account(staff["lena"], staff["admin"], reassign_to=staff["mod"])
    assert len(moves) == 3
    [to_mod] = assigned_mails(staff["mod"])
    assert to_mod.subject == "You're asked to answer 2 comments"
    assert "On Lena's post." in to_mod.body_text and "A second one" in to_mod.body_text
    assert "Lena Leaving's account was disabled" in to_mod.body_text
    assert f"/c/{extra.id}" in to_mod.body_text
    [to_omar] = assigned_mails(staff["omar"])
    assert to_omar.subject == f"You're asked to answer Gail Guest on “{staff['his'].title}”"
    assert "Given to Lena." in to_omar.body_text and "/responses" in to_omar.body_text
    assert assigned_mails(staff["admin"]) == []
    assert_every_owed_item_has_someone_who_can_answer()


def test_new_comments_on_a_disabled_authors_post_go_to_the_person_named(app, staff, make_comment):
    people.disable_account(staff["lena"], staff["admin"], reassign_to=staff["mod"])
    before = len(assigned_mails(staff["mod"]))
    late = comment_on(staff["hers"], "Posted after she left.")
    assert responses.current_assignee(late) == staff["mod"]
    assert handover.owed_items_of(staff["lena"]) == []
    event = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.comment_id == late.id, AuditEvent.reason == "handover"
        )
    )
    assert event.subject_id == staff["mod"].id and event.actor_id is None
    mails = assigned_mails(staff["mod"])
    assert len(mails) == before + 1 and "Posted after she left." in mails[-1].body_text
    assert_every_owed_item_has_someone_who_can_answer()


def test_with_nobody_named_the_admin_who_disabled_them_takes_new_comments(
    app, make_user, make_post, make_comment
):
    admin, lena = make_user(Role.ADMIN), make_user(Role.STAFF)
    post = make_post(author=lena)
    people.disable_account(lena, admin)  # nothing owed: nobody had to be named
    late = comment_on(post, "Anyone there?")
    assert responses.current_assignee(late) == admin

    # A held comment approved later is assigned as it becomes owed, the same way.
    held = make_comment(post, body="Held first.", status=CommentStatus.HELD)
    approve_comment(held, admin)
    assert responses.current_assignee(held) == admin
    assert_every_owed_item_has_someone_who_can_answer()


def test_when_the_named_person_left_too_the_disabling_admin_takes_over(app, staff, make_comment):
    people.disable_account(staff["lena"], staff["admin"], reassign_to=staff["mod"])
    people.disable_account(staff["mod"], staff["admin"], reassign_to=staff["omar"])
    late = comment_on(staff["hers"], "Posted after both left.")
    assert responses.current_assignee(late) == staff["admin"]
    # A comment on a post whose author can answer is left to the tracker's default.
    own = comment_on(staff["his"], "For Omar.")
    assert responses.current_assignee(own) == staff["omar"]
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.comment_id == own.id)
        )
        == 0
    )
    assert_every_owed_item_has_someone_who_can_answer()
