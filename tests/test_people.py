"""The People rules (blogapp/admin/services.py), one at a time, without the web page:
invitations, roles, the last admin, disabling with a handover, enabling, finding people."""

import re
import threading
import time

import pytest
import sqlalchemy as sa
from itsdangerous import TimestampSigner

from blogapp.accounts import security
from blogapp.accounts.services import AccountError
from blogapp.admin import handover, invites
from blogapp.admin import services as people
from blogapp.extensions import db
from blogapp.models import AuditEvent, Comment, LoginSession, MailMessage, MailOptOut, Role, User
from blogapp.responses import assigning
from blogapp.responses import services as responses
from tests.conftest import PASSWORD
from tests.load_harness import check_queue_invariant

NEW_PASSWORD = "a password of my own"


def invitation_link(email: str) -> str:
    """The set-password link in the newest invitation mailed to ``email``."""
    body = db.session.scalars(
        sa.select(MailMessage.body_text)
        .where(MailMessage.to_address == email, MailMessage.kind == "account_invitation")
        .order_by(MailMessage.id.desc())
    ).first()
    assert body is not None, f"no invitation to {email}"
    return re.search(r"http\S+/welcome/(\S+)", body).group(1)


def actions(subject) -> list[str]:
    return db.session.scalars(
        sa.select(AuditEvent.action)
        .where(AuditEvent.subject_id == subject.id, AuditEvent.comment_id.is_(None))
        .order_by(AuditEvent.id)
    ).all()


# --- inviting -------------------------------------------------------------------------------


def test_an_invited_employee_cannot_log_in_until_they_choose_a_password(app, make_user):
    admin = make_user(Role.ADMIN)
    user = people.invite_employee(
        " Nia.Reed@Example.com ", "Nia Reed", Role.MODERATOR, "Support lead", admin
    )
    assert (user.email, user.role, user.job_title) == (
        "nia.reed@example.com",
        "moderator",
        "Support lead",
    )
    assert people.status_of(user) == "invited" and user.is_active
    mail = db.session.scalar(sa.select(MailMessage).where(MailMessage.to_address == user.email))
    assert "invited you" in mail.subject and admin.display_name in mail.subject
    assert "7 days" in mail.body_text and "/welcome/" in mail.body_text
    # No password, not even an empty one or the marker itself, logs in.
    for guess in ("", user.password_hash, "invited"):
        with pytest.raises(AccountError, match="incorrect"):
            security.log_in(user.email, guess, "127.0.0.1")

    accepted = people.accept_invitation(invitation_link(user.email), NEW_PASSWORD)
    assert accepted.id == user.id and people.status_of(user) == "active"
    assert security.log_in(user.email, NEW_PASSWORD, "127.0.0.1").id == user.id
    assert actions(user) == ["invited", "invite_accepted"]
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "invited"))
    assert event.actor_id == admin.id and event.detail == "as moderator"


def test_an_invitation_link_works_once(app, make_user):
    user = people.invite_employee("once@example.com", "Una Once", Role.STAFF, "Writer", None)
    token = invitation_link(user.email)
    people.accept_invitation(token, NEW_PASSWORD)
    with pytest.raises(AccountError, match="expired or has already been used"):
        people.accept_invitation(token, "someone else's password")
    assert user.check_password(NEW_PASSWORD)


def test_an_invitation_link_expires_after_a_week(app, monkeypatch):
    now = [int(time.time())]
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: now[0])
    user = people.invite_employee("late@example.com", "Lee Late", Role.STAFF, "Writer", None)
    token = invitation_link(user.email)
    now[0] += 7 * 24 * 3600 - 60
    assert invites.user_for_token(token) is not None
    now[0] += 120
    assert invites.user_for_token(token) is None
    with pytest.raises(AccountError, match="expired"):
        people.accept_invitation(token, NEW_PASSWORD)
    assert people.status_of(user) == "invited"


def test_a_new_invitation_voids_the_old_link(app, make_user):
    admin = make_user(Role.ADMIN)
    user = people.invite_employee("again@example.com", "Abe Again", Role.STAFF, "Writer", admin)
    old = invitation_link(user.email)
    people.resend_invitation(user, admin)
    new = invitation_link(user.email)
    assert old != new and invites.user_for_token(old) is None
    assert people.accept_invitation(new, NEW_PASSWORD).id == user.id
    assert actions(user) == ["invited", "invite_resent", "invite_accepted"]
    with pytest.raises(AccountError, match="already chosen a password"):
        people.resend_invitation(user, admin)


