"""Importing a WordPress export (WXR 1.0-1.2): what lands, what is skipped and why."""

from datetime import datetime

import pytest
import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.models import (
    Acknowledgement,
    CloseReason,
    Comment,
    ImportSource,
    LegacyPath,
    Post,
    Role,
    User,
)
from blogapp.responses.services import owed_ids
from tests.import_helpers import import_wxr


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, name="Ada Admin", email="ada@acme.example")


def _comment(source_id: str) -> Comment:
    local = db.session.scalar(
        sa.select(ImportSource.local_id).where(
            ImportSource.kind == "comment", ImportSource.source_id == source_id
        )
    )
    return db.session.get(Comment, local)


@pytest.mark.parametrize("name", ["site-1.0.xml", "site-1.1.xml", "site-1.2.xml"])
def test_every_wxr_version_imports_posts_pages_drafts_and_comments(app, admin, name):
    report = import_wxr(name, admin)
    posts = {p.slug: p for p in db.session.scalars(sa.select(Post))}
    assert set(posts) == {"new-pricing", "about", "half-written-thoughts"}
    pricing = posts["new-pricing"]
    assert pricing.title == "Our new pricing & plans"
    assert pricing.status == "published"
    assert pricing.published_at == datetime(2024, 5, 1, 9, 0)  # post_date_gmt, not local
    assert sorted(t.name for t in pricing.tags) == ["Billing", "News"]
    assert "<strong>why</strong>" in pricing.body_html
    assert "**why**" in pricing.body_source
    assert pricing.excerpt == "Why our plans changed."
    assert posts["about"].comments_open is False
    assert posts["half-written-thoughts"].status == "draft"
    # spam, trash, the pingback and the note are left out, each counted with its reason
    assert report.total("comment created") == 4  # 10, 11, 13 and the held 14
    assert report.total("comment held for moderation") == 1
    assert report.skipped["comment: spam"] == 1
    assert report.skipped["comment: trash"] == 1
    assert report.skipped["comment: a pingback (--with-pingbacks imports them)"] == 1
    assert report.skipped["comment: a WordPress note (never imported)"] == 1
    assert report.skipped["item: not a post or page but 'attachment'"] == 1


def test_authors_matched_by_email_else_disabled_staff_with_their_names(app, admin, make_user):
    jane = make_user(Role.STAFF, name="Jane D.", email="jane@acme.example")
    import_wxr("site-1.2.xml", admin)
    assert db.session.get(Post, db.session.scalar(sa.select(Post.id).where(
        Post.slug == "new-pricing"))).author_id == jane.id  # fmt: skip
    rene = db.session.scalar(sa.select(User).where(User.email == "rene@acme.example"))
    assert rene.display_name == "René François"  # entities decoded
    assert rene.is_employee and not rene.is_active


def test_threads_dates_states_and_the_staff_answer(app, admin):
    import_wxr("site-1.2.xml", admin)
    question, answer, stray, held = (_comment(i) for i in ("10", "11", "13", "14"))
    assert question.guest_name == "Zoë Customer"
    assert question.guest_email == "zoe@customer.example"  # kept, never shown
    assert question.created_at == datetime(2024, 5, 2, 8, 30)
    assert "<p>Does the old plan stay?</p>" in question.body_html
    # the reply came first in the file; it is linked to its parent all the same
    assert answer.parent_id == question.id and answer.root_id == question.id
    assert answer.author.email == "jane@acme.example"  # comment_user_id → that employee
    # a reply to the spam is re-attached to the nearest kept ancestor
    assert stray.parent_id == question.id
    # comment_date_gmt 0000-00-00: the local date, read in the site's zone (UTC here)
    assert stray.created_at == datetime(2024, 5, 3, 9, 0)
    assert held.status == "held"
    ack = db.session.scalar(
        sa.select(Acknowledgement).where(Acknowledgement.comment_id == question.id)
    )
    assert (ack.kind, ack.employee_id, ack.reply_id) == ("reply", answer.author_id, answer.id)
    assert ack.created_at == answer.created_at


def test_the_site_timezone_reads_local_dates(app, admin):
    from zoneinfo import ZoneInfo

    import_wxr("site-1.2.xml", admin, site_timezone=ZoneInfo("Europe/Paris"))
    assert _comment("13").created_at == datetime(2024, 5, 3, 7, 0)  # 09:00 CEST


