"""Each rule about people and comments has one definition, on the model (issue 14):

- who is an employee: ``Role.is_employee``, ``User.is_employee``, ``User.employee_clause()``;
- who is a moderator: ``Role.is_moderator``, ``User.is_moderator``;
- which comments are a customer's: ``Comment.by_customer``, ``Comment.customer_clause()``;
- which comments the tracker counts and which are owed: ``Comment.is_tracked``,
  ``Comment.tracked_clause()``, ``models.response.owed_clause()``.

The first test reads blogapp/ outside blogapp/models/ (Python and templates) for a second
definition written by hand; the others check that each rule's Python and SQL forms agree.
"""

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

import blogapp
from blogapp.extensions import db
from blogapp.models import AckKind, Comment, CommentStatus, Guest, Role, User, owed_clause
from blogapp.responses import services

ROOT = Path(blogapp.__file__).parent
MODELS = ROOT / "models"

# A hand-written second definition looks like one of these. Reading a rule from the model
# (user.is_employee, User.employee_clause(), comment.by_customer, owed_clause()...) never
# does; comparing with Role.ADMIN alone (the one admin role) is allowed.
SECOND_DEFINITIONS = {
    "a list of roles": r"Role\.[A-Z]+\s*,\s*Role\.[A-Z]+",
    "a group of roles used outside the model": r"\b(EMPLOYEE_ROLES|MODERATOR_ROLES)\b",
    "a list of roles in SQL": r"\.role\s*\.\s*(in_|not_in|notin_)\s*\(",
    "a role compared with a role other than admin": (
        r"\brole\w*\s*(==|!=)\s*(Role\.(?!ADMIN\b)|[\"'](?!admin[\"']))"
    ),
    "a role looked up in a hand-made group": r"\brole\s+(not\s+)?in\s+(?!ACCOUNT_ROLES\b)",
    "no account taken to mean a customer": r"\brole\s+is\s+(not\s+)?None\s+(or|and)\b",
    "a role compared in SQL text": r"(?i)\brole\s*(=|<>|!=|\bin\b)\s*[:'(]",
    "has_role() asked for several roles": r"has_role\([^)]*,",
    "has_role() asked for a role other than admin": (
        r"has_role\(\s*(Role\.(?!ADMIN\b)|[\"'](?!admin[\"']))"
    ),
    "the customer rule written out": (
        r"(\w+)\.author\s+is\s+(None\s+or\s+not|not\s+None\s+and)\s+\1\.author\.is_employee"
    ),
    "the tracked (owed) rule written out": r"joins_id\s*\.\s*is_\(\s*None\s*\)",
    "a second definition of a rule's clause": (
        r"\bdef\s+(owed_clause|customer_clause|employee_clause|tracked_clause)\b"
    ),
}


def second_definitions(root: Path) -> list[str]:
    """Every hand-written second definition under ``root`` (outside its models/), as
    ``path:line: what``."""
    found = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".py", ".html", ".txt") or (root / "models") in path.parents:
            continue
        text = path.read_text(encoding="utf-8")
        for what, pattern in SECOND_DEFINITIONS.items():
            for match in re.finditer(pattern, text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(root.parent)}:{line}: {what}: {match[0]!r}")
    return found


def test_no_rule_is_defined_a_second_time_outside_the_model():
    assert second_definitions(ROOT) == []


@pytest.mark.parametrize(
    "snippet",
    [
        "roles = (Role.STAFF, Role.MODERATOR, Role.ADMIN)",
        "from blogapp.models import EMPLOYEE_ROLES",
        "sa.select(User).where(User.role.in_(roles))",
        "customer = role is None or role == Role.READER.value",
        "if user.role == 'moderator':",
        "author_staff = role in _STAFF",
        "'(SELECT count(*) FROM users WHERE role = :reader)'",
        "{% if current_user.has_role('moderator', 'admin') %}",
        "moderator = person.has_role(Role.MODERATOR)",
        "return comment.author is None or not comment.author.is_employee",
        "staff = c.author is not None and c.author.is_employee",
        "Comment.status == 'published', Comment.joins_id.is_(None)",
        "def owed_clause():",
    ],
)
def test_the_search_finds_each_kind_of_second_definition(tmp_path, snippet):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "user.py").write_text(snippet)  # the model may say it
    (tmp_path / "feature.py").write_text(f"x = 1\n{snippet}\n")
    assert len(second_definitions(tmp_path)) >= 1
    assert all(
        hit.startswith(f"{tmp_path.name}/feature.py:2:") for hit in second_definitions(tmp_path)
    )