def test_an_altered_or_foreign_link_opens_nothing(app, make_user):
    user = people.invite_employee("alt@example.com", "Al Tered", Role.STAFF, "Writer", None)
    token = invitation_link(user.email)
    other = make_user(Role.STAFF)
    forged = invites._serializer().dumps({"u": other.id, "s": "0" * 24})
    for bad in (token[:-2] + "xx", forged, "", "x" * 600, "not.a.token"):
        assert invites.user_for_token(bad) is None
    # A link made with another site's key is refused too.
    app.config["SECRET_KEY"] = "another-site"
    assert invites.user_for_token(token) is None


def test_a_disabled_invitation_cannot_be_accepted(app, make_user):
    admin = make_user(Role.ADMIN)
    user = people.invite_employee("gone@example.com", "Gus Gone", Role.STAFF, "Writer", admin)
    token = invitation_link(user.email)
    people.disable_account(user, admin)
    with pytest.raises(AccountError):
        people.accept_invitation(token, NEW_PASSWORD)
    with pytest.raises(AccountError, match="enable it first"):
        people.resend_invitation(user, admin)


@pytest.mark.parametrize(
    "email,role,title,field",
    [
        ("taken@example.com", Role.STAFF, "Writer", "email"),
        ("new@example.com", Role.READER, "Writer", "role"),
        ("new@example.com", Role.STAFF, "   ", "job_title"),
    ],
)
def test_invitations_refused(app, make_user, email, role, title, field):
    make_user(Role.READER, email="taken@example.com")
    before = db.session.scalar(sa.select(sa.func.count(MailMessage.id)))
    with pytest.raises(AccountError) as refused:
        people.invite_employee(email, "Some One", role, title, None)
    assert refused.value.field == field
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(MailMessage.id))) == before
    assert not db.session.scalars(people.people_query("new@example.com")).all()


def test_inviting_an_address_twice_says_to_resend(app):
    people.invite_employee("twice@example.com", "Tia Twice", Role.STAFF, "Writer", None)
    with pytest.raises(AccountError, match="send it again"):
        people.invite_employee("TWICE@example.com", "Tia Twice", Role.STAFF, "Writer", None)


# --- roles ----------------------------------------------------------------------------------


def test_changing_a_role_is_audited_with_old_and_new(app, make_user):
    admin, staff = make_user(Role.ADMIN), make_user(Role.STAFF)
    assert people.change_role(staff, Role.MODERATOR, admin) is True
    assert people.change_role(staff, Role.MODERATOR, admin) is False  # nothing to do
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "role_changed"))
    assert (event.actor_id, event.subject_id, event.detail) == (
        admin.id,
        staff.id,
        "staff → moderator",
    )
    assert actions(staff) == ["role_changed"]


def test_roles_change_only_among_employees(app, make_user):
    admin, reader, staff = make_user(Role.ADMIN), make_user(Role.READER), make_user(Role.STAFF)
    with pytest.raises(AccountError, match="only among employees"):
        people.change_role(reader, Role.STAFF, admin)
    with pytest.raises(AccountError, match="only among employees"):
        people.change_role(staff, Role.READER, admin)
    db.session.refresh(reader)
    db.session.refresh(staff)
    assert (reader.role, staff.role) == ("reader", "staff")


def test_the_last_active_admin_keeps_admin_rights(app, make_user):
    admin = make_user(Role.ADMIN)
    other = make_user(Role.ADMIN)
    # An admin who has not accepted an invitation, or a disabled one, does not count.
    people.invite_employee("pending@example.com", "Pen Ding", Role.ADMIN, "Founder", admin)
    people.disable_account(other, admin)
    for by in (admin, None):  # themself, or anyone at the command line
        with pytest.raises(AccountError, match="only active admin"):
            people.change_role(admin, Role.STAFF, by)
    with pytest.raises(AccountError, match="only active admin"):
        people.disable_account(admin, None)
    with pytest.raises(AccountError, match="your own account"):
        people.disable_account(admin, admin)
    db.session.refresh(admin)
    assert admin.role == "admin" and admin.is_active
    # With another active admin, an admin may step down themself.
    people.enable_account(other, admin)
    assert people.change_role(admin, Role.STAFF, admin)
    with pytest.raises(AccountError, match="only active admin"):
        people.change_role(other, Role.MODERATOR, admin)


def test_nobody_disables_themself(app, make_user):
    admin, _ = make_user(Role.ADMIN), make_user(Role.ADMIN)
    with pytest.raises(AccountError, match="your own account"):
        people.disable_account(admin, admin)
    assert admin.is_active


# --- disabling and the handover -----------------------------------------------------------


