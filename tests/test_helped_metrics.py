"""Did this answer your question? in the figures: a reopened round counts as an item of its
own, satisfaction per week and per employee (page and CSV), and the post page's line
behind its setting and minimum.

A fortnight worked out by hand (times UTC; "now" is Thursday 19 November 2026, 12:00;
wall clock, 24 h):

    Q  Mon  9 10:00  Rita asks; Sam replies Mon 12:00 (+2 h, met)
                     Rita says No Wed 18 09:00: a new round, due Thu 19 09:00
                     Sam replies again Thu 19 10:00 (+25 h, missed); Rita says Yes
    R  Tue 17 10:00  Rita asks; Jane acknowledges with a note Tue 11:00 (+1 h, met); Yes

    week of 9 Nov:  asked 1 (Q's first round), met 1
    week of 16 Nov: asked 2 (Q's reopened round, R), met 1 (R), missed 1 (Q, 25 h)
    did it help, by the week the answer was given: 9 Nov 0 of 1; 16 Nov 2 of 2
    per employee: Sam 1 yes 1 no (50 %); Jane 1 yes
"""

import csv
import io
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from blogapp.comments.services import post_comment
from blogapp.extensions import db
from blogapp.models import Acknowledgement, Role
from blogapp.responses import metrics, satisfaction, services
from blogapp.responses.helped import rate_answer
from tests.conftest import Auth
from tests.settings_helpers import save_settings

NOW = datetime(2026, 11, 19, 12, 0)
MONDAY = datetime(2026, 11, 9)


def _at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, 0)


def _newest_answer(comment) -> Acknowledgement:
    return db.session.scalar(
        sa.select(Acknowledgement)
        .where(Acknowledgement.comment_id == comment.id)
        .order_by(Acknowledgement.id.desc())
    )


@pytest.fixture
def fortnight(app, make_user, make_post, make_comment):
    sam = make_user(Role.STAFF, name="Sam Staff", email="sam@example.com")
    jane = make_user(Role.STAFF, name="Jane Doe", email="jane@example.com")
    rita = make_user(Role.READER, name="Rita Reader", email="rita@example.com")
    post = make_post(author=sam)
    with app.test_request_context():
        q = make_comment(post, author=rita, body="Q", created_at=_at(9, 10))
        post_comment(post, "First answer", author=sam, parent_id=q.id, now=_at(9, 12))
        rate_answer(_newest_answer(q), False, "Not really", rita, now=_at(18, 9))
        post_comment(post, "Second answer", author=sam, parent_id=q.id, now=_at(19, 10))
        rate_answer(_newest_answer(q), True, None, rita, now=_at(19, 11))
        r = make_comment(post, author=rita, body="R", created_at=_at(17, 10))
        services.acknowledge(r, jane, "Passed on", now=_at(17, 11))
        rate_answer(_newest_answer(r), True, None, rita, now=_at(17, 12))
    return post, sam, jane, rita


def test_a_reopened_round_is_an_item_of_its_own(fortnight):
    first, second = metrics.weekly(2, now=NOW)
    assert (first.start, first.asked, first.met, first.missed) == (MONDAY.date(), 1, 1, 0)
    assert first.median_hours == 2.0
    assert (second.asked, second.met, second.missed, second.open_not_due) == (2, 1, 1, 0)
    assert second.median_hours == 13.0  # waits 1 h (R) and 25 h (Q's round from the "No")
    # The answer that did not help still answered its round, for the one who gave it.
    people = {p.name: p for p in metrics.per_employee(2, now=NOW)}
    assert people["Sam Staff"].replies == 2 and people["Jane Doe"].acknowledged == 1


def test_a_withdrawn_no_leaves_one_round(app, fortnight, make_comment):
    post, sam, jane, rita = fortnight
    with app.test_request_context():
        s = make_comment(post, author=rita, body="S", created_at=_at(16, 9))
        post_comment(post, "Answer", author=sam, parent_id=s.id, now=_at(16, 10))
        rate_answer(_newest_answer(s), False, None, rita, now=_at(16, 11))
        assert s.id in services.owed_ids()
        rate_answer(_newest_answer(s), True, None, rita, now=_at(16, 12))
    assert s.id not in services.owed_ids()
    second = metrics.weekly(2, now=NOW)[1]
    assert (second.asked, second.met, second.missed) == (3, 2, 1)


def test_satisfaction_per_week_and_per_employee(fortnight):
    weeks = satisfaction.weekly(2, now=NOW)
    assert [(start, s.yes, s.no) for start, s in weeks] == [
        (MONDAY.date(), 0, 1),
        ((MONDAY + timedelta(weeks=1)).date(), 2, 0),
    ]
    assert weeks[0][1].share == 0.0 and weeks[1][1].share == 1.0
    people = satisfaction.per_employee(2, now=NOW)
    assert [(name, s.yes, s.no, s.share) for name, s in people] == [
        ("Sam Staff", 1, 1, 0.5),
        ("Jane Doe", 1, 0, 1.0),
    ]


def test_the_metrics_page_and_its_csv_show_them(app, fortnight):
    client = app.test_client()
    Auth(client).login("jane@example.com")
    weeks = (datetime.now() - MONDAY).days // 7 + 2
    page = client.get(f"/responses/metrics?weeks={weeks}").text
    assert "Did it help? Per employee" in page
    assert "<tr><td>Sam Staff</td><td>1</td><td>1</td><td>50%</td></tr>" in page
    assert "Didn't help" in page  # "How we count" says how a reopened round counts
    response = client.get(f"/responses/metrics-satisfaction.csv?weeks={weeks}")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == list(satisfaction.COLUMNS)
    assert ["week", "2026-11-09", "0", "1", "0.0"] in rows
    assert ["week", "2026-11-16", "2", "0", "1.0"] in rows
    assert rows[-2:] == [
        ["employee", "Sam Staff", "1", "1", "0.5"],
        ["employee", "Jane Doe", "1", "0", "1.0"],
    ]
    Auth(client).logout()
    Auth(client).login("rita@example.com")
    assert client.get("/responses/metrics-satisfaction.csv").status_code in (403, 404)


def test_the_post_page_line_follows_its_setting_and_minimum(app, fortnight, make_user):
    post = fortnight[0]
    line = "67 % of answered readers said it helped"
    assert line not in app.test_client().get(f"/posts/{post.slug}").text  # off by default
    admin = app.test_client()
    Auth(admin).login(make_user(Role.ADMIN).email)
    refused = save_settings(admin, HELPED_FIGURE_SHOWN=True, HELPED_FIGURE_MINIMUM="0")
    assert refused.status_code == 400
    assert "Readers who answered must be between 1 and 1000000 answers." in refused.text
    assert (
        save_settings(admin, HELPED_FIGURE_SHOWN=True, HELPED_FIGURE_MINIMUM="4").status_code == 303
    )
    assert line not in app.test_client().get(f"/posts/{post.slug}").text  # 3 < 4
    assert save_settings(admin, HELPED_FIGURE_MINIMUM="3").status_code == 303
    assert line in app.test_client().get(f"/posts/{post.slug}").text  # 2 of 3
    assert save_settings(admin, HELPED_FIGURE_SHOWN=False).status_code == 303
    assert line not in app.test_client().get(f"/posts/{post.slug}").text