def test_old_unanswered_history_is_closed_newer_enters_the_queue(app, admin):
    import_wxr("site-1.2.xml", admin, cutoff=datetime(2024, 5, 3, 8, 0))
    stray = _comment("13")  # 2024-05-03 09:00, after the cut-off: owed
    assert owed_ids() == {stray.id}
    closed = db.session.scalars(
        sa.select(Acknowledgement).where(Acknowledgement.reason == CloseReason.IMPORTED.value)
    ).all()
    assert closed == []  # the only older customer comment (10) was answered
    import_wxr("site-1.2.xml", admin)  # nothing new: the re-run changes nothing
    assert owed_ids() == {stray.id}


def test_default_cutoff_closes_all_unanswered_history(app, admin):
    report = import_wxr("site-1.2.xml", admin)
    assert owed_ids() == set()
    ack = db.session.scalar(
        sa.select(Acknowledgement).where(Acknowledgement.comment_id == _comment("13").id)
    )
    assert (ack.kind, ack.reason, ack.employee_id) == ("no_response_needed", "imported", admin.id)
    assert report.tracker["closed: no response needed — imported"] == 1
    assert CloseReason.IMPORTED not in CloseReason.chosen_by_moderators()


def test_pingbacks_only_when_asked(app, admin):
    report = import_wxr("site-1.2.xml", admin, with_pingbacks=True)
    assert report.total("comment created") == 5
    assert "Acme changed its plans" in _comment("15").body_html


def _table_counts():
    return {
        table: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for table, model in (("posts", Post), ("comments", Comment), ("users", User),
                             ("acks", Acknowledgement), ("paths", LegacyPath))
    }  # fmt: skip


def test_a_rerun_changes_nothing_and_a_dry_run_writes_nothing(app, admin):
    before = _table_counts()
    dry = import_wxr("site-1.2.xml", admin, dry_run=True)
    assert _table_counts() == before
    real = import_wxr("site-1.2.xml", admin)
    assert dry.counts == real.counts
    after = _table_counts()
    again = import_wxr("site-1.2.xml", admin)
    assert _table_counts() == after
    assert again.total("comment created") == 0 and again.total("comment matched") == 4
    assert again.total("post matched") == 2 and again.total("post created") == 0


def test_a_newer_export_adds_only_what_is_new(app, admin):
    import_wxr("site-1.2.xml", admin)
    newer = (
        (import_wxr.__globals__["WXR"] / "site-1.2.xml")
        .read_text()
        .replace(
            "<!-- A reply listed before its parent",
            """<wp:comment><wp:comment_id>20</wp:comment_id>
            <wp:comment_author><![CDATA[Zo&euml; Customer]]></wp:comment_author>
            <wp:comment_author_email>zoe@customer.example</wp:comment_author_email>
            <wp:comment_date_gmt>2030-01-01 10:00:00</wp:comment_date_gmt>
            <wp:comment_content><![CDATA[Thanks, one more question.]]></wp:comment_content>
            <wp:comment_approved>1</wp:comment_approved><wp:comment_type></wp:comment_type>
            <wp:comment_parent>11</wp:comment_parent><wp:comment_user_id>0</wp:comment_user_id>
            </wp:comment><!-- A reply listed before its parent""",
        )
    )
    report = import_wxr(newer.encode(), admin, cutoff=datetime(2029, 1, 1))
    assert report.total("comment created") == 1 and report.total("comment matched") == 4
    follow_up = _comment("20")
    assert follow_up.parent_id == _comment("11").id
    assert follow_up.root_id == _comment("10").id
    assert owed_ids() == {follow_up.id}  # a next reply after the answer: owed again


def test_old_permalinks_redirect_to_the_post(app, admin, client):
    report = import_wxr("site-1.2.xml", admin)
    assert ("/2024/05/new-pricing", "/posts/new-pricing") in report.redirects
    for old in ("/2024/05/new-pricing/", "/2024/05/new-pricing", "/?p=123", "/about/",
                "/?page_id=7"):  # fmt: skip
        response = client.get(old)
        assert response.status_code == 301, old
        assert response.headers["Location"].endswith(
            "/posts/about" if "about" in old or "page_id" in old else "/posts/new-pricing"
        )
    assert client.get("/2024/05/nothing-here/").status_code == 404
    assert client.get("/?p=999").status_code == 200  # the home page, as before


def test_search_sees_the_import_with_no_drift(app, admin):
    from blogapp.search import maintenance
    from blogapp.search.outbox import drain

    import_wxr("site-1.2.xml", admin)
    drain()
    drift = maintenance.check()
    assert not drift.found and drift.waiting == 0
    assert drift.expected >= 6  # two visible posts and four comments at least
