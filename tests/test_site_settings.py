"""/admin/settings: who may use it, what it refuses (keeping what was typed), the audit
trail, and that every setting it saves is the one the site then uses."""

import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.models import AuditEvent, Role, SiteSetting
from blogapp.responses.schedule import digest_due_since
from blogapp.responses.services import clock
from blogapp.sitesettings.fields import SETTINGS
from blogapp.sitesettings.services import current_version
from blogapp.sitesettings.store import site_settings
from tests.comment_helpers import GAIL, comments_of, submit
from tests.conftest import Auth, csrf_from
from tests.settings_helpers import save_settings, settings_form

pytestmark = pytest.mark.usefixtures("separate_browsers")

ROLES = [Role.GUEST, Role.READER, Role.STAFF, Role.MODERATOR]


def signed_in(app, user):
    client = app.test_client()
    assert Auth(client).login(user.email).status_code == 302
    return client


@pytest.fixture
def admin_client(app, make_user):
    return signed_in(app, make_user(Role.ADMIN, name="Ada Admin"))


def changes() -> list[tuple]:
    db.session.expire_all()
    return db.session.execute(
        sa.select(AuditEvent.reason, AuditEvent.detail, AuditEvent.actor_id)
        .where(AuditEvent.action == "setting_changed")
        .order_by(AuditEvent.id)
    ).all()


ROUTES = [
    ("GET", "/admin/settings", {}),
    ("POST", "/admin/settings", {"SITE_NAME": "Taken Over"}),
    ("POST", "/admin/settings/SITE_NAME/reset", {"version": "0"}),
]
ROUTE_IDS = ["page", "save", "reset"]


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
@pytest.mark.parametrize("n", range(len(ROUTES)), ids=ROUTE_IDS)
def test_only_admins_reach_the_settings_and_nothing_changes(app, make_user, role, n):
    method, url, data = ROUTES[n]
    client = app.test_client() if role is Role.GUEST else signed_in(app, make_user(role))
    if method == "POST" and role is not Role.GUEST:
        data = {**data, "csrf_token": csrf_from(client.get("/").text)}
    response = client.open(url, method=method, data=data)
    if role is Role.GUEST:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/account/login?next=")
    else:
        assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SiteSetting)) == 0
    assert changes() == [] and current_version() == 0


@pytest.mark.parametrize("n", range(len(ROUTES)), ids=ROUTE_IDS)
def test_admins_reach_every_settings_route(app, admin_client, n):
    method, url, _ = ROUTES[n]
    if method == "GET":
        assert admin_client.get(url).status_code == 200
        return
    save_settings(admin_client, SITE_NAME="Set First")  # so there is one to reset
    response = admin_client.post(url, data=settings_form(admin_client, SITE_NAME="Acme News"))
    assert response.status_code == 303, response.text[:500]


def test_a_change_is_saved_shown_audited_and_reset(app, admin_client):
    page = admin_client.get("/admin/settings").text
    for section in ("Site", "Response times", "Comments", "Daily digest"):
        assert f"<legend>{section}</legend>" in page
    assert page.count("Environment's value (<code>") == len(SETTINGS)

    response = save_settings(admin_client, SITE_NAME="Acme News", COMMENT_EDIT_MINUTES="45")
    assert response.status_code == 303
    page = admin_client.get("/admin/settings").text
    assert "Saved: site name, edit window (minutes)." in page
    assert 'value="Acme News"' in page and "the environment's value is “Tallyworks Blog”" in page
    assert "<title>Settings · Acme News</title>" in page
    admin = db.session.scalar(sa.select(AuditEvent.actor_id).where(AuditEvent.actor_id > 0))
    assert changes() == [
        ("SITE_NAME", "Site name: Tallyworks Blog (environment) → Acme News", admin),
        ("COMMENT_EDIT_MINUTES", "Edit window (minutes): 15 (environment) → 45", admin),
    ]
    assert site_settings()["COMMENT_EDIT_MINUTES"] == 45

    # Saving the same values again changes nothing and records nothing.
    assert save_settings(admin_client).status_code == 303
    assert len(changes()) == 2

    form = settings_form(admin_client)
    response = admin_client.post("/admin/settings/SITE_NAME/reset", data=form)
    assert response.status_code == 303 and response.headers["Location"].endswith("#SITE_NAME")
    assert site_settings()["SITE_NAME"] == "Tallyworks Blog"
    assert site_settings().is_default("SITE_NAME")
    assert not site_settings().is_default("COMMENT_EDIT_MINUTES")
    assert changes()[-1][:2] == (
        "SITE_NAME",
        "Site name: Acme News → Tallyworks Blog (environment)",
    )
    assert "Acme News" in admin_client.get("/responses/audit?action=setting_changed").text