@pytest.fixture
def team(make_user, make_post, make_comment):
    """Lena leaves. Owed on her post: one unassigned comment (hers by default) and one
    assigned to Omar. Owed on Omar's post: one assigned to Lena, one unassigned (Omar's).
    Answered: one on her post."""
    admin = make_user(Role.ADMIN, name="Ada Admin")
    lena = make_user(Role.STAFF, name="Lena Leaving")
    omar = make_user(Role.STAFF, name="Omar Other")
    mod = make_user(Role.MODERATOR, name="Mo Moderator")
    hers, his = make_post(author=lena), make_post(author=omar)
    c = {
        "hers_default": make_comment(hers, body="On Lena's post."),
        "hers_given_to_omar": make_comment(hers, body="Given to Omar."),
        "his_given_to_lena": make_comment(his, body="Given to Lena."),
        "his_default": make_comment(his, body="Omar's by default."),
        "hers_answered": make_comment(hers, body="Answered already."),
    }
    assigning.assign(c["hers_given_to_omar"], omar, mod)
    assigning.assign(c["his_given_to_lena"], lena, mod)
    responses.acknowledge(c["hers_answered"], lena, "Thanks")
    return {"admin": admin, "lena": lena, "omar": omar, "mod": mod, "c": c}


def assignee_names(comments) -> dict[str, str]:
    db.session.expire_all()
    return {
        key: responses.current_assignee(comment).display_name for key, comment in comments.items()
    }


def assert_every_owed_item_has_an_active_employee() -> None:
    check_queue_invariant()
    for comment_id in responses.owed_ids():
        assignee = responses.current_assignee(db.session.get(Comment, comment_id))
        assert assignee.is_employee and assignee.is_active, (comment_id, assignee)


def test_a_persons_owed_items_are_theirs_by_assignment_or_by_default(app, team):
    owed = {c.id for c in handover.owed_items_of(team["lena"])}
    c = team["c"]
    assert owed == {c["hers_default"].id, c["his_given_to_lena"].id}
    assert {x.id for x in handover.owed_items_of(team["omar"])} == {
        c["hers_given_to_omar"].id,
        c["his_default"].id,
    }


def test_disabling_without_a_person_refuses_when_a_comment_has_no_author_to_go_to(app, team):
    lena, admin = team["lena"], team["admin"]
    before = assignee_names(team["c"])
    with pytest.raises(AccountError) as refused:
        people.disable_account(lena, admin)
    assert refused.value.field == "reassign_to"
    assert (
        str(refused.value) == "Choose who takes them: 1 owed comment on Lena Leaving's own posts."
    )
    db.session.rollback()
    db.session.refresh(lena)
    assert lena.is_active and assignee_names(team["c"]) == before
    assert actions(lena) == []


def test_disabling_hands_each_comment_to_its_posts_author_and_the_rest_to_the_picked(
    app, team, client, auth
):
    lena, admin, omar, mod = team["lena"], team["admin"], team["omar"], team["mod"]
    auth.login(lena.email)
    assert db.session.scalar(sa.select(sa.func.count(LoginSession.id))) == 1
    moves = people.disable_account(lena, admin, reassign_to=mod)
    assert {(m.comment.id, m.to.id) for m in moves} == {
        (team["c"]["hers_default"].id, mod.id),
        (team["c"]["his_given_to_lena"].id, omar.id),
    }
    assert assignee_names(team["c"]) == {
        "hers_default": "Mo Moderator",
        "hers_given_to_omar": "Omar Other",
        "his_given_to_lena": "Omar Other",
        "his_default": "Omar Other",
        "hers_answered": "Lena Leaving",  # answered: nothing to hand over
    }
    assert_every_owed_item_has_an_active_employee()
    # Logged out, can't log in, and everything audited.
    assert db.session.scalar(sa.select(sa.func.count(LoginSession.id))) == 0
    assert client.get("/account/security").status_code == 302
    with pytest.raises(AccountError, match="disabled"):
        security.log_in(lena.email, PASSWORD, "127.0.0.1")
    assert actions(lena) == ["account_disabled"]
    disabled = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "account_disabled")
    )
    assert disabled.actor_id == admin.id and disabled.detail == "2 owed comments handed over"
    handed = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.reason == "handover").order_by(AuditEvent.id)
    ).all()
    assert {(e.comment_id, e.subject_id) for e in handed} == {
        (m.comment.id, m.to.id) for m in moves
    }
    assert all("Lena Leaving" in e.detail and e.actor_id == admin.id for e in handed)
    # Her post and her answer stay under her name.
    assert team["c"]["hers_default"].post.author_id == lena.id
    answer = responses.standing_acknowledgement(team["c"]["hers_answered"])
    assert answer.employee_id == lena.id


