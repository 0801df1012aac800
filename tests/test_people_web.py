"""The People pages over HTTP: who may use them (every route x role), CSRF, bad input
answered with 400 and the typed values kept, the set-password page, and `flask users`."""

import re

import pytest
import sqlalchemy as sa

from blogapp.admin import services as people
from blogapp.extensions import db
from blogapp.models import AuditEvent, LoginSession, MailMessage, Role, User
from blogapp.responses import services as responses
from tests.conftest import Auth, csrf_from

pytestmark = pytest.mark.usefixtures("separate_browsers")

ROLES = [Role.GUEST, Role.READER, Role.STAFF, Role.MODERATOR, Role.ADMIN]
NEW_PASSWORD = "my own long password"


def signed_in(app, user):
    client = app.test_client()
    assert Auth(client).login(user.email).status_code == 302
    return client


def snapshot() -> tuple:
    """Everything a People action could change."""
    db.session.expire_all()
    users = db.session.execute(
        sa.select(User.id, User.role, User.disabled_at, User.password_hash).order_by(User.id)
    ).all()
    count = sa.select(sa.func.count())
    return (
        users,
        db.session.scalar(count.select_from(AuditEvent)),
        db.session.scalar(count.select_from(MailMessage)),
        db.session.scalar(count.select_from(LoginSession)),
    )


@pytest.fixture
def target(make_user):
    """A staff member with an owed comment on their post, and someone to take it."""
    return make_user(Role.STAFF, name="Tara Target")


def routes(target_id: int) -> list[tuple[str, str, dict]]:
    person = f"/admin/people/{target_id}"
    return [
        ("GET", "/admin/people", {}),
        ("GET", "/admin/people?q=tara&role=staff", {}),
        ("GET", "/admin/users", {}),
        ("GET", "/admin/people/invite", {}),
        (
            "POST",
            "/admin/people/invite",
            {
                "display_name": "New Hire",
                "email": "hire@example.com",
                "job_title": "Writer",
                "role": "admin",
            },
        ),
        ("GET", person, {}),
        ("POST", person + "/role", {"role": "admin"}),
        ("GET", person + "/disable", {}),
        ("POST", person + "/disable", {"send_to": "authors", "reassign_to": ""}),
        ("POST", person + "/enable", {}),
        ("POST", person + "/invite", {}),
    ]


ROUTE_IDS = [
    "list",
    "list-filtered",
    "old-list",
    "invite-page",
    "invite",
    "person",
    "role",
    "disable-page",
    "disable",
    "enable",
    "resend",
]


@pytest.mark.parametrize("role", ROLES[:-1], ids=[r.value for r in ROLES[:-1]])
@pytest.mark.parametrize("n", range(len(ROUTE_IDS)), ids=ROUTE_IDS)
def test_only_admins_reach_the_people_pages_and_nothing_changes(app, make_user, target, role, n):
    make_user(Role.ADMIN)
    method, url, data = routes(target.id)[n]
    client = app.test_client() if role is Role.GUEST else signed_in(app, make_user(role))
    if method == "POST" and role is not Role.GUEST:
        data = {**data, "csrf_token": csrf_from(client.get("/").text)}
    before = snapshot()
    response = client.open(url, method=method, data=data)
    if role is Role.GUEST:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/account/login?next=")
    else:
        assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("n", range(len(ROUTE_IDS)), ids=ROUTE_IDS)
def test_admins_reach_every_people_page(app, make_user, target, n):
    admin = make_user(Role.ADMIN)
    method, url, data = routes(target.id)[n]
    client = signed_in(app, admin)
    if method == "POST":
        data = {**data, "csrf_token": csrf_from(client.get("/admin/people").text)}
    response = client.open(url, method=method, data=data)
    assert response.status_code == (200 if method == "GET" else 303), response.text[:500]


@pytest.mark.parametrize(
    "n",
    [i for i, r in enumerate(ROUTE_IDS) if r in ("invite", "role", "disable", "enable", "resend")],
    ids=["invite", "role", "disable", "enable", "resend"],
)
@pytest.mark.parametrize("token", ["missing", "wrong"])
def test_people_changes_need_the_csrf_token(app, make_user, target, n, token):
    admin = make_user(Role.ADMIN)
    method, url, data = routes(target.id)[n]
    client = signed_in(app, admin)
    if token == "wrong":
        data = {**data, "csrf_token": "forged"}
    before = snapshot()
    response = client.post(url, data=data)
    assert response.status_code == 400
    assert "expired or was missing its security token" in response.text or (
        "needs a fresh page" in response.text
    )
    assert snapshot() == before


