"""Metrics: weekly median and 90th percentile to first acknowledgement, share within the
SLA, backlog, counts per employee; SVG charts with no script or inline style; CSV."""

import csv
import io
import re
from datetime import datetime, timedelta

import pytest

from blogapp.comments.services import post_comment
from blogapp.models import Role
from blogapp.models.base import utcnow
from blogapp.responses import metrics, services
from blogapp.responses.metrics_csv import WEEK_COLUMNS
from tests.thread_helpers import count_queries

NOW = datetime(2026, 11, 19, 12, 0)  # a Thursday
MONDAY = datetime(2026, 11, 16)


@pytest.fixture
def history(make_user, make_post, make_comment):
    jane = make_user(Role.STAFF, name="Jane Doe", email="jane@example.com")
    mod = make_user(Role.MODERATOR, name="Mona Moderator")
    post = make_post(author=jane)
    # This week: answered after 1, 2, 3 and 30 hours (30 is past the 24 h SLA); one owed.
    for hours in (1, 2, 3, 30):
        asked = MONDAY - timedelta(days=7) + timedelta(hours=1)
        question = make_comment(post, body=f"Asked, answered in {hours} h", created_at=asked)
        if hours == 30:
            services.acknowledge(question, jane, now=asked + timedelta(hours=hours))
        else:
            reply = post_comment(
                post,
                f"Answer {hours}",
                author=jane,
                parent_id=question.id,
                now=asked + timedelta(hours=hours),
            )
            assert reply.created_at == asked + timedelta(hours=hours)
    make_comment(post, body="Still owed", created_at=MONDAY + timedelta(hours=2))
    closed = make_comment(post, body="Thanks", created_at=MONDAY + timedelta(hours=3))
    services.close_without_response(closed, mod, "thanks-only", now=MONDAY + timedelta(hours=4))
    return jane


def test_weekly_figures(history):
    weeks = metrics.weekly(2, now=NOW)
    last_week, this_week = weeks
    assert last_week.start == (MONDAY - timedelta(days=7)).date()
    assert (last_week.asked, last_week.answered, last_week.met, last_week.missed) == (4, 4, 3, 1)
    assert last_week.median_hours == 2.5 and last_week.p90_hours == 30
    assert last_week.within_sla == 0.75
    assert last_week.backlog == 0
    # The close is in its own column, not an answer and not a 0-hour wait.
    assert (this_week.asked, this_week.answered, this_week.closed) == (2, 0, 1)
    # The one still owed is past its due time: a miss, not "not yet due".
    assert (this_week.missed, this_week.open_not_due, this_week.within_sla) == (1, 0, 0.0)
    assert (this_week.median_hours, this_week.backlog) == (None, 1)
    people = metrics.per_employee(4, now=NOW)
    assert [(p.name, p.replies, p.acknowledged, p.closed) for p in people] == [
        ("Jane Doe", 3, 1, 0),
        ("Mona Moderator", 0, 0, 1),
    ]


def test_metrics_page_draws_svg_charts_without_script_or_inline_style(client, auth, history):
    auth.login("jane@example.com")
    page = client.get("/responses/metrics").text
    assert page.count("<svg") == 4 and "<rect" in page and "<polyline" in page
    assert 'class="series-0"' in page
    assert "<script>" not in page and not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert " style=" not in page and "<style" not in page
    assert "Download these numbers as CSV" in page and "How we count" in page


def test_csv_has_the_same_numbers(client, auth, history):
    # The history is dated (its weeks start on MONDAY) and the CSV counts back from today:
    # ask for enough weeks to hold all of it, however long after MONDAY this runs.
    weeks = (utcnow() - (MONDAY - timedelta(days=7))).days // 7 + 2
    auth.login("jane@example.com")
    response = client.get(f"/responses/metrics.csv?weeks={weeks}")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == list(WEEK_COLUMNS) and len(rows) == weeks + 1  # a row a week
    weekly = {row[0]: row for row in rows[1:]}
    figures = {w.start.isoformat(): w for w in metrics.weekly(weeks)}
    for start, row in weekly.items():
        assert int(row[1]) == figures[start].asked
    assert sum(int(row[1]) for row in rows[1:]) == 6
    people = client.get(f"/responses/metrics-employees.csv?weeks={weeks}")
    assert people.mimetype == "text/csv" and "attachment" in people.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(people.text)))
    assert rows == [
        ["employee", "replies", "acknowledged", "closed_no_response", "taken_private"],
        ["Jane Doe", "3", "1", "0", "0"],
        ["Mona Moderator", "0", "0", "1", "0"],
    ]


def _ask(make_comment, post, n: int, jane) -> None:
    """``n`` customer comments over the last eight weeks, every third answered."""
    now = utcnow()
    for i in range(n):
        asked = now - timedelta(minutes=17 + i * 8 * 7 * 24 * 60 // n)
        question = make_comment(post, body=f"Question {i}", created_at=asked)
        if i % 3 == 0:
            services.acknowledge(question, jane, now=asked + timedelta(hours=i % 40))


def test_metrics_page_runs_a_fixed_number_of_queries_at_10_and_300_comments(
    app, client, auth, make_user, make_post, make_comment
):
    jane = make_user(Role.STAFF, name="Jane Doe", email="jane@example.com")
    make_user(Role.MODERATOR, name="Mona Moderator", email="mona@example.com")
    post = make_post(author=jane)
    auth.login("mona@example.com")

    def queries() -> tuple[int, int]:
        # The first view after a change works the period out, the next reuses it.
        return (
            count_queries(app, "/responses/metrics", client),
            count_queries(app, "/responses/metrics", client),
        )

    _ask(make_comment, post, 10, jane)
    at_10 = queries()
    _ask(make_comment, post, 290, jane)
    at_300 = queries()
    assert at_10 == at_300
    assert sum(w.asked for w in metrics.weekly(12)) == 300
