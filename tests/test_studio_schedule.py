"""Scheduling in the site's time zone: invisible before its time, visible after, with no job."""

from datetime import datetime, timedelta
from unittest import mock

import feedparser
import pytest
import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.models import Post, Role
from blogapp.models.base import utcnow
from tests.studio_helpers import edit_post, write_post


@pytest.fixture
def staff(client, auth, make_user):
    user = make_user(Role.STAFF)
    auth.login(user.email)
    return user


def only_post() -> Post:
    return db.session.scalars(sa.select(Post)).one()


def public_view(client) -> dict[str, bool]:
    """Where a reader can find the scheduled post right now."""
    feed = feedparser.parse(client.get("/feed.atom").data)
    return {
        "page": client.get("/posts/launch-day").status_code == 200,
        "home": "Launch day" in client.get("/").text,
        "feed": any(e.title == "Launch day" for e in feed.entries),
        "sitemap": "/posts/launch-day" in client.get("/sitemap.xml").text,
    }


def test_schedule_is_typed_in_the_site_time_zone_and_stored_as_utc(app, client, staff):
    app.config["SITE_TIMEZONE"] = "America/New_York"
    when = datetime(utcnow().year + 1, 7, 1, 9, 30)
    response = write_post(
        client,
        title="Launch day",
        body="Big news.",
        action="schedule",
        publish_at=f"{when:%Y-%m-%dT%H:%M}",
    )
    post = only_post()
    # 09:30 in New York in July is 13:30 UTC (EDT, UTC-4).
    assert post.published_at == when.replace(hour=13, minute=30)
    assert post.status == "scheduled"
    page = client.get(response.headers["Location"]).text
    assert "Scheduled for July 1" in page and "09:30 (America/New_York)" in page
    assert f'value="{when:%Y-%m-%dT%H:%M}"' in page  # shown back on the site's clock


def test_scheduled_post_appears_by_itself_when_its_time_comes(client, staff):
    when = utcnow() + timedelta(hours=2)
    write_post(
        client,
        title="Launch day",
        body="Big news.",
        action="schedule",
        publish_at=f"{when:%Y-%m-%dT%H:%M}",
    )
    assert public_view(client) == {"page": False, "home": False, "feed": False, "sitemap": False}
    # No job runs: only the clock moves on.
    later = utcnow() + timedelta(hours=3)
    with mock.patch("blogapp.models.post.utcnow", return_value=later):
        assert public_view(client) == {"page": True, "home": True, "feed": True, "sitemap": True}
    assert only_post().status == "scheduled"  # nothing was rewritten


def test_a_time_in_the_past_is_refused_with_advice(client, staff):
    response = write_post(
        client, title="Too late", body="Words.", action="schedule", publish_at="2001-01-01T10:00"
    )
    assert response.status_code == 400
    assert "already passed" in response.text and 'value="Too late"' in response.text
    assert "Not saved yet: That time has already passed." in response.text  # atop the page too
    response = write_post(client, title="No time", body="Words.", action="schedule", publish_at="")
    assert "Choose the date and time" in response.text
    response = write_post(
        client, title="Bad time", body="Words.", action="schedule", publish_at="soon"
    )
    assert response.status_code == 400 and "Bad time" in response.text


def test_publish_now_overrides_a_schedule_and_unpublish_cancels_it(client, staff):
    when = utcnow() + timedelta(days=2)
    write_post(
        client,
        title="Launch day",
        body="Words.",
        action="schedule",
        publish_at=f"{when:%Y-%m-%dT%H:%M}",
    )
    post = only_post()
    edit_post(client, post.id, action="publish")
    db.session.refresh(post)
    assert post.status == "published" and post.published_at <= utcnow()
    assert public_view(client)["page"]
    edit_post(client, post.id, action="unpublish")
    db.session.refresh(post)
    assert (post.status, post.published_at) == ("draft", None)


def test_site_time_conversion_round_trips_across_daylight_saving():
    from blogapp.studio.services import site_time_to_utc, utc_to_site_time

    for local in (datetime(2026, 1, 15, 9, 0), datetime(2026, 7, 15, 9, 0)):
        utc = site_time_to_utc(local, "Europe/Berlin")
        assert utc.hour == (8 if local.month == 1 else 7)
        assert utc_to_site_time(utc, "Europe/Berlin") == local
