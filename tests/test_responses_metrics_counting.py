"""The metrics' definitions ("How we count", ARCHITECTURE.md, "The rules the code keeps") checked
against a fortnight worked out by hand, on a wall-clock and on a business-hours SLA clock.

The fortnight (times UTC; "now" is Thursday 19 November 2026, 12:00):

    week of Mon 9 Nov
      A  Mon  9 10:00  Jane replies Mon 12:00                         (+2 h)
      B  Mon  9 16:00  Priya acknowledges Tue 10 10:00                (+18 h)
      C  Tue 10 09:00  Priya replies Wed 11 15:00                     (+30 h)
      D  Fri 13 15:00  still owed
      E  Wed 11 12:00  Mona closes it, "thanks only", Wed 13:00
      F  Thu 12 09:00  closed in a bulk close with G, Thu 10:00
      G  Thu 12 09:30  (the same bulk close)
      H  Sat 14 10:00  Priya acknowledges Sat 11:00; Mona undoes that Sun 15 09:00;
                       Jane replies Mon 16 10:00                      (+48 h)
    week of Mon 16 Nov
      I  Mon 16 09:00  Jane replies Mon 11:00                         (+2 h)
      J  Tue 17 10:00  still owed
      K  Thu 19 08:00  still owed
      L  Wed 18 14:00  Jane acknowledges Thu 19 11:00                 (+21 h)
      -  an employee's own comment and a held comment: not customer questions, not counted

Wall clock, 24 h:
    week 1: met A B; missed C (30 h), D (owed past Sat 14 15:00), H (48 h);
            closed E F G; waits 2, 18, 30, 48 -> median 24, p90 48; share 2/5 = 40 %
    week 2: met I L; missed J (owed past Wed 18 10:00); open, not due K (due Fri 20 08:00);
            waits 2, 21 -> median 11.5, p90 21; share 2/3 = 66.7 %
Business hours, Mon-Fri 09:00-17:00, 8 h:
    A due Tue 10 10:00, met, 2 business hours; B due Tue 16:00, met, 1 + 1 = 2;
    C due Tue 17:00, missed, 8 + 6 = 14; D due Mon 16 15:00, missed (owed);
    H due Mon 16 17:00 (the weekend doesn't count), met, 1
    week 1: met A B H, missed C D -> 3/5 = 60 %; waits 2, 2, 14, 1 -> median 2, p90 14
    I met, 2; J due Wed 18 10:00, missed (owed); K due Thu 19 17:00, open;
    L due Thu 19 14:00, met, 3 + 2 = 5
    week 2: met I L, missed J -> 66.7 %; waits 2, 5 -> median 3.5, p90 5
Backlog (either clock): at the end of week 1, D and H (its standing answer came Monday)
= 2; now, D J K = 3.
Per employee (standing acknowledgements only; the undone one counts for nobody):
    Jane: replies A H I, acknowledgement L; Priya: reply C, acknowledgement B;
    Mona: closes E F G, no answers.
"""

from datetime import datetime

import pytest

from blogapp.comments.services import post_comment
from blogapp.models import CommentStatus, Role
from blogapp.models.base import utcnow
from blogapp.responses import metrics, services

NOW = datetime(2026, 11, 19, 12, 0)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute)


@pytest.fixture
def fortnight(app, make_user, make_post, make_comment):
    jane = make_user(Role.STAFF, name="Jane Doe")
    priya = make_user(Role.STAFF, name="Priya Raman")
    mona = make_user(Role.MODERATOR, name="Mona Moderator")
    post = make_post(author=jane)

    def ask(name: str, when: datetime, **kw):
        return make_comment(post, body=f"Question {name}", created_at=when, **kw)

    def reply(question, who, when):
        post_comment(post, "An answer", author=who, parent_id=question.id, now=when)

    reply(ask("A", at(9, 10)), jane, at(9, 12))
    services.acknowledge(ask("B", at(9, 16)), priya, now=at(10, 10))
    reply(ask("C", at(10, 9)), priya, at(11, 15))
    ask("D", at(13, 15))
    services.close_without_response(ask("E", at(11, 12)), mona, "thanks-only", now=at(11, 13))
    # What the queue's bulk close does: the same service for each selected comment.
    for question in (ask("F", at(12, 9)), ask("G", at(12, 9, 30))):
        services.close_without_response(question, mona, "duplicate", now=at(12, 10))
    h = ask("H", at(14, 10))
    services.acknowledge(h, priya, now=at(14, 11))
    services.undo(h, mona, now=at(15, 9))
    reply(h, jane, at(16, 10))

    reply(ask("I", at(16, 9)), jane, at(16, 11))
    ask("J", at(17, 10))
    ask("K", at(19, 8))
    services.acknowledge(ask("L", at(18, 14)), jane, now=at(19, 11))
    make_comment(post, author=priya, body="Staff comment", created_at=at(18, 15))
    ask("held", at(18, 16), status=CommentStatus.HELD)
    return post


