"""The index follows every change to posts and comments, through the outbox, on both backends."""

from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.markup import render_comment
from blogapp.models import Comment, CommentStatus, Guest, PostStatus, Role, SearchOutbox, Tag
from blogapp.ops.outbox import outboxes
from blogapp.search import outbox
from blogapp.search.backend import get_backend
from blogapp.search.postgres_backend import LOCK_KEY
from blogapp.search.services import SearchOptions, search_site


def found(text: str, viewer=None, **options) -> set[str]:
    results = search_site(text, viewer or Guest(), SearchOptions(**options))
    return {hit.key for group in results.groups for hit in group.hits}


def waiting() -> list[tuple[str, int]]:
    return [(r.kind, r.object_id) for r in db.session.scalars(sa.select(SearchOutbox))]


@contextmanager
def index_held_elsewhere():
    """Another process is in the middle of writing the index."""
    backend = get_backend()
    if backend.name == "whoosh":
        writer = backend.open_index().writer()
        try:
            yield
        finally:
            writer.cancel()
    else:
        with db.engine.connect() as other:
            other.execute(sa.select(sa.func.pg_advisory_lock(LOCK_KEY)))
            try:
                yield
            finally:
                other.execute(sa.select(sa.func.pg_advisory_unlock(LOCK_KEY)))
                other.commit()


def test_outbox_rows_are_written_in_the_changes_transaction(app, make_post):
    app.config["SEARCH_DRAIN_AFTER_COMMIT"] = False
    post = make_post(body="Nothing here.")
    db.session.execute(sa.delete(SearchOutbox))
    db.session.commit()
    comment = Comment(
        post=post, guest_name="G", guest_email="g@example.com", body_source="Hi",
        body_html=render_comment("Hi"),
    )  # fmt: skip
    db.session.add(comment)
    db.session.flush()
    assert waiting() == [("comment", comment.id)]
    db.session.rollback()
    assert waiting() == []
    db.session.add(
        Comment(
            post=post,
            guest_name="G",
            guest_email="g@example.com",
            body_source="Hi again",
            body_html=render_comment("Hi again"),
        )  # fmt: skip
    )
    db.session.commit()
    assert len(waiting()) == 1
    assert outbox.drain() == 1
    assert waiting() == []


def test_every_kind_of_change_reaches_the_index(search_backend, make_user, make_post, make_comment):
    author = make_user(Role.STAFF, name="Sam Writer")
    post = make_post(author=author, title="Heron notes", body="About herons.")
    comment = make_comment(post, body="Do herons migrate?")
    held = make_comment(post, body="Heron question held.", status=CommentStatus.HELD)
    assert found("herons") == {f"post:{post.id}", f"comment:{comment.id}"}

    comment.body_source = "Do egrets migrate?"
    comment.body_html = render_comment(comment.body_source)
    db.session.commit()
    assert found("egrets") == {f"comment:{comment.id}"}
    assert found("migrate herons") == set()

    held.status = CommentStatus.PUBLISHED.value
    db.session.commit()
    assert f"comment:{held.id}" in found("heron")

    author.display_name = "Samantha Writer"
    db.session.commit()
    assert found("author:samantha") == {f"post:{post.id}"}

    tag = Tag(name="Birds", slug="birds")
    db.session.add(tag)
    post.tags.append(tag)
    db.session.commit()
    assert found("tag:birds egrets") == {f"comment:{comment.id}"}

    post.status = PostStatus.DRAFT.value
    db.session.commit()
    assert found("heron OR egrets") == set()
    post.status = PostStatus.PUBLISHED.value
    db.session.commit()
    assert f"comment:{comment.id}" in found("egrets")

    comment.status = CommentStatus.REMOVED.value
    db.session.commit()
    assert f"comment:{comment.id}" not in {k for k, _ in get_backend().fingerprints()}

    db.session.delete(held)
    db.session.commit()
    assert f"comment:{held.id}" not in {k for k, _ in get_backend().fingerprints()}
    assert waiting() == []


def test_deleting_a_post_takes_its_comments_out_of_the_index(
    search_backend, make_post, make_comment
):
    post = make_post(body="Lynx.")
    make_comment(post, body="Lynx comment.")
    keep = make_post(body="Lynx elsewhere.")
    db.session.execute(sa.delete(Comment).where(Comment.post_id == post.id))
    db.session.delete(post)
    db.session.commit()
    assert {k for k, _ in get_backend().fingerprints()} == {f"post:{keep.id}"}