def test_unknown_people_are_404(app, make_user):
    client = signed_in(app, make_user(Role.ADMIN))
    for url in ("/admin/people/999999", "/admin/people/999999/disable", "/admin/people/x"):
        assert client.get(url).status_code == 404


# --- bad input --------------------------------------------------------------------------


def test_a_bad_invitation_is_400_with_what_was_typed(app, make_user):
    admin = make_user(Role.ADMIN)
    make_user(Role.READER, email="taken@example.com")
    client = signed_in(app, admin)
    token = csrf_from(client.get("/admin/people/invite").text)
    cases = [
        ({"email": "not-an-address"}, "Invalid email"),
        ({"email": "taken@example.com"}, "already has an account"),
        ({"display_name": "N" * 81}, "between 2 and 80"),
        ({"job_title": ""}, "This field is required"),
        ({"job_title": "T" * 121}, "longer than 120"),
        ({"role": "reader"}, "Not a valid choice"),
        ({"role": "x" * 5000}, "Not a valid choice"),
    ]
    for change, message in cases:
        data = {
            "display_name": "Nora Typed",
            "email": "nora@example.com",
            "job_title": "Typed title",
            "role": "moderator",
            "csrf_token": token,
            **change,
        }
        before = snapshot()
        response = client.post("/admin/people/invite", data=data)
        assert response.status_code == 400, change
        assert message in response.text, (change, response.text[:3000])
        for field in ("display_name", "email", "job_title"):
            if len(data[field]) < 200:
                assert f'value="{data[field]}"' in response.text, (change, field)
        if change.get("role") != "x" * 5000 and data["role"] != "reader":
            assert '<option selected value="moderator">' in response.text
        assert snapshot() == before


def test_bad_search_filters_are_400_and_kept(app, make_user):
    client = signed_in(app, make_user(Role.ADMIN))
    response = client.get("/admin/people?q=" + "a" * 101 + "&role=wizard&status=x")
    assert response.status_code == 400
    assert 'value="' + "a" * 101 + '"' in response.text
    assert response.text.count("Not a valid choice") == 2
    assert client.get("/admin/people?page=abc").status_code == 200
    kept = client.get("/admin/people?q=Tara%25&role=staff&status=active")
    assert kept.status_code == 200 and 'value="Tara%"' in kept.text
    assert '<option selected value="staff">' in kept.text


def test_a_bad_role_is_400_and_changes_nothing(app, make_user, target):
    admin, reader = make_user(Role.ADMIN), make_user(Role.READER)
    client = signed_in(app, admin)
    token = csrf_from(client.get(f"/admin/people/{target.id}").text)
    before = snapshot()
    for user, role in ((target, "wizard"), (target, "reader"), (reader, "staff")):
        response = client.post(
            f"/admin/people/{user.id}/role", data={"role": role, "csrf_token": token}
        )
        assert response.status_code == 400
        assert "Not a valid choice" in response.text or "only among employees" in response.text
    assert snapshot() == before
    # The last admin stepping down is told why, on the same page.
    response = client.post(
        f"/admin/people/{admin.id}/role", data={"role": "staff", "csrf_token": token}
    )
    assert response.status_code == 400 and "only active admin" in response.text
    assert snapshot() == before


def test_disabling_with_nowhere_to_send_comments_is_400_with_the_choice_kept(
    app, make_user, make_post, make_comment, target
):
    admin = make_user(Role.ADMIN, name="Ada Admin")
    helper = make_user(Role.MODERATOR, name="Hal Helper")
    owed = make_comment(make_post(author=target, title="Tara's post"), body="Any news?")
    client = signed_in(app, admin)
    page = client.get(f"/admin/people/{target.id}/disable")
    assert "1 owed comment waits for Tara Target" in page.text and "Tara&#39;s post" in page.text
    token = csrf_from(page.text)
    before = snapshot()
    response = client.post(
        f"/admin/people/{target.id}/disable",
        data={"send_to": "person", "reassign_to": "", "csrf_token": token},
    )
    assert response.status_code == 400 and "Choose who takes all" in response.text
    assert re.search(r'<input checked[^>]*value="person"', response.text)
    response = client.post(
        f"/admin/people/{target.id}/disable",
        data={"send_to": "authors", "reassign_to": "", "csrf_token": token},
    )
    assert (
        response.status_code == 400
        and "Choose who takes them: 1 owed comment on Tara Target&#39;s own posts." in response.text
    )
    for bad in ("abc", "999999", str(target.id), str(admin.id) + "0", "1e3"):
        response = client.post(
            f"/admin/people/{target.id}/disable", data={"reassign_to": bad, "csrf_token": token}
        )
        assert response.status_code == 400 and "Not a valid choice" in response.text
    response = client.post(
        f"/admin/people/{target.id}/disable", data={"send_to": "elsewhere", "csrf_token": token}
    )
    assert response.status_code == 400
    assert snapshot() == before

    response = client.post(
        f"/admin/people/{target.id}/disable",
        data={"send_to": "authors", "reassign_to": str(helper.id), "csrf_token": token},
    )
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert "Tara Target" in page.text and "1 owed comment handed over" in page.text
    assert responses.current_assignee(owed).id == helper.id