def test_reading_a_rule_from_the_model_is_not_a_second_definition(tmp_path):
    (tmp_path / "feature.py").write_text(
        "employee = user.is_employee and not viewer.is_moderator\n"
        "query = sa.select(User).where(User.employee_clause(), Comment.customer_clause())\n"
        "owed = sa.select(Comment.id).where(owed_clause(), Comment.tracked_clause())\n"
        "admin = user.has_role(Role.ADMIN) or User.role == Role.ADMIN.value\n"
        "if role not in ACCOUNT_ROLES: raise AccountError()\n"
        "if author is None or not author.is_employee: raise ContentError()\n"
    )
    (tmp_path / "page.html").write_text("{% if current_user.has_role('admin') %}{% endif %}")
    assert second_definitions(tmp_path) == []


# --- each rule's Python and SQL forms agree ----------------------------------------------


def test_who_is_an_employee_and_who_a_moderator(make_user):
    expected = {
        Role.GUEST: (False, False),
        Role.READER: (False, False),
        Role.STAFF: (True, False),
        Role.MODERATOR: (True, True),
        Role.ADMIN: (True, True),
    }
    assert {r: (r.is_employee, r.is_moderator) for r in Role} == expected
    assert (Guest().is_employee, Guest().is_moderator) == expected[Role.GUEST]
    users = {role: make_user(role) for role in Role if role is not Role.GUEST}
    for role, user in users.items():
        assert (user.is_employee, user.is_moderator) == expected[role]
    in_sql = set(db.session.scalars(sa.select(User.id).where(User.employee_clause())))
    assert in_sql == {u.id for u in users.values() if u.is_employee}
    assert Role.of(None) is Role.GUEST and Role.of("staff") is Role.STAFF


def test_customer_tracked_and_owed_agree_in_python_and_sql(make_user, make_post, make_comment):
    post = make_post()
    comments = [make_comment(post)]  # a guest's
    for role in (Role.READER, Role.STAFF, Role.MODERATOR, Role.ADMIN):
        author = make_user(role)
        for status in CommentStatus:
            comments.append(make_comment(post, author=author, status=status))
    question = next(c for c in comments if c.author and c.author.role == "reader" and c.is_public)
    follow_up = make_comment(post, author=question.author, parent=question)
    follow_up.joins = question
    answered = make_comment(post, author=make_user(Role.READER))
    db.session.commit()
    services.close_without_response(answered, make_user(Role.MODERATOR), "thanks-only")
    comments += [follow_up, answered]

    def where(clause) -> set[int]:
        return set(db.session.scalars(sa.select(Comment.id).where(clause)))

    customers = {c.id for c in comments if c.by_customer}
    tracked = {c.id for c in comments if c.is_tracked}
    owed = {c.id for c in comments if services.is_owed(c)}
    assert where(Comment.customer_clause()) == customers
    assert where(Comment.tracked_clause()) == tracked
    assert where(owed_clause()) == owed == services.owed_ids()
    # ARCHITECTURE.md, spelled out: guests and readers are customers; the tracker counts their
    # published comments that did not join another's item; owed while unanswered.
    assert customers == {c.id for c in comments if c.author is None or c.author.role == "reader"}
    assert tracked == {
        c.id
        for c in comments
        if c.id in customers and c.status == "published" and c is not follow_up
    }
    assert owed == tracked - {answered.id}
    assert answered.id in tracked and services.standing_acknowledgement(answered).kind == (
        AckKind.NO_RESPONSE_NEEDED
    )