def figures(week: metrics.Week) -> dict:
    return {
        "asked": week.asked,
        "met": week.met,
        "missed": week.missed,
        "open": week.open_not_due,
        "closed": week.closed,
        "answered": week.answered,
        "share": week.within_sla,
        "median": week.median_hours,
        "p90": week.p90_hours,
        "backlog": week.backlog,
    }


def test_wall_clock_fortnight(app, fortnight):
    app.config.update(SLA_HOURS=24, BUSINESS_DAYS="")
    first, second = metrics.weekly(2, now=NOW)
    assert first.start == at(9, 0).date() and second.start == at(16, 0).date()
    assert figures(first) == {
        "asked": 8, "met": 2, "missed": 3, "open": 0, "closed": 3, "answered": 4,
        "share": 0.4, "median": 24.0, "p90": 48.0, "backlog": 2,
    }  # fmt: skip
    assert figures(second) == {
        "asked": 4, "met": 2, "missed": 1, "open": 1, "closed": 0, "answered": 2,
        "share": 0.667, "median": 11.5, "p90": 21.0, "backlog": 3,
    }  # fmt: skip


def test_business_hours_fortnight(app, fortnight):
    app.config.update(SLA_HOURS=8, BUSINESS_DAYS="mon,tue,wed,thu,fri")
    app.config.update(BUSINESS_HOURS="09:00-17:00", BUSINESS_TIMEZONE="UTC")
    first, second = metrics.weekly(2, now=NOW)
    assert figures(first) == {
        "asked": 8, "met": 3, "missed": 2, "open": 0, "closed": 3, "answered": 4,
        "share": 0.6, "median": 2.0, "p90": 14.0, "backlog": 2,
    }  # fmt: skip
    assert figures(second) == {
        "asked": 4, "met": 2, "missed": 1, "open": 1, "closed": 0, "answered": 2,
        "share": 0.667, "median": 3.5, "p90": 5.0, "backlog": 3,
    }  # fmt: skip


def test_each_comment_is_counted_once(app, fortnight):
    """asked = met + missed + open + closed: nothing falls between the columns."""
    for week in metrics.weekly(2, now=NOW):
        assert week.asked == week.met + week.missed + week.open_not_due + week.closed


def test_per_employee_columns(app, fortnight):
    people = metrics.per_employee(3, now=NOW)
    assert [(p.name, p.replies, p.acknowledged, p.closed) for p in people] == [
        ("Jane Doe", 3, 1, 0),
        ("Priya Raman", 1, 1, 0),
        ("Mona Moderator", 0, 0, 3),
    ]
    assert [p.answers for p in people] == [4, 2, 0]


def test_metrics_page_shows_the_counts_and_how_we_count(app, client, auth, fortnight):
    app.config.update(SLA_HOURS=24, BUSINESS_DAYS="")
    jane = fortnight.author
    auth.login(jane.email)
    # The page counts up to the real now, when J and K are both past due.
    weeks = (utcnow() - at(9, 0)).days // 7 + 1
    page = client.get(f"/responses/metrics?weeks={weeks}").text
    assert "How we count" in page and "or the comment is still waiting past its due time" in page
    assert f"The last {weeks} weeks" in page
    # Week of 9 Nov: asked 8, met 2, missed 3, none open, closed 3, 40 %, 24 h, 48 h.
    assert "<td>Nov 9</td><td>8</td><td>2</td><td>3</td><td>0</td><td>3</td><td>40%</td>" in page
    # Week of 16 Nov: the open, overdue J and K are misses: asked 4, met 2, missed 2.
    assert "<td>Nov 16</td><td>4</td><td>2</td><td>2</td><td>0</td><td>0</td><td>50%</td>" in page


def test_public_answer_rates_use_the_same_definitions(app, client, fortnight):
    """The author page's figures count like the metrics page: a question still waiting
    past its due time is a miss; closes are no answer and no miss."""
    from blogapp.responses.public import person_rates

    app.config.update(SLA_HOURS=24, BUSINESS_DAYS="")
    jane = fortnight.author
    rates = person_rates(jane.id, days=3650)
    # On Jane's post (every question of the fortnight is on it): met A B I L, missed C D H
    # J K (K is past due by the real clock), closes E F G apart.
    assert (rates.on_their_posts.met, rates.on_their_posts.missed) == (4, 5)
    # Jane's own answers: A (2 h), I (2 h), L (21 h) in time; H (48 h) late.
    assert (rates.their_answers.met, rates.their_answers.missed) == (3, 1)
    page = client.get(f"/authors/{jane.slug}").text
    assert "Questions on Jane’s posts: 44% answered within the target (4 of 9;" in page
    assert "75% of Jane’s answers in the last 90 days came within our 24 h target." in page