def test_the_person_page_shows_their_state_and_history(app, make_user, target):
    admin = make_user(Role.ADMIN, name="Ada Admin")
    client = signed_in(app, admin)
    token = csrf_from(client.get(f"/admin/people/{target.id}").text)
    client.post(f"/admin/people/{target.id}/role", data={"role": "moderator", "csrf_token": token})
    client.post(f"/admin/people/{target.id}/disable", data={"csrf_token": token})
    page = client.get(f"/admin/people/{target.id}").text
    assert "status-disabled" in page and "Enable Tara Target" in page
    assert "role changed (staff → moderator) by Ada Admin" in page
    assert "account disabled by Ada Admin" in page
    mine = client.get(f"/admin/people/{admin.id}").text
    assert "You cannot disable your own account." in mine and "/disable" not in mine


# --- the set-password page ----------------------------------------------------------------


def invitation_path(email: str) -> str:
    body = db.session.scalars(
        sa.select(MailMessage.body_text)
        .where(MailMessage.to_address == email)
        .order_by(MailMessage.id.desc())
    ).first()
    return re.search(r"https?://[^/\s]+(/welcome/\S+)", body).group(1)


def test_inviting_from_the_page_and_choosing_a_password(app, make_user):
    admin = make_user(Role.ADMIN)
    client = signed_in(app, admin)
    token = csrf_from(client.get("/admin/people/invite").text)
    response = client.post(
        "/admin/people/invite",
        data={
            "display_name": "Nia Reed",
            "email": "nia@example.com",
            "job_title": "Support",
            "role": "staff",
            "csrf_token": token,
        },
    )
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).text
    assert "Invitation sent to Nia Reed" in page and "status-invited" in page
    listed = client.get("/admin/people?status=invited").text
    assert "nia@example.com" in listed

    path = invitation_path("nia@example.com")
    newcomer = app.test_client()
    form = newcomer.get(path)
    assert form.status_code == 200 and "Welcome, Nia Reed" in form.text
    token = csrf_from(form.text)
    short = newcomer.post(path, data={"password": "short", "confirm": "short", "csrf_token": token})
    assert short.status_code == 400 and "at least 10 characters" in short.text
    differ = newcomer.post(
        path, data={"password": NEW_PASSWORD, "confirm": "other password", "csrf_token": token}
    )
    assert differ.status_code == 400 and "The two passwords differ" in differ.text
    forged = newcomer.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert forged.status_code == 400
    done = newcomer.post(
        path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": token}
    )
    assert done.status_code == 303 and done.headers["Location"] == "/studio/"
    studio = newcomer.get("/studio/")
    assert studio.status_code == 200 and "Welcome, Nia Reed. Your password is set." in studio.text
    # The link is spent; the password works from the login form.
    again = app.test_client().get(path)
    assert again.status_code == 400 and "This link no longer works" in again.text
    assert Auth(app.test_client()).login("nia@example.com", NEW_PASSWORD).status_code == 302


def test_a_bad_link_is_a_clear_400(app, client):
    for path in ("/welcome/nonsense", "/welcome/" + "x" * 3000, "/welcome/a.b.c"):
        response = client.get(path)
        assert response.status_code == 400 and "This link no longer works" in response.text
        assert client.post(path, data={"password": NEW_PASSWORD}).status_code == 400


def test_accepting_while_someone_else_is_signed_in_switches_to_the_new_person(app, make_user):
    reader = make_user(Role.READER)
    people.invite_employee("sam@example.com", "Sam New", Role.STAFF, "Writer", None)
    client = signed_in(app, reader)
    path = invitation_path("sam@example.com")
    token = csrf_from(client.get(path).text)
    client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": token})
    assert "Sam New" in client.get("/studio/").text
    sessions = db.session.scalars(sa.select(LoginSession.user_id)).all()
    assert reader.id not in sessions


