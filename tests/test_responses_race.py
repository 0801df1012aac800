"""Two employees acting on one comment at the same moment take turns (PostgreSQL's real race)."""

import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from blogapp.comments.services import post_comment
from blogapp.extensions import db
from blogapp.models import Acknowledgement, Comment, Post, Role, User
from blogapp.responses import services
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.slow  # concurrency: two employees at once


def at_once(app, work, *args_per_thread) -> list:
    """Run ``work(*args)`` in one thread per argument tuple, released together."""
    barrier = threading.Barrier(len(args_per_thread))
    results: list = [None] * len(args_per_thread)

    def run(index: int, args: tuple) -> None:
        with app.app_context():
            barrier.wait(timeout=10)
            try:
                results[index] = work(*args)
            except Exception as error:  # recorded and asserted on below
                results[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(args_per_thread)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def standing_acks(comment_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(sa.func.count(Acknowledgement.id)).where(
            Acknowledgement.standing_comment_id == comment_id
        )
    )


def test_two_acknowledgements_at_once_one_wins_the_other_is_told(
    app, make_user, make_post, make_comment
):
    staff = [make_user(Role.STAFF), make_user(Role.STAFF)]
    post = make_post(author=staff[0])
    for round_ in range(5):
        comment = make_comment(post, author=make_user(Role.READER), body=f"Question {round_}?")

        def acknowledge(comment_id: int, user_id: int):
            return services.acknowledge(
                db.session.get(Comment, comment_id), db.session.get(User, user_id), "Seen"
            )

        results = at_once(app, acknowledge, (comment.id, staff[0].id), (comment.id, staff[1].id))
        errors = [r for r in results if isinstance(r, Exception)]
        assert len(errors) == 1, results
        # PostgreSQL: the row lock makes the loser see the winner's acknowledgement.
        # SQLite has no row locks: the unique standing acknowledgement refuses the loser.
        expected = (
            services.ResponseError if ON_POSTGRES else (services.ResponseError, IntegrityError)
        )
        assert isinstance(errors[0], expected), results
        assert standing_acks(comment.id) == 1


def test_two_staff_replies_at_once_both_post_and_one_acknowledges(
    app, make_user, make_post, make_comment
):
    staff = [make_user(Role.STAFF), make_user(Role.STAFF)]
    post = make_post(author=staff[0])
    for round_ in range(5):
        comment = make_comment(post, author=make_user(Role.READER), body=f"Question {round_}?")

        def reply(comment_id: int, user_id: int, text: str):
            question = db.session.get(Comment, comment_id)
            return post_comment(
                db.session.get(Post, question.post_id),
                text,
                author=db.session.get(User, user_id),
                parent_id=comment_id,
            ).id

        results = at_once(
            app,
            reply,
            (comment.id, staff[0].id, f"A {round_}"),
            (comment.id, staff[1].id, f"B {round_}"),
        )
        posted = [r for r in results if isinstance(r, int)]
        if ON_POSTGRES:
            assert len(posted) == 2, results
        else:
            assert posted and all(isinstance(r, (int, IntegrityError)) for r in results), results
        assert standing_acks(comment.id) == 1
