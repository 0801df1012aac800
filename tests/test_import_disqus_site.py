"""`flask import disqus FILE`: a Disqus export onto a site whose posts are already here."""

from pathlib import Path

import pytest
import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.models import (
    Acknowledgement,
    CloseReason,
    Comment,
    CommentStatus,
    ImportSource,
    LegacyPath,
    Role,
)
from blogapp.responses.services import owed_ids
from tests.load_harness import check_queue_invariant

EXPORT = Path(__file__).parent / "data" / "disqus" / "export.xml"
RULES = "# old Disqus paths that name no slug of ours\n/2021/04/nonprofits   plans-for-nonprofits\n"


@pytest.fixture
def site(make_user, make_post):
    """The posts the Disqus threads were about, under Parley's own slugs."""
    admin = make_user(Role.ADMIN, name="Ada Admin", email="ada@tallyworks.example")
    ana = make_user(Role.STAFF, name="Ana Staff", email="Ana@Tallyworks.example")
    posts = {
        slug: make_post(author=ana, slug=slug)
        for slug in ("launch-notes", "pricing", "plans-for-nonprofits", "old-draft")
    }
    return admin, ana, posts


@pytest.fixture
def rules(tmp_path) -> Path:
    path = tmp_path / "rules.txt"
    path.write_text(RULES)
    return path


def run(runner, *args) -> str:
    result = runner.invoke(args=["import", "disqus", str(EXPORT), *args])
    assert result.exit_code == 0, result.output
    return result.output


def imported(source_id: str) -> Comment | None:
    local = db.session.scalar(
        sa.select(ImportSource.local_id).where(
            ImportSource.source == "disqus",
            ImportSource.kind == "comment",
            ImportSource.source_id == source_id,
        )
    )
    return db.session.get(Comment, local) if local else None


def counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Comment, Acknowledgement, ImportSource, LegacyPath)
    )


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(runner, site, rules):
    output = run(runner, "--dry-run", "--rules", str(rules))
    assert output.startswith("Dry run: nothing was written.")
    assert "thread matched: 3" in output
    assert "comment created: 5" in output  # 9001, 9002, 9004, 9006 and the one without dsq:id
    assert "comment: spam: 1" in output
    assert "comment: its post or thread was not imported: 1" in output  # the orphan
    assert "thread: no link to find its page by: 1" in output
    assert "thread: deleted on Disqus; its comments are not imported: 1" in output
    assert counts() == (0, 0, 0, 0)


def test_threads_are_matched_by_link_whatever_the_scheme_host_slash_or_query(
    runner, site, rules
):
    _, _, posts = site
    run(runner, "--rules", str(rules))
    assert imported("9001").post_id == posts["launch-notes"].id  # http, www., trailing /
    assert imported("9006").post_id == posts["plans-for-nonprofits"].id  # by the rules file
    assert imported("12345678890").post_id == posts["plans-for-nonprofits"].id
    # The thread 5002 (an empty id and title, a ?utm_source query) had no comments:
    # matched all the same, and its link redirects.
    paths = dict(db.session.execute(sa.select(LegacyPath.path, LegacyPath.post_id)).all())
    assert paths == {
        "/2021/03/launch-notes": posts["launch-notes"].id,
        "/pricing": posts["pricing"].id,
        "/2021/04/nonprofits": posts["plans-for-nonprofits"].id,
    }
    assert imported("9007") is None  # the orphan
    assert imported("9005") is None  # spam


def test_old_disqus_links_redirect_to_the_post(runner, client, site, rules):
    run(runner, "--rules", str(rules))
    response = client.get("/2021/04/nonprofits/")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/posts/plans-for-nonprofits")


def test_a_deleted_comment_with_a_reply_stays_as_a_placeholder(runner, client, site, rules):
    run(runner, "--rules", str(rules))
    placeholder, reply = imported("9003"), imported("9004")
    assert placeholder.status == CommentStatus.REMOVED and placeholder.body_source == ""
    assert reply.parent_id == placeholder.id
    assert reply.guest_name == "Curious <guest>" and reply.guest_email == ""
    page = client.get("/posts/launch-notes").text
    assert "Comment removed." in page and "Something the author took back" not in page
    assert "I disagree with the comment above." in page
    assert "Curious &lt;guest&gt;" in page


def test_a_staff_answer_on_disqus_answers_the_question(runner, site, rules):
    _, ana, _ = site
    run(runner, "--rules", str(rules), "--cutoff", "2021-03-04")
    question, answer = imported("9001"), imported("9002")
    assert answer.author_id == ana.id and answer.parent_id == question.id
    assert question.guest_name == "María O'Brien"
    ack = db.session.scalar(
        sa.select(Acknowledgement).where(Acknowledgement.comment_id == question.id)
    )
    assert (ack.kind, ack.employee_id, ack.reply_id) == ("reply", ana.id, answer.id)
    assert ack.created_at == answer.created_at
    # Before the cut-off and unanswered: closed as imported; after it: owed.
    closed = db.session.scalar(
        sa.select(Acknowledgement).where(Acknowledgement.comment_id == imported("9004").id)
    )
    assert closed.reason == CloseReason.IMPORTED
    assert owed_ids() == {imported("9006").id, imported("12345678890").id}
    check_queue_invariant()


def test_an_anonymous_guest_with_an_employee_s_email_is_not_the_employee(runner, site, rules):
    _, ana, _ = site
    typed = "<email>ana@tallyworks.example</email>\n      <name>Curious"
    path = Path(runner.app.instance_path) / "forged.xml"
    path.write_text(EXPORT.read_text().replace("<email/>\n      <name>Curious", typed))
    result = runner.invoke(args=["import", "disqus", str(path), "--rules", str(rules)])
    assert result.exit_code == 0, result.output
    forged = imported("9004")
    assert forged.author_id is None and forged.guest_email == "ana@tallyworks.example"


def test_running_the_same_file_again_changes_nothing(runner, site, rules):
    run(runner, "--rules", str(rules))
    before = counts()
    changed = db.session.scalar(sa.select(sa.func.max(Comment.changed_at)))
    output = run(runner, "--rules", str(rules))
    db.session.expire_all()
    assert counts() == before
    assert db.session.scalar(sa.select(sa.func.max(Comment.changed_at))) == changed
    assert "comment matched: 6" in output and "comment created" not in output


def test_a_rules_file_that_is_not_rules_is_refused(runner, site, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("/one/path\n")
    result = runner.invoke(args=["import", "disqus", str(EXPORT), "--rules", str(bad)])
    assert result.exit_code == 2
    assert "line 1: write '/old/path new-slug'" in result.output
    assert counts() == (0, 0, 0, 0)
