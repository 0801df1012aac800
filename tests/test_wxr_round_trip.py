"""Moving out and back in: a site exported as WXR and imported into an empty one is the
same site: its posts, threads, statuses and answers."""

import io
from datetime import UTC, datetime

import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.importing import wordpress
from blogapp.importing.html_source import plain_text
from blogapp.importing.writer import ImportOptions, import_file
from blogapp.importing.wxr_export import wxr_lines
from blogapp.models import Acknowledgement, Comment, Post, Role, User
from blogapp.responses.services import owed_ids
from tests.conftest import PASSWORD
from tests.export_helpers import AWKWARD_TITLE, populate
from tests.load_harness import check_queue_invariant


def the_site() -> dict:
    """What must survive the trip, in terms that do not depend on ids."""
    posts = {}
    for post in db.session.scalars(sa.select(Post).order_by(Post.slug)):
        posts[post.slug] = {
            "title": post.title,
            "status": post.status,
            "published_at": post.published_at,
            "tags": sorted((t.slug, t.name) for t in post.tags),
            "author": (post.author.display_name, post.author.email),
            "words": plain_text(post.body_html),
            "comments_open": post.comments_open,
            "thread": thread_of(post),
        }
    return posts


def thread_of(post: Post) -> list[tuple]:
    """Each kept comment: who, when, status, words, the parent's words, who answered it,
    and whether it is owed."""
    owed = owed_ids()
    rows = []
    comments = db.session.scalars(
        sa.select(Comment)
        .where(Comment.post_id == post.id, Comment.status.in_(["published", "held"]))
        .order_by(Comment.created_at)
    )
    for comment in comments:
        ack = db.session.scalar(
            sa.select(Acknowledgement).where(
                Acknowledgement.comment_id == comment.id, Acknowledgement.undone_at.is_(None)
            )
        )
        rows.append((
            comment.author_name,
            comment.by_employee,
            comment.created_at,
            comment.status,
            plain_text(comment.body_html),
            plain_text(comment.parent.body_html) if comment.parent else None,
            (ack.kind, ack.employee.email, ack.created_at) if ack else None,
            comment.id in owed,
        ))  # fmt: skip
    return rows


def test_a_site_exported_and_imported_into_an_empty_one_is_the_same(
    new_database, app, make_app, make_user, make_post, make_comment
):
    populate(make_user, make_post, make_comment)
    before = the_site()
    before["awkward"]["title"] = AWKWARD_TITLE.replace("\x07", "")  # XML cannot carry it
    exported = "".join(wxr_lines()).encode()

    empty = make_app(SQLALCHEMY_DATABASE_URI=new_database("round_trip"))
    with empty.app_context():
        db.create_all()
        admin = User(email="root@example.com", role=Role.ADMIN.value, display_name="Root",
                     slug="root")  # fmt: skip
        admin.set_password(PASSWORD)
        db.session.add(admin)
        db.session.commit()

        def reader(stream, skipped):
            return wordpress.read(stream, skipped, site_timezone=UTC)

        # A cut-off before the history, so what was owed stays owed.
        options = ImportOptions(dry_run=False, cutoff=datetime(2000, 1, 1))
        report = import_file(reader, io.BytesIO(exported), "wordpress", admin, options)
        assert report.skipped["comment: spam"] == 1 and report.skipped["comment: trash"] == 1
        after = the_site()
        check_queue_invariant()
        db.session.remove()

    assert after == before
    thread = after["awkward"]["thread"]
    # What the comparison covered: an answered question, its staff answer, an owed reply,
    # a held comment.
    assert [(row[0], row[3], row[6] is not None, row[7]) for row in thread] == [
        ("Gail Guest", "published", True, False),
        ("Ana Staff", "published", False, False),
        ('Rita "Reader"', "published", False, True),
        ("Holly Held", "held", False, False),
    ]
    assert thread[0][6] == ("reply", "ana@example.com", thread[1][2])