def test_bulk_updates_are_queued_too(search_backend, make_post, make_comment):
    post = make_post(body="Nothing here.")
    spam = [make_comment(post, body=f"Cheap watches {n}") for n in range(3)]
    keep = make_comment(post, body="Watches for the team?")
    db.session.execute(
        sa.update(Comment)
        .where(Comment.id.in_([c.id for c in spam]))
        .values(status=CommentStatus.SPAM.value)
    )
    db.session.commit()
    assert found("watches") == {f"comment:{keep.id}"}


def test_a_busy_index_leaves_rows_for_the_next_drain(search_backend, runner, make_post):
    post = make_post(body="Nothing here.")
    with index_held_elsewhere():
        post.body_html = "<p>Capybara facts.</p>"
        db.session.commit()  # the commit's own drain finds the index busy and moves on
        assert waiting() == [("post", post.id)]
        assert outbox.drain() == 0
        assert found("capybara") == set()
    result = runner.invoke(args=["search", "sync"])
    assert result.exit_code == 0, result.output
    assert "Applied 1 waiting change" in result.output
    assert waiting() == []
    assert found("capybara") == {f"post:{post.id}"}


def test_a_failing_drain_never_fails_the_commit(app, monkeypatch, make_post):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(outboxes(app)["search"], "drain", broken)
    post = make_post(body="Tapir.")
    assert waiting() == [("post", post.id)]


def test_duplicate_stale_and_unknown_rows_are_harmless(
    search_backend, runner, make_post, make_comment
):
    post = make_post(body="Nothing here.")
    comment = make_comment(post, body="Okapi sighting.")
    gone = make_comment(post, body="Okapi rumour.")
    db.session.delete(gone)
    db.session.commit()
    db.session.add_all(
        [SearchOutbox(kind=kind, object_id=i) for kind, i in [
            ("comment", comment.id), ("comment", comment.id), ("comment", gone.id),
            ("comment", 999_999), ("post", 999_999), ("thread", post.id), ("author", 999_999),
        ]]
    )  # fmt: skip
    db.session.commit()
    assert outbox.drain() == 7
    assert waiting() == []
    assert found("okapi") == {f"comment:{comment.id}"}
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 0, result.output


def test_check_reports_drift_and_rebuild_repairs_it(
    search_backend, runner, make_post, make_comment
):
    post = make_post(body="Nothing here.")
    comments = [make_comment(post, body=f"Quokka {n}.") for n in range(4)]
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 0, result.output
    assert "No drift" in result.output

    backend = get_backend()
    with sa.orm.Session(db.engine) as session:
        with backend.writer(session) as writer:
            writer.delete(f"comment:{comments[0].id}")
            writer.commit()
            session.commit()
    with db.engine.begin() as connection:  # behind the ORM's back: no outbox row
        connection.execute(
            sa.update(Comment.__table__)
            .where(Comment.id == comments[1].id)
            .values(body_html="<p>Changed behind the index's back.</p>")
        )
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1
    assert f"1 missing from the index: comment:{comments[0].id}" in result.output
    assert f"1 out of date in the index: comment:{comments[1].id}" in result.output

    result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "Indexing" in result.output
    assert "Indexed 5 posts and comments" in result.output
    assert runner.invoke(args=["search", "check"]).exit_code == 0
    assert found("quokka") == {f"comment:{c.id}" for c in comments if c is not comments[1]}
    assert found("behind") == {f"comment:{comments[1].id}"}


def test_readyz_watches_the_waiting_rows(app, make_post):
    app.config["SEARCH_DRAIN_AFTER_COMMIT"] = False
    make_post(body="One.")
    make_post(body="Two.")

    def waiting_in_readyz() -> int:
        return app.test_client().get("/readyz").json["checks"]["search_outbox"]["waiting"]

    assert waiting_in_readyz() == 2
    outbox.drain()
    assert waiting_in_readyz() == 0


@pytest.mark.parametrize("procs", [1, 2])
def test_rebuild_with_one_or_several_processes(app, runner, make_post, make_comment, procs):
    app.config["SEARCH_REBUILD_PROCS"] = procs
    app.extensions.pop("parley_search", None)
    post = make_post(body="Nothing here.")
    for n in range(30):
        make_comment(post, body=f"Wombat number {n}.")
    result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "Indexed 31 posts and comments" in result.output
    assert runner.invoke(args=["search", "check"]).exit_code == 0
    assert search_site("wombat", Guest(), SearchOptions()).total == 30