# --- flask users ----------------------------------------------------------------------------


def test_flask_users_invite_role_disable_enable_list(
    app, runner, make_user, make_post, make_comment
):
    admin = make_user(Role.ADMIN, email="boss@example.com")
    leaver = make_user(Role.STAFF, name="Leo Leaver", email="leo@example.com")
    taker = make_user(Role.STAFF, name="Tia Taker", email="tia@example.com")
    make_user(Role.READER, name="Rita Reader", email="rita@example.com")
    owed = make_comment(make_post(author=leaver), body="Hello?")

    result = runner.invoke(
        args=[
            "users",
            "invite",
            "--email",
            "new@example.com",
            "--name",
            "Ned New",
            "--title",
            "Writer",
            "--role",
            "moderator",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Invited moderator Ned New <new@example.com>" in result.output
    assert "/welcome/" in invitation_path("new@example.com")
    dup = runner.invoke(
        args=["users", "invite", "--email", "new@example.com", "--name", "N N", "--title", "W"]
    )
    assert dup.exit_code != 0 and "invitation already" in dup.output

    listed = runner.invoke(args=["users", "list", "--role", "moderator"]).output
    assert "Ned New" in listed and "(invited)" in listed and "Leo" not in listed
    assert "Rita" in runner.invoke(args=["users", "list", "--search", "RITA"]).output
    assert runner.invoke(args=["users", "list", "--role", "wizard"]).exit_code != 0

    assert (
        "is now admin" in runner.invoke(args=["users", "role", "tia@example.com", "admin"]).output
    )
    assert (
        "was already admin"
        in runner.invoke(args=["users", "role", "tia@example.com", "admin"]).output
    )
    refused = runner.invoke(args=["users", "role", "rita@example.com", "staff"])
    assert refused.exit_code != 0 and "only among employees" in refused.output
    assert runner.invoke(args=["users", "role", "rita@example.com", "reader"]).exit_code != 0

    stuck = runner.invoke(args=["users", "disable", "leo@example.com"])
    assert stuck.exit_code != 0 and "Choose who takes them" in stuck.output
    wrong = runner.invoke(
        args=["users", "disable", "leo@example.com", "--reassign-to", "rita@example.com"]
    )
    assert wrong.exit_code != 0 and "another employee" in wrong.output
    done = runner.invoke(
        args=["users", "disable", "leo@example.com", "--reassign-to", "tia@example.com"]
    )
    assert done.exit_code == 0, done.output
    assert f"comment {owed.id} now goes to Tia Taker" in done.output
    assert responses.current_assignee(owed).id == taker.id
    assert "(disabled)" in runner.invoke(args=["users", "list", "--search", "leo"]).output
    assert runner.invoke(args=["users", "enable", "leo@example.com"]).exit_code == 0
    db.session.refresh(leaver)
    assert leaver.is_active

    # With two admins, the command line can demote one; never the last.
    assert runner.invoke(args=["users", "role", "boss@example.com", "staff"]).exit_code == 0
    last = runner.invoke(args=["users", "role", "tia@example.com", "staff"])
    assert last.exit_code != 0 and "only active admin" in last.output
    events = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.actor_id.is_(None))
    ).all()
    assert {"invited", "role_changed", "account_disabled", "assigned", "account_enabled"} <= set(
        events
    )
    db.session.refresh(admin)
    assert admin.role == "staff"


def test_a_disabled_persons_late_comments_are_handed_over_from_their_page(
    app, make_user, make_post, make_comment, target
):
    admin = make_user(Role.ADMIN)
    helper = make_user(Role.STAFF, name="Hal Helper")
    post = make_post(author=target)
    # From the command line, nobody named: nobody takes her new comments
    # (responses/absent.py), so they wait on her page.
    people.disable_account(target, None)
    late = make_comment(post, body="Anyone there?")
    client = signed_in(app, admin)
    page = client.get(f"/admin/people/{target.id}").text
    assert "1 owed comment on their posts still waits for Tara Target" in page
    form = client.get(f"/admin/people/{target.id}/disable")
    assert "Hand over Tara Target's comments" in form.text and "Hand them over" in form.text
    response = client.post(
        f"/admin/people/{target.id}/disable",
        data={"reassign_to": str(helper.id), "csrf_token": csrf_from(form.text)},
    )
    assert response.status_code == 303
    done = client.get(response.headers["Location"]).text
    assert "Tara Target was disabled already. 1 owed comment handed over." in done
    assert "still wait" not in done
    assert responses.current_assignee(late).id == helper.id