@pytest.mark.parametrize(
    "typed, message",
    [
        ({"SITE_TIMEZONE": "Mars/Olympus"}, "'Mars/Olympus' is not a time zone"),
        ({"SLA_HOURS": "0"}, "Answer within must be between 1 and 720 hours."),
        ({"SLA_HOURS": "a day"}, "'a day' is not a whole number."),
        ({"BUSINESS_HOURS": "17:00-09:00"}, "closing must come after opening"),
        ({"BUSINESS_HOURS": "25:00-26:00"}, "Business hours: closing must come after opening"),
        ({"BUSINESS_HOLIDAYS": "2026-12-25\nChristmas"}, "'Christmas' is not a date"),
        ({"COMMENT_EDIT_MINUTES": "-5"}, "Edit window must be between 0 and 10080 minutes."),
        ({"DIGEST_TIME": "8 in the morning"}, "is not a time like 08:00"),
        ({"SITE_URL": "https://blog.example.com/news"}, "with no path"),
        ({"SITE_NAME": "   "}, "Site name cannot be empty."),
        ({"UNVERIFIED_COMMENTS": "maybe"}, "choose one of the options"),
    ],
)
def test_a_bad_value_is_named_the_typed_text_kept_and_nothing_saved(
    app, admin_client, typed, message
):
    response = admin_client.post(
        "/admin/settings", data=settings_form(admin_client, SITE_TAGLINE="Kept tagline", **typed)
    )
    assert response.status_code == 400
    assert message in response.text.replace("&#39;", "'")
    assert "Nothing was saved: 1 value needs a look" in response.text
    assert "Kept tagline" in response.text  # what else was typed stays too
    for text in typed.values():
        if text.strip() and text != "maybe":
            assert text.split("\n")[-1] in response.text
    assert changes() == [] and current_version() == 0


def test_a_save_over_someone_elses_is_refused_with_the_text_kept(app, admin_client, make_user):
    other = signed_in(app, make_user(Role.ADMIN))
    stale = settings_form(admin_client, SITE_TAGLINE="My words")
    assert save_settings(other, SLA_HOURS="8").status_code == 303

    response = admin_client.post("/admin/settings", data=stale)
    assert response.status_code == 409
    assert "Someone saved the settings after you opened this page" in response.text
    assert "My words" in response.text
    assert site_settings()["SLA_HOURS"] == 8 and len(changes()) == 1


def test_only_a_setting_of_the_page_can_be_reset(app, admin_client):
    form = settings_form(admin_client)
    assert admin_client.post("/admin/settings/SECRET_KEY/reset", data=form).status_code == 404
    assert changes() == []


def test_a_canonical_address_outside_trusted_hosts_is_refused(app, admin_client):
    app.config["TRUSTED_HOSTS"] = ["parley.test"]  # the test client's host
    response = save_settings(admin_client, SITE_URL="https://elsewhere.example.org")
    assert response.status_code == 400 and "not among TRUSTED_HOSTS" in response.text
    assert save_settings(admin_client, SITE_URL="https://parley.test/").status_code == 303
    assert site_settings()["SITE_URL"] == "https://parley.test"
    assert "<loc>https://parley.test/</loc>" in app.test_client().get("/sitemap.xml").text