def test_disabling_can_hand_everything_to_one_person(app, team):
    lena, admin, mod = team["lena"], team["admin"], team["mod"]
    with pytest.raises(AccountError, match="Choose who takes all"):
        people.disable_account(lena, admin, everything=True)
    db.session.rollback()
    moves = people.disable_account(lena, admin, reassign_to=mod, everything=True)
    assert {m.to.id for m in moves} == {mod.id} and len(moves) == 2
    assert_every_owed_item_has_an_active_employee()


def test_a_post_author_who_cannot_answer_is_passed_over(app, team):
    """Omar was disabled earlier: his default went to Mo (his own post), the one given to
    him to Lena (its post's author). Then Lena's comment on Omar's post falls to the
    picked person, not to him."""
    lena, admin, omar, mod = team["lena"], team["admin"], team["omar"], team["mod"]
    people.disable_account(omar, admin, reassign_to=mod)
    assert assignee_names(team["c"])["hers_given_to_omar"] == "Lena Leaving"
    assert assignee_names(team["c"])["his_default"] == "Mo Moderator"
    with pytest.raises(
        AccountError,
        match="2 owed comments on Lena Leaving's own posts and 1 owed comment on posts "
        "whose author can no longer answer",
    ):
        people.disable_account(lena, admin)
    db.session.rollback()
    people.disable_account(lena, admin, reassign_to=mod)
    assert set(assignee_names(team["c"]).values()) == {"Mo Moderator", "Lena Leaving"}
    assert_every_owed_item_has_an_active_employee()


@pytest.mark.parametrize("who", ["lena", "reader", "disabled", "invited"])
def test_the_picked_person_must_be_another_employee_who_can_log_in(app, team, make_user, who):
    lena, admin = team["lena"], team["admin"]
    if who == "lena":
        picked = lena
    elif who == "reader":
        picked = make_user(Role.READER)
    elif who == "disabled":
        picked = make_user(Role.STAFF)
        people.disable_account(picked, admin)
    else:
        picked = people.invite_employee("inv@example.com", "In Vited", Role.STAFF, "New", admin)
    with pytest.raises(AccountError, match="another employee who can log in"):
        people.disable_account(lena, admin, reassign_to=picked)
    db.session.rollback()
    db.session.refresh(lena)
    assert lena.is_active
    assert people.active_employees(but=lena) == sorted(
        [team["admin"], team["omar"], team["mod"]], key=lambda u: u.display_name
    )


def test_a_disabled_employee_is_no_longer_offered_for_assignment(app, team):
    people.disable_account(team["omar"], team["admin"], reassign_to=team["mod"])
    assert team["omar"] not in assigning.employees()
    with pytest.raises(responses.ResponseError, match="who can log in"):
        assigning.assign(team["c"]["his_default"], team["omar"], team["mod"])


def test_enabling_lets_them_log_in_again(app, make_user):
    admin, reader = make_user(Role.ADMIN), make_user(Role.READER)
    assert people.disable_account(reader, admin) == []
    assert people.disable_account(reader, admin) == []  # already: nothing happens
    assert people.enable_account(reader, admin) is True
    assert people.enable_account(reader, admin) is False
    assert security.log_in(reader.email, PASSWORD, "127.0.0.1").id == reader.id
    assert actions(reader) == ["account_disabled", "account_enabled"]


# --- finding people -------------------------------------------------------------------------


def test_search_by_name_or_email_and_filter_by_role_and_status(app, make_user):
    admin = make_user(Role.ADMIN, name="Ada Admin", email="ada@corp.example")
    make_user(Role.STAFF, name="Bo Writer", email="bo@corp.example")
    reader = make_user(Role.READER, name="Cy 100%_Reader", email="cy@home.example")
    people.invite_employee("di@corp.example", "Di Invited", Role.STAFF, "New", admin)
    people.disable_account(reader, admin)

    def names(*args):
        return [u.display_name for u in db.session.scalars(people.people_query(*args))]

    assert names("corp") == ["Di Invited", "Bo Writer", "Ada Admin"]
    assert names("WRITER") == ["Bo Writer"]
    assert names("100%_") == ["Cy 100%_Reader"]
    assert names("%") == ["Cy 100%_Reader"]  # a wildcard is a character here
    assert names("_") == ["Cy 100%_Reader"]
    assert names("", "staff") == ["Di Invited", "Bo Writer"]
    assert names("", "", "invited") == ["Di Invited"]
    assert names("", "", "disabled") == ["Cy 100%_Reader"]
    assert names("", "", "active") == ["Bo Writer", "Ada Admin"]
    assert names("corp", "admin", "active") == ["Ada Admin"]
    assert names("nobody") == []


