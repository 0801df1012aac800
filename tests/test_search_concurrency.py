"""Four processes write comments at once into one database and one index folder; afterwards
the index holds exactly what the database holds."""

import multiprocessing

import pytest
import sqlalchemy as sa

from blogapp import create_app
from blogapp.extensions import db
from blogapp.markup import render_comment
from blogapp.models import Comment, CommentStatus, Post, SearchOutbox
from blogapp.search.maintenance import check
from config import TestingConfig

pytestmark = pytest.mark.slow  # concurrency: four writing processes

PROCESSES = 4
COMMENTS_EACH = 15
TIME_LIMIT = 180


def write_comments(settings: dict, worker: int, post_id: int) -> int:
    """One process: post comments one commit at a time, edit some, remove some.
    Every commit drains the outbox itself (the app's default)."""
    app = create_app(TestingConfig, **settings)
    changes = 0
    with app.app_context():
        post = db.session.get(Post, post_id)
        mine: list[Comment] = []
        for n in range(COMMENTS_EACH):
            body = f"Pelican report {n} from process {worker}."
            comment = Comment(
                post=post,
                guest_name=f"Worker {worker}",
                guest_email=f"worker{worker}@example.com",
                body_source=body,
                body_html=render_comment(body),
                status=CommentStatus.PUBLISHED.value,
            )
            db.session.add(comment)
            db.session.commit()
            mine.append(comment)
            changes += 1
            if n % 3 == 2:
                edited = mine[n - 1]
                edited.body_source += " Edited: flamingo."
                edited.body_html = render_comment(edited.body_source)
                db.session.commit()
                changes += 1
            if n % 5 == 4:
                mine[n - 3].status = CommentStatus.REMOVED.value
                db.session.commit()
                changes += 1
        db.session.remove()
        db.engine.dispose()
    return changes


def test_four_processes_writing_at_once_leave_index_and_database_equal(app, runner, make_post):
    post = make_post(body="Pelicans.")
    settings = {
        name: app.config[name]
        for name in ("SQLALCHEMY_DATABASE_URI", "INSTANCE_DIR", "SEARCH_INDEX_DIR")
    }
    context = multiprocessing.get_context("spawn")
    with context.Pool(PROCESSES) as pool:
        pending = pool.starmap_async(
            write_comments, [(settings, worker, post.id) for worker in range(PROCESSES)]
        )
        changes = sum(pending.get(timeout=TIME_LIMIT))

    comments = db.session.scalar(sa.select(sa.func.count(Comment.id)))
    assert comments == PROCESSES * COMMENTS_EACH
    # The writers drained nearly everything themselves; a busy index only defers rows.
    left = db.session.scalar(sa.select(sa.func.count(SearchOutbox.id)))
    assert left < changes / 2, f"{left} of {changes} changes were left to the final sync"

    result = runner.invoke(args=["search", "sync"])
    assert result.exit_code == 0, result.output
    drift = check()
    assert (drift.missing, drift.extra, drift.stale, drift.duplicated) == ([], [], [], []), drift
    removed = db.session.scalar(
        sa.select(sa.func.count(Comment.id)).where(Comment.status == CommentStatus.REMOVED.value)
    )
    assert drift.indexed == 1 + comments - removed
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 0, result.output
    assert "No drift" in result.output