def test_a_missing_token_is_refused_and_the_text_kept(app, admin_client):
    form = settings_form(admin_client, SITE_NAME="No Token Blog") | {"csrf_token": ""}
    response = admin_client.post("/admin/settings", data=form)
    assert response.status_code == 400 and "No Token Blog" in response.text
    assert changes() == []


def test_no_guests_hides_the_guest_form_and_refuses_a_guest(app, admin_client, make_post):
    post = make_post()
    assert 'name="email"' in app.test_client().get(f"/posts/{post.slug}").text
    save_settings(admin_client, COMMENTS_ALLOW_GUESTS=False)

    guest = app.test_client()
    page = guest.get(f"/posts/{post.slug}").text
    assert 'name="email"' not in page and "Log in" in page
    response = submit(guest, post, "Let me in", guest=GAIL)
    assert response.status_code in (400, 403)
    assert comments_of(post) == []


def test_blocked_words_and_link_limit_refuse_a_comment(app, admin_client, make_post):
    post = make_post()
    save_settings(admin_client, COMMENT_BLOCKED_WORDS="ledger fraud\nPonzi", COMMENT_MAX_LINKS="0")
    assert site_settings()["COMMENT_BLOCKED_WORDS"] == ("ledger fraud", "ponzi")

    refused = submit(app.test_client(), post, "This is a ponzi scheme", guest=GAIL)
    assert refused.status_code == 400
    assert "“ponzi”, which this site doesn&#39;t accept" in refused.text
    linked = submit(app.test_client(), post, "See https://example.com", guest=GAIL)
    assert linked.status_code == 400 and "at most 0 links" in linked.text
    assert comments_of(post) == []


def test_hold_first_guests_off_publishes_a_first_comment(app, admin_client, make_post):
    post = make_post()
    save_settings(admin_client, COMMENTS_HOLD_FIRST_GUESTS=False)
    assert submit(app.test_client(), post, "Hello there", guest=GAIL).status_code == 303
    assert [c.status for c in comments_of(post)] == ["published"]


def test_minimum_fill_time_refuses_a_quick_comment(app, admin_client, make_user, make_post):
    post = make_post()
    client = signed_in(app, make_user(Role.READER))
    save_settings(admin_client, COMMENT_MIN_FILL_SECONDS="60")
    quick = submit(client, post, "Typed in no time")
    assert quick.status_code == 400 and "That was very quick" in quick.text
    assert comments_of(post) == []


def test_closing_after_days_closes_an_old_post_to_guests(app, admin_client, make_post):
    post = make_post(published_at=datetime(2020, 1, 1))
    assert 'name="email"' in app.test_client().get(f"/posts/{post.slug}").text
    save_settings(admin_client, COMMENTS_CLOSE_AFTER_DAYS="30")
    page = app.test_client().get(f"/posts/{post.slug}").text
    assert 'name="email"' not in page and "Comments are closed." in page
    assert submit(app.test_client(), post, "Too late?", guest=GAIL).status_code != 303
    assert comments_of(post) == []


def test_unverified_readers_comments_wait_when_set_to(app, admin_client, make_user, make_post):
    post = make_post()
    save_settings(admin_client, UNVERIFIED_COMMENTS="hold")
    newcomer = signed_in(app, make_user(Role.READER))  # who never opened the mail
    assert "your comments wait for a moderator" in newcomer.get("/account").text
    assert submit(newcomer, post, "My first question").status_code == 303
    assert [c.status for c in comments_of(post)] == ["held"]