def test_an_invitation_reaches_an_address_that_unsubscribed_from_notifications(app, make_user):
    """An opt-out stops notifications; an invitation is account mail, sent all the same."""
    db.session.add(MailOptOut(email="quiet@example.com"))
    db.session.commit()
    people.invite_employee("Quiet@example.com", "Quinn Quiet", Role.STAFF, "Writer", None)
    sent = db.session.scalars(
        sa.select(MailMessage).where(MailMessage.kind == "account_invitation")
    )
    assert [m.to_address for m in sent] == ["quiet@example.com"]


def demote_at_once(app, kind: str, pairs: list[tuple[int, int]]) -> list:
    """Each (target, actor) pair at the same moment, one thread each: what each got."""
    barrier = threading.Barrier(len(pairs))
    results: list = [None] * len(pairs)

    def demote(index: int, target_id: int, actor_id: int) -> None:
        with app.app_context():
            target, actor = db.session.get(User, target_id), db.session.get(User, actor_id)
            barrier.wait(timeout=10)
            try:
                if kind == "role":
                    results[index] = people.change_role(target, Role.STAFF, actor)
                else:
                    results[index] = people.disable_account(target, actor)
            except Exception as error:  # asserted on by the caller
                results[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=demote, args=(i, *pair)) for i, pair in enumerate(pairs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.parametrize("kind", ["role", "disable"])
def test_two_admins_demoting_each_other_at_once_leave_one_admin(app, make_user, kind):
    """The real race (PostgreSQL row locks, SQLite's one writer): one wins, the other is
    told, and an active admin remains. The database itself may refuse the loser (a lock
    timeout); then nothing of it was written either."""
    a, b = make_user(Role.ADMIN), make_user(Role.ADMIN)
    results = demote_at_once(app, kind, [(a.id, b.id), (b.id, a.id)])
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1, results
    assert isinstance(refused[0], AccountError | sa.exc.OperationalError), refused
    db.session.expire_all()
    admins = db.session.scalars(
        sa.select(User).where(User.role == "admin", User.disabled_at.is_(None))
    ).all()
    assert len(admins) == 1, results


def test_disabling_two_people_who_take_each_others_comments_at_once(
    app, make_user, make_post, make_comment
):
    """B's comments go to C while C's go to B, at the same moment: one disable wins, the
    other is told to choose again, and every owed comment has someone who can answer."""
    admin = make_user(Role.ADMIN)
    b, c = make_user(Role.STAFF, name="Bea"), make_user(Role.STAFF, name="Cal")
    for person in (b, c):
        make_comment(make_post(author=person), body=f"A question for {person.display_name}")
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def disable(index: int, leaving_id: int, taker_id: int) -> None:
        with app.app_context():
            leaving, taker = db.session.get(User, leaving_id), db.session.get(User, taker_id)
            actor = db.session.get(User, admin.id)
            barrier.wait(timeout=10)
            try:
                results[index] = people.disable_account(leaving, actor, reassign_to=taker)
            except Exception as error:  # asserted on below
                results[index] = error
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=disable, args=(0, b.id, c.id)),
        threading.Thread(target=disable, args=(1, c.id, b.id)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1, results
    assert isinstance(refused[0], AccountError | sa.exc.OperationalError), refused
    db.session.expire_all()
    assert_every_owed_item_has_an_active_employee()


def test_comments_that_arrive_later_on_a_disabled_authors_post_can_be_handed_over(
    app, team, make_comment
):
    """Disabled from the command line with nobody named: nobody takes her new comments
    (responses/absent.py), so they wait for her until an admin hands them over."""
    lena, admin, mod = team["lena"], team["admin"], team["mod"]
    people.disable_account(lena, None, reassign_to=mod)
    lena.handover_to = mod = None  # as if nobody had been named
    db.session.commit()
    late = make_comment(team["c"]["hers_default"].post, body="Posted after she left.")
    assert [c.id for c in handover.owed_items_of(lena)] == [late.id]
    with pytest.raises(AccountError, match="Choose who takes them"):
        people.disable_account(lena, admin)
    db.session.rollback()
    moves = people.disable_account(lena, admin, reassign_to=team["omar"])
    assert [(m.comment.id, m.to.id) for m in moves] == [(late.id, team["omar"].id)]
    assert actions(lena) == ["account_disabled"]
    assert people.disable_account(lena, admin) == []
    assert_every_owed_item_has_an_active_employee()
