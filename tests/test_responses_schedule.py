"""The worker's clock: each employee's daily digest at DIGEST_TIME in the site's time zone,
a warning to the assignee before an item falls due, and holidays the SLA clock skips.
Mail goes to a real SMTP server on 127.0.0.1; "now" is frozen."""

import json
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.mail.delivery import deliver
from blogapp.models import MailMessage, Role, WebhookMessage
from blogapp.ops.worker import run_worker
from blogapp.responses import assigning, schedule, services
from blogapp.responses.sla import BadBusinessHours, Clock

# Thursday 19 November 2026; Berlin is UTC+1 then.
MORNING = datetime(2026, 11, 19, 6, 30)  # 07:30 in Berlin
AFTER_EIGHT = datetime(2026, 11, 19, 7, 5)  # 08:05 in Berlin


@pytest.fixture
def site(app, make_user, make_post, make_comment):
    app.config.update(
        SITE_URL="https://blog.example.com",
        SITE_TIMEZONE="Europe/Berlin",
        DIGEST_TIME="08:00",
        DUE_SOON_HOURS=2,
        SLA_HOURS=24,
        MAIL_SEND_AFTER_COMMIT=False,
    )
    # A fresh app context: its URL adapter is built on the SITE_URL just set.
    with app.app_context():
        jane = make_user(Role.STAFF, name="Jane Doe", email="jane@example.com")
        omar = make_user(Role.STAFF, name="Omar Other", email="omar@example.com")
        mona = make_user(Role.MODERATOR, name="Mona Moderator", email="mona@example.com")
        post = make_post(author=jane, title="Exports")
        asked = {
            "soon": make_comment(
                post, body="Due within two hours", created_at=AFTER_EIGHT - timedelta(hours=23)
            ),
            "later": make_comment(
                post, body="Due tomorrow", created_at=AFTER_EIGHT - timedelta(hours=5)
            ),
            "late": make_comment(
                post, body="Already overdue", created_at=AFTER_EIGHT - timedelta(hours=30)
            ),
        }
        yield {"jane": jane, "omar": omar, "mona": mona, "post": post, **asked}
        db.session.remove()


def test_digests_go_out_once_a_day_at_the_configured_local_time(app, site, smtp):
    assert schedule.send_daily_digests(MORNING) == 0  # 07:30 in Berlin: not yet
    assert schedule.send_daily_digests(AFTER_EIGHT) == 2  # Jane (her three) and Mona (overdue)
    # The rows were written "now", on the frozen clock.
    db.session.execute(sa.update(MailMessage).values(created_at=AFTER_EIGHT))
    db.session.commit()
    deliver()
    by_person = {m["To"]: m for m in smtp.messages}
    assert set(by_person) == {"jane@example.com", "mona@example.com"}
    jane = by_person["jane@example.com"]
    assert jane["Subject"] == "Responses: 3 waiting for you"
    assert (
        by_person["mona@example.com"]["Subject"]
        == "Responses: 0 waiting for you, 1 overdue on the site"
    )
    text = jane.get_content()
    assert "https://blog.example.com/c/" in text and "https://blog.example.com/responses" in text
    assert "Due within two hours" not in text  # names, posts and times, not the text
    assert "6 h overdue" in text and "1 h left" in text and "19 h left" in text
    # Later the same day: nobody hears again; the next morning they do.
    assert schedule.send_daily_digests(AFTER_EIGHT + timedelta(hours=9)) == 0
    assert schedule.send_daily_digests(AFTER_EIGHT + timedelta(days=1)) == 2


def test_no_digest_when_turned_off(app, site):
    app.config["DIGEST_TIME"] = ""
    assert schedule.send_daily_digests(AFTER_EIGHT) == 0


def test_the_assignee_is_warned_once_before_an_item_falls_due(app, site, smtp):
    app.config["RESPONSE_WEBHOOK_URL"] = "http://127.0.0.1:9/hook"  # events are only written
    assigning.assign(site["soon"], site["omar"], site["mona"], now=AFTER_EIGHT)
    deliver()
    smtp.messages.clear()
    assert schedule.warn_due_soon(AFTER_EIGHT) == 1
    deliver()
    (warning,) = smtp.messages
    assert warning["To"] == "omar@example.com"
    assert warning["Subject"] == "Due in 1 h: Gail Guest on “Exports”"
    assert "Due within two hours" in warning.get_content()
    events = db.session.scalars(
        sa.select(WebhookMessage).where(WebhookMessage.event == "due_soon")
    ).all()
    assert [json.loads(e.payload)["comment_id"] for e in events] == [site["soon"].id]
    assert json.loads(events[0].payload)["employee"]["name"] == "Omar Other"
    # Once per wait: the next round says nothing more, and an overdue or distant item never.
    assert schedule.warn_due_soon(AFTER_EIGHT + timedelta(minutes=30)) == 0
    # An acknowledgement undone makes the item owed again; its new wait may be warned.
    services.acknowledge(site["soon"], site["omar"], now=AFTER_EIGHT)
    services.undo(site["soon"], site["mona"], now=AFTER_EIGHT + timedelta(minutes=1))
    assert schedule.warn_due_soon(AFTER_EIGHT + timedelta(minutes=2)) == 1


def test_the_worker_does_the_clock_work_and_delivers_it(app, site, smtp, monkeypatch):
    monkeypatch.setattr(schedule, "utcnow", lambda: AFTER_EIGHT)
    run_worker(app, once=True)
    recipients = sorted(m["To"] for m in smtp.messages)
    # Jane's due-soon warning, Jane's digest and Mona's digest, delivered in the same round.
    assert recipients == ["jane@example.com", "jane@example.com", "mona@example.com"]


def test_holidays_stop_the_business_hours_clock(app):
    app.config.update(
        SLA_HOURS=8,
        BUSINESS_DAYS="mon,tue,wed,thu,fri",
        BUSINESS_HOURS="09:00-17:00",
        BUSINESS_TIMEZONE="UTC",
        BUSINESS_HOLIDAYS="2026-12-25, 2026-12-28",
    )
    sla = services.clock()
    assert sla.holidays == {date(2026, 12, 25), date(2026, 12, 28)}
    # Thursday 24 Dec 16:00: one hour that day; Friday 25 and Monday 28 are holidays, the
    # weekend is closed, so the other seven hours run on Tuesday 29: due 16:00.
    asked = datetime(2026, 12, 24, 16, 0)
    assert sla.due_at(asked) == datetime(2026, 12, 29, 16, 0)
    assert sla.hours_between(asked, datetime(2026, 12, 29, 10, 0)) == 2.0
    with pytest.raises(BadBusinessHours, match="BUSINESS_HOLIDAYS"):
        Clock.from_config({**app.config, "BUSINESS_HOLIDAYS": "Christmas"})


def test_a_reader_is_mailed_when_acknowledged_with_a_note(app, site, smtp, make_user, make_comment):
    rita = make_user(Role.READER, name="Rita Reader", email="rita@example.com")
    noted = make_comment(site["post"], author=rita, body="Can I export to CSV?")
    quiet = make_comment(site["post"], author=rita, body="And to PDF?")
    services.acknowledge(noted, site["jane"], "Passed to the product team")
    services.acknowledge(quiet, site["jane"])
    deliver()
    (mail,) = [m for m in smtp.messages if m["To"] == "rita@example.com"]
    assert mail["Subject"] == "Jane Doe saw your comment on “Exports”"
    assert "Passed to the product team" in mail.get_content()
    # A reader's link turns off just this kind of mail (accounts: notification choices).
    assert mail["List-Unsubscribe"].startswith("<https://blog.example.com/account/unsubscribe/")
