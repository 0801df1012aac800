"""The SLA clock: due times in wall-clock hours, or in business hours of a time zone."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from blogapp.responses.sla import BadBusinessHours, Clock, describe

LONDON = {
    "SLA_HOURS": 8,
    "BUSINESS_DAYS": "mon,tue,wed,thu,fri",
    "BUSINESS_HOURS": "09:00-17:00",
    "BUSINESS_TIMEZONE": "Europe/London",
}


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text)


def clock(**changes) -> Clock:
    return Clock.from_config({**LONDON, **changes})


def test_without_business_hours_due_is_created_plus_sla_hours():
    plain = Clock.from_config({"SLA_HOURS": 24, "SITE_TIMEZONE": "UTC"})
    assert plain.due_at(utc("2026-11-20 16:30")) == utc("2026-11-21 16:30")


def test_friday_afternoon_comment_is_due_on_monday_across_the_weekend():
    # Friday 15:00 in London (GMT in November): 2 h on Friday, 6 h on Monday.
    assert clock().due_at(utc("2026-11-20 15:00")) == utc("2026-11-23 15:00")


def test_comment_posted_on_saturday_counts_from_monday_opening():
    assert clock().due_at(utc("2026-11-21 11:00")) == utc("2026-11-23 17:00")


def test_comment_posted_before_opening_or_after_closing_counts_from_the_next_opening():
    assert clock().due_at(utc("2026-11-23 07:00")) == utc("2026-11-23 17:00")
    assert clock().due_at(utc("2026-11-23 19:30")) == utc("2026-11-24 17:00")


def test_due_time_follows_the_clocks_going_back_in_autumn():
    # London leaves BST on Sunday 25 October 2026. Friday 16:00 BST is 15:00 UTC: one hour
    # that day; Monday opens at 09:00 GMT = 09:00 UTC, three more hours: 12:00 UTC.
    assert clock(SLA_HOURS=4).due_at(utc("2026-10-23 15:00")) == utc("2026-10-26 12:00")


def test_due_time_follows_the_clocks_going_forward_in_spring():
    # BST starts on Sunday 29 March 2026: Monday opens at 09:00 BST = 08:00 UTC.
    assert clock(SLA_HOURS=4).due_at(utc("2026-03-27 16:00")) == utc("2026-03-30 11:00")


def test_a_time_zone_far_from_utc_opens_on_its_own_day():
    tokyo = clock(BUSINESS_TIMEZONE="Asia/Tokyo", SLA_HOURS=1)
    # Sunday 23:30 UTC is Monday 08:30 in Tokyo: opens at 09:00 JST = 00:00 UTC.
    assert tokyo.due_at(utc("2026-11-22 23:30")) == utc("2026-11-23 01:00")
    assert tokyo.zone == ZoneInfo("Asia/Tokyo")


@pytest.mark.parametrize(
    "now", ["2026-11-23 10:15", "2026-11-22 12:00", "2026-10-26 09:30", "2026-11-24 08:59"]
)
def test_overdue_cutoff_is_the_last_creation_time_already_due(now):
    sla = clock()
    cutoff = sla.overdue_cutoff(utc(now))
    assert sla.due_at(cutoff) <= utc(now)
    assert sla.due_at(cutoff + timedelta(seconds=2)) > utc(now)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"BUSINESS_DAYS": "mon,funday"}, "not a day"),
        ({"BUSINESS_HOURS": "nine to five"}, "not like 09:00-17:00"),
        ({"BUSINESS_HOURS": "17:00-09:00"}, "closing must come after opening"),
    ],
)
def test_bad_business_hours_settings_are_named(changes, message):
    with pytest.raises(BadBusinessHours, match=message):
        clock(**changes)


def test_durations_read_as_people_say_them():
    assert describe(timedelta(minutes=20)) == "20 min"
    assert describe(timedelta(hours=2, minutes=50)) == "2 h"
    assert describe(timedelta(hours=50)) == "2 d 2 h"


@pytest.mark.parametrize(
    "settings", [{"SLA_HOURS": 24, "SITE_TIMEZONE": "UTC"}, LONDON, {**LONDON, "SLA_HOURS": 30}]
)
def test_overdue_if_created_by_is_the_due_time_run_backwards(settings):
    """A comment is overdue at `now` exactly when it was created at or before the cutoff."""
    sla = Clock.from_config(settings)
    start = utc("2026-10-01 00:00")
    for now in (start + timedelta(hours=h, minutes=17 * h) for h in range(0, 24 * 40, 13)):
        cutoff = sla.overdue_if_created_by(now)
        assert sla.due_at(cutoff) <= now
        assert sla.due_at(cutoff + timedelta(microseconds=2)) > now
        for created in (cutoff - timedelta(minutes=m) for m in (1, 90, 60 * 30)):
            assert sla.due_at(created) <= now
