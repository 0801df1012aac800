"""Answering an owed comment by replying to its mail: published as if typed in the queue,
or refused with a mail back saying why (and nothing typed is lost)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from blogapp.extensions import db
from blogapp.inbound import handlers
from blogapp.inbound.addresses import make_token, read_address
from blogapp.inbound.receive import EX_TEMPFAIL, receive
from blogapp.mail.delivery import build_email
from blogapp.models import (
    AckKind,
    Acknowledgement,
    CommentStatus,
    MailMessage,
    ReplyDraft,
    Role,
    SpentReplyToken,
)
from blogapp.models.base import utcnow
from blogapp.responses import assigning, services
from blogapp.responses.services import owed_ids
from tests.conftest import csrf_from
from tests.inbound_helpers import DOMAIN, PRIYA, corpus, make_scene


@pytest.fixture
def scene(app, make_user, make_post, make_comment):
    return make_scene(app, make_user, make_post, make_comment)


def other_message(raw: bytes) -> bytes:
    return raw.replace(b"Message-ID: <2025", b"Message-ID: <other-2025")


def test_a_reply_is_published_as_the_employees_answer(scene):
    result = receive(corpus("plain.eml", scene.address))
    assert result.accepted and result.status == 0
    (reply,) = scene.replies()
    assert reply.status == CommentStatus.PUBLISHED and reply.author_id == scene.employee.id
    ack = db.session.scalar(sa.select(Acknowledgement))
    assert (ack.kind, ack.employee_id, ack.reply_id) == (AckKind.REPLY, scene.employee.id, reply.id)
    assert scene.comment.id not in owed_ids()
    (replied,) = scene.audit("replied")
    assert replied.detail == f"reply {reply.id} by mail"
    # The customer hears of the answer, as from the queue.
    kinds = db.session.scalars(sa.select(MailMessage.to_address)).all()
    assert "sam@example.com" in kinds
    assert db.session.scalar(sa.select(sa.func.count(SpentReplyToken.id))) == 1


def test_the_same_message_twice_publishes_once_silently(scene):
    raw = corpus("plain.eml", scene.address)
    assert receive(raw).accepted
    again = receive(raw)
    assert again.accepted and again.note.startswith("already done")
    assert len(scene.replies()) == 1 and scene.refusals() == []


def test_a_second_reply_to_a_used_address_is_refused(scene):
    raw = corpus("plain.eml", scene.address)
    assert receive(raw).accepted
    result = receive(other_message(raw))
    assert result.status == 0 and not result.accepted
    (refusal,) = scene.refusals()
    assert refusal.to_address == PRIYA
    assert "each mail can be answered once" in refusal.body_text
    assert "CSV export keeps every column" in refusal.body_text  # their text, not lost
    assert "The conversation: http" in refusal.body_text
    assert f"/c/{scene.comment.id}\n" in refusal.body_text
    assert len(scene.replies()) == 1


def test_refusals_are_marked_as_automatic_answers(scene):
    receive(corpus("empty_reply.eml", scene.address))
    (refusal,) = scene.refusals()
    assert build_email(refusal)["Auto-Submitted"] == "auto-replied"


def test_an_empty_reply_is_refused(scene):
    result = receive(corpus("empty_reply.eml", scene.address))
    assert not result.accepted
    (refusal,) = scene.refusals()
    assert "had no text of its own" in refusal.body_text
    assert scene.replies() == [] and scene.comment.id in owed_ids()
    # Refused replies do not spend the address: a corrected reply is taken.
    assert receive(corpus("plain.eml", scene.address)).accepted


def test_an_expired_address_is_refused(scene, app):
    old = utcnow() - timedelta(days=app.config["INBOUND_TOKEN_MAX_AGE_DAYS"] + 1)
    token = make_token("comment", scene.comment.id, scene.employee.id, now=old)
    result = receive(corpus("plain.eml", f"reply+{token}@{DOMAIN}"))
    assert not result.accepted
    (refusal,) = scene.refusals()
    assert "has expired" in refusal.body_text
    assert scene.replies() == []


def test_a_sender_other_than_the_employee_is_refused(scene):
    raw = corpus("plain.eml", scene.address).replace(
        b"From: Priya Shah <priya@tallyworks.example>", b"From: Priya <priya@home.example>"
    )
    assert not receive(raw).accepted
    (refusal,) = scene.refusals()
    assert refusal.to_address == "priya@home.example"
    assert "only from the address the mail was sent to" in refusal.body_text
    assert scene.replies() == []


def test_another_employee_cannot_use_someone_elses_address(scene, make_user):
    make_user(Role.STAFF, name="Ravi Rao", email="ravi@tallyworks.example")
    raw = corpus("plain.eml", scene.address).replace(
        b"From: Priya Shah <priya@tallyworks.example>", b"From: Ravi <ravi@tallyworks.example>"
    )
    assert not receive(raw).accepted
    (refusal,) = scene.refusals()
    assert refusal.to_address == "ravi@tallyworks.example"
    assert "another person's mail" in refusal.body_text
    assert scene.replies() == []


def test_a_disabled_employee_cannot_answer_by_mail(scene):
    scene.employee.disabled_at = utcnow()
    db.session.commit()
    assert not receive(corpus("plain.eml", scene.address)).accepted
    assert "can no longer answer comments" in scene.refusals()[0].body_text
    assert scene.replies() == []


def test_a_removed_comment_is_not_answered(scene):
    scene.comment.status = CommentStatus.REMOVED.value
    db.session.commit()
    assert not receive(corpus("plain.eml", scene.address)).accepted
    assert "no longer public" in scene.refusals()[0].body_text
    assert scene.replies() == []


def test_answered_by_someone_else_keeps_a_draft_for_the_queue(scene, make_user, client, auth):
    mona = make_user(Role.MODERATOR, name="Mona Mod", email="mona@tallyworks.example")
    services.acknowledge(scene.comment, mona, "Passed to the product team")
    result = receive(corpus("gmail.eml", scene.address))
    assert not result.accepted
    (refusal,) = scene.refusals()
    assert "Mona Mod has acknowledged it while your mail was on its way" in refusal.body_text
    assert "kept as your draft" in refusal.body_text
    (draft,) = db.session.scalars(sa.select(ReplyDraft)).all()
    assert draft.employee_id == scene.employee.id and draft.comment_id == scene.comment.id
    assert draft.body.startswith("Hi Sam,\n\nThanks for the detail.")
    assert scene.replies() == []
    # Priya sees it in her queue, its text in a reply box, and sends it from there.
    auth.login(PRIYA)
    page = client.get("/responses")
    assert "Your replies kept from mail (1)" in page.text
    assert "Thanks for the detail. The tax column needs the &#34;Full&#34; template" in page.text
    sent = client.post(
        f"/responses/{scene.comment.id}/reply",
        data={"csrf_token": csrf_from(page.text), "body": draft.body, "next": "/responses"},
    )
    assert sent.status_code == 302
    assert len(scene.replies()) == 1
    assert db.session.scalars(sa.select(ReplyDraft)).all() == []


def test_a_draft_can_be_discarded(scene, make_user, client, auth):
    mona = make_user(Role.MODERATOR, name="Mona Mod", email="mona@tallyworks.example")
    services.acknowledge(scene.comment, mona)
    receive(corpus("plain.eml", scene.address))
    auth.login(PRIYA)
    page = client.get("/responses")
    client.post(
        f"/responses/drafts/{scene.comment.id}/discard",
        data={"csrf_token": csrf_from(page.text), "next": "/responses"},
    )
    assert db.session.scalars(sa.select(ReplyDraft)).all() == []
    assert "Your replies kept from mail" not in client.get("/responses").text


def test_a_database_failure_asks_the_mta_to_try_again(scene, app, monkeypatch):
    def broken(reply):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    handlers.register_handler(app, "comment", broken)
    result = receive(corpus("plain.eml", scene.address))
    assert result.status == EX_TEMPFAIL
    assert db.session.scalar(sa.select(sa.func.count(SpentReplyToken.id))) == 0


def test_the_command_reads_standard_input_with_postfix_exit_codes(scene, app):
    runner = app.test_cli_runner()
    raw = corpus("outlook_original_message.eml", scene.address).replace(
        f"reply+{scene.address.partition('+')[2].partition('@')[0]}".encode(), b"blog"
    )
    # The address only on the command line, as Postfix's pipe gives it (${recipient}).
    result = runner.invoke(args=["mail", "inbound", "--recipient", scene.address], input=raw)
    assert result.exit_code == 0, result.output
    (reply,) = scene.replies()
    assert reply.body_source == "Sam, the fix is live: export again and the tax column is there."
    assert runner.invoke(args=["mail", "inbound"], input=b"").exit_code == 65
    assert runner.invoke(args=["mail", "inbound"], input=corpus("plain.eml")).exit_code == 67
    app.config["INBOUND_MAX_BYTES"] = 100
    assert runner.invoke(args=["mail", "inbound"], input=raw).exit_code == 65


@pytest.mark.parametrize("template", ["mail_assigned", "due_soon"])
def test_mail_about_one_comment_can_be_answered(scene, make_user, template):
    from blogapp.responses import schedule

    mona = make_user(Role.MODERATOR, name="Mona Mod")
    if template == "mail_assigned":
        assigning.assign(scene.comment, scene.employee, mona)
    else:
        schedule.current_app.config["DUE_SOON_HOURS"] = 48
        assert schedule.warn_due_soon() == 1
    mail = db.session.scalars(sa.select(MailMessage).where(MailMessage.to_address == PRIYA)).one()
    token = read_address(mail.reply_to)
    assert (token.purpose, token.subject_id, token.person_id) == (
        "comment",
        scene.comment.id,
        scene.employee.id,
    )
    assert "Or reply to this mail" in mail.body_text
    assert build_email(mail)["Reply-To"] == mail.reply_to


def test_mail_listing_several_comments_gives_each_its_address(
    scene,
    make_user,
    make_comment,
):
    from blogapp.responses.absent import mail_assignments
    from blogapp.responses.digest import send_digests

    second = make_comment(scene.comment.post, body="And the VAT?", guest=("Kim", "kim@example.com"))
    mail_assignments({scene.employee: [scene.comment, second]}, "These are yours")
    send_digests(people=[scene.employee])
    db.session.commit()
    for kind in ("response_assigned", "response_digest"):
        mail = db.session.scalars(sa.select(MailMessage).where(MailMessage.kind == kind)).one()
        assert mail.reply_to is None  # one Reply-To cannot say which comment a reply is for
        lines = [x for x in mail.body_text.splitlines() if "Answer by mail: mailto:" in x]
        tokens = [read_address(x.split("mailto:")[1]) for x in lines]
        assert sorted(t.subject_id for t in tokens) == sorted([scene.comment.id, second.id])
        assert {t.person_id for t in tokens} == {scene.employee.id}


def test_no_inbound_domain_no_reply_to(scene, make_user, app):
    app.config["INBOUND_MAIL_DOMAIN"] = ""
    assigning.assign(scene.comment, scene.employee, make_user(Role.MODERATOR))
    mail = db.session.scalars(sa.select(MailMessage).where(MailMessage.to_address == PRIYA)).one()
    assert mail.reply_to is None and "reply to this mail" not in mail.body_text


def test_a_handover_of_one_comment_can_be_answered_by_replying(scene):
    from blogapp.responses.absent import mail_assignments

    mail_assignments({scene.employee: [scene.comment]}, "This one is yours")
    db.session.commit()
    mail = db.session.scalars(sa.select(MailMessage)).one()
    assert read_address(mail.reply_to).subject_id == scene.comment.id
    assert "Or reply to this mail" in mail.body_text and "mailto:" not in mail.body_text
