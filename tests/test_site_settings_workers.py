"""A settings change reaches every app process on the database without a restart, within
SETTINGS_REFRESH_SECONDS, and costs a request no statement in between."""

import pytest

from blogapp import ConfigError, create_app
from blogapp.extensions import db
from blogapp.models import Role, SiteSetting, SiteSettingsVersion
from blogapp.sitesettings.store import settings_store, site_settings
from config import TestingConfig
from tests.conftest import Auth
from tests.settings_helpers import save_settings
from tests.thread_helpers import count_queries


@pytest.fixture
def admin_client(app, make_user):
    client = app.test_client()
    assert Auth(client).login(make_user(Role.ADMIN).email).status_code == 302
    return client


def test_another_worker_sees_a_change_without_restart(app, admin_client, make_app, make_post):
    at_once = make_app(SETTINGS_REFRESH_SECONDS=0)
    lagging = make_app()  # the test config's interval: an hour
    post = make_post()
    readers = {worker: worker.test_client() for worker in (at_once, lagging)}
    for reader in readers.values():  # each stores the anonymous page
        assert "Tallyworks Blog" in reader.get(f"/posts/{post.slug}").text

    save_settings(admin_client, SITE_NAME="Second Worker News", COMMENT_EDIT_MINUTES="45")

    assert "Second Worker News" in readers[at_once].get(f"/posts/{post.slug}").text
    with at_once.app_context():
        assert site_settings()["COMMENT_EDIT_MINUTES"] == 45
    # Until its interval is up, the other worker keeps what it read (and its stored page)...
    page = readers[lagging].get(f"/posts/{post.slug}").text
    assert "Tallyworks Blog" in page and "Second Worker News" not in page
    settings_store(lagging).checked_at -= 3600  # ...then an hour passes
    assert "Second Worker News" in readers[lagging].get(f"/posts/{post.slug}").text


@pytest.mark.parametrize("interval", [0, 30])
def test_the_version_is_asked_at_most_once_an_interval(app, make_app, make_post, interval):
    worker = make_app(SETTINGS_REFRESH_SECONDS=interval)
    slug = make_post().slug
    counts = []
    for each in (app, worker):  # the test config's hour, and ``interval``
        client = each.test_client()
        client.get(f"/posts/{slug}")  # drawn and stored
        counts.append([count_queries(each, f"/posts/{slug}", client) for _ in range(3)])
    if interval:
        assert counts[1] == counts[0]
    else:  # asked on every request
        assert all(mine > theirs for mine, theirs in zip(counts[1], counts[0], strict=True))


def test_a_row_the_page_would_refuse_is_ignored(app):
    db.session.add_all(
        [
            SiteSetting(name="SITE_TIMEZONE", value='"Mars/Olympus"'),
            SiteSetting(name="SLA_HOURS", value="12"),
            SiteSetting(name="NO_SUCH_SETTING", value="1"),
            SiteSettingsVersion(id=1, version=7),
        ]
    )
    db.session.commit()
    settings_store(app).refresh()
    assert site_settings().version == 7 and site_settings()["SLA_HOURS"] == 12
    assert site_settings()["SITE_TIMEZONE"] == "UTC" and site_settings().is_default("SITE_TIMEZONE")


def test_a_negative_interval_is_refused_at_start(tmp_path):
    with pytest.raises(ConfigError, match="SETTINGS_REFRESH_SECONDS=-1 must be 0 or more"):
        create_app(TestingConfig, SETTINGS_REFRESH_SECONDS=-1, INSTANCE_DIR=str(tmp_path))
