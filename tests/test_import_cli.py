"""`flask import wordpress FILE`: a dry run that prints the report and writes nothing, the
real import, a re-run that adds nothing, and the options refused with a reason."""

import pytest
import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.models import Acknowledgement, CloseReason, Comment, Post, Role, User
from tests.import_helpers import WXR

SITE = str(WXR / "site-1.2.xml")


def counts() -> tuple:
    db.session.expire_all()
    n = sa.select(sa.func.count())
    return tuple(db.session.scalar(n.select_from(t)) for t in (Post, Comment, User))


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, name="Ada Admin", email="ada@acme.example")


def test_a_dry_run_prints_the_report_and_writes_nothing(runner, admin):
    before = counts()
    result = runner.invoke(args=["import", "wordpress", SITE, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Dry run: nothing was written.\n13 records read.")
    assert "  post created: 2" in result.output
    assert "      e.g. post 123 “Our new pricing & plans” → /posts/new-pricing" in result.output
    assert "  comment: spam: 1" in result.output
    assert "  /2024/05/new-pricing -> /posts/new-pricing" in result.output
    assert counts() == before


def test_an_import_writes_and_a_second_run_adds_nothing(runner, admin, make_user):
    moderator = make_user(Role.MODERATOR, email="mo@acme.example")
    options = ["--cutoff", "2024-05-04", "--by", "mo@acme.example", "--timezone", "Europe/Paris"]
    result = runner.invoke(args=["import", "wordpress", SITE, *options])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Imported.\n")
    assert db.session.scalar(sa.select(Post.id).where(Post.slug == "new-pricing"))
    closed = db.session.scalars(
        sa.select(Acknowledgement).where(Acknowledgement.reason == CloseReason.IMPORTED.value)
    ).all()
    assert closed and {a.employee_id for a in closed} == {moderator.id}  # --by, not the admin
    after = counts()
    again = runner.invoke(args=["import", "wordpress", SITE])
    assert again.exit_code == 0, again.output
    assert "  post matched: 2" in again.output and "post created" not in again.output
    assert counts() == after


@pytest.mark.parametrize(
    "args,message",
    [
        (["--by", "nobody@acme.example"], "pass --by with a moderator's or admin's email"),
        (["--timezone", "Mars/Olympus"], "unknown time zone 'Mars/Olympus'"),
        (["--cutoff", "last tuesday"], "write a date like 2026-01-31"),
    ],
)
def test_options_it_cannot_use_are_refused_with_a_reason(runner, admin, args, message):
    before = counts()
    result = runner.invoke(args=["import", "wordpress", SITE, *args])
    assert result.exit_code != 0
    assert message in result.output
    assert counts() == before


def test_without_an_admin_it_says_who_it_needs(runner, make_user):
    make_user(Role.STAFF, email="staff@acme.example")
    result = runner.invoke(args=["import", "wordpress", SITE, "--by", "staff@acme.example"])
    assert result.exit_code == 1
    assert "create an admin first" in result.output
    assert counts()[:2] == (0, 0)
