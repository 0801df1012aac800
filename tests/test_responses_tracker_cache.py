"""The tracker's change stamp (blogapp/responses/tracker_cache.py): it moves with every change
that decides whether a comment is owed or how it was answered, even at one frozen moment, and
RESPONSES_CACHE = False works every figure out afresh. (test_responses_invariant.py checks
the kept queue, counts and metrics against the database after random moves.)"""

from datetime import datetime

import pytest

from blogapp.comments import moderation
from blogapp.extensions import db
from blogapp.models import CommentStatus, Role
from blogapp.responses import services
from blogapp.responses.owed_list import owed_and_overdue
from blogapp.responses.tracker_cache import kept, tracker_stamp

AT = datetime(2026, 11, 2, 10, 0)  # every change below is stamped with this one moment


@pytest.fixture
def people(make_user):
    return {
        "reader": make_user(Role.READER),
        "staff": make_user(Role.STAFF),
        "mod": make_user(Role.MODERATOR),
    }


def test_the_stamp_moves_with_every_change_that_decides_what_is_owed(
    app, people, make_post, make_comment
):
    post = make_post(author=people["staff"])
    question = make_comment(post, author=people["reader"], created_at=AT)
    held = make_comment(post, status=CommentStatus.HELD, created_at=AT)
    mod = people["mod"]

    def promote_reader():
        people["reader"].role = Role.STAFF.value
        db.session.commit()

    changes = [
        ("a new comment", lambda: make_comment(post, created_at=AT)),
        ("an acknowledgement", lambda: services.acknowledge(question, mod, now=AT)),
        ("an undo", lambda: services.undo(question, mod, now=AT)),
        ("a close", lambda: services.close_without_response(question, mod, "duplicate", now=AT)),
        ("an approval", lambda: moderation.approve_comment(held, mod)),
        ("a removal", lambda: moderation.remove_comment(held, mod, "Off topic")),
        ("a reader made an employee", promote_reader),
    ]
    for what, change in changes:
        before = tracker_stamp()
        change()
        assert tracker_stamp() != before, f"the stamp missed {what}"


def test_kept_figures_are_worked_out_again_when_the_stamp_moves_and_never_when_off(
    app, people, make_post, make_comment
):
    post = make_post(author=people["staff"])
    make_comment(post)
    calls = []

    def work():
        calls.append(1)
        return len(calls)

    assert kept("test", "key", work) == kept("test", "key", work) == 1
    make_comment(post)
    assert kept("test", "key", work) == 2
    app.config["RESPONSES_CACHE"] = False
    assert (kept("test", "key", work), kept("test", "key", work)) == (3, 4)
    assert owed_and_overdue() == (2, 0)