def test_sla_and_business_hours_move_the_due_time(app, admin_client):
    created = datetime(2026, 12, 24, 16, 0)  # a Thursday, 16:00 UTC
    assert clock().due_at(created) == created + timedelta(hours=24)
    save_settings(
        admin_client,
        SLA_HOURS="2",
        BUSINESS_DAYS=["mon", "tue", "wed", "thu", "fri"],
        BUSINESS_HOURS="09:00-17:00",
        BUSINESS_HOLIDAYS="2026-12-25",
    )
    # One hour on Thursday, Christmas skipped, the second hour on Monday morning.
    assert clock().due_at(created) == datetime(2026, 12, 28, 10, 0)
    assert site_settings()["BUSINESS_DAYS"] == "mon,tue,wed,thu,fri"


def test_the_time_zone_changes_displayed_dates_on_a_stored_page(app, admin_client, make_post):
    published = datetime(2026, 3, 3, 23, 30)
    post = make_post(published_at=published)
    reader = app.test_client()
    first = reader.get(f"/posts/{post.slug}")
    assert "March 3, 2026" in first.text
    assert reader.get(f"/posts/{post.slug}").headers["ETag"] == first.headers["ETag"]

    save_settings(admin_client, SITE_TIMEZONE="Asia/Tokyo", SITE_NAME="Tokyo Notes")
    again = reader.get(f"/posts/{post.slug}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200, "the browser's copy is stale: a new ETag"
    assert "March 4, 2026" in again.text and "Tokyo Notes" in again.text


def test_the_edit_window_shows_on_the_edit_page(app, admin_client, make_user, make_post):
    post = make_post()
    reader = make_user(Role.READER)
    client = signed_in(app, reader)
    assert submit(client, post, "My first words").status_code == 303
    comment = comments_of(post)[0]
    assert "You can edit for 15 minutes" in client.get(f"/comments/{comment.id}/edit").text
    save_settings(admin_client, COMMENT_EDIT_MINUTES="0")
    page = client.get(f"/comments/{comment.id}/edit").text
    assert "The 0-minute edit window has passed" in page


def test_the_digest_time_moves_the_schedule(app, admin_client):
    app.config["DIGEST_TIME"] = ""  # the test config's: no digest
    now = datetime(2026, 6, 1, 7, 30)
    assert digest_due_since(now) is None
    save_settings(admin_client, DIGEST_TIME="07:00", SITE_TIMEZONE="UTC")
    assert digest_due_since(now) == datetime(2026, 6, 1, 7, 0)
    save_settings(admin_client, DIGEST_TIME="09:00", SITE_TIMEZONE="Europe/Berlin")
    assert digest_due_since(now) == datetime(2026, 6, 1, 7, 0)  # 09:00 in Berlin, summer


def test_an_unset_setting_follows_the_environment(app):
    app.config["SITE_NAME"] = "Changed In Config"
    assert site_settings()["SITE_NAME"] == "Changed In Config"
    assert site_settings().is_default("SITE_NAME")


def test_no_code_reads_a_site_setting_past_the_store():
    """A setting saved on /admin/settings is the one every part uses: none reads its
    environment default straight from the app's config (only the store and the start-up
    checks of the environment's values may)."""
    from pathlib import Path

    import blogapp

    root = Path(blogapp.__file__).parent
    names = "|".join(setting.name for setting in SETTINGS)
    # The app's config in Python (``current_app.config[...]``, ``app.config.get(...)``)
    # and in templates (``config[...]``); a local named ``config`` holding the store is fine.
    in_python = re.compile(rf"\.config(\[|\.get\()\s*['\"]({names})['\"]")
    in_templates = re.compile(rf"\bconfig(\[|\.get\()\s*['\"]({names})['\"]")
    # urls.py: the URL adapter asks the store's last-read values, and the config only in
    # an app built without the store.
    allowed = {root / "sitesettings" / "store.py", root / "ops" / "settings.py", root / "urls.py"}
    found = [
        f"{path.relative_to(root)}:{number}: {line.strip()}"
        for path in sorted(root.rglob("*"))
        if path.suffix in {".py", ".html", ".txt"} and path not in allowed
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if (in_python if path.suffix == ".py" else in_templates).search(line)
    ]
    assert found == []
