"""A small site with every kind of thing the WordPress export must carry."""

from dataclasses import dataclass
from datetime import datetime

from blogapp.extensions import db
from blogapp.models import Comment, CommentStatus, Post, PostStatus, Role, Tag, User

AWKWARD_TITLE = 'Q&A: <tags>, "quotes", ]]> and a bell\x07'


@dataclass
class Site:
    staff: User
    reader: User
    published: Post
    draft: Post
    scheduled: Post
    question: Comment  # a guest's, answered by staff
    answer: Comment
    reader_comment: Comment  # a reader's reply to the answer, unanswered
    held: Comment
    spam: Comment
    removed: Comment


def populate(make_user, make_post, make_comment) -> Site:
    """Posts in each status, tags, and a thread with each kind of comment."""
    staff = make_user(Role.STAFF, name="Ana Staff", email="ana@example.com")
    reader = make_user(Role.READER, name='Rita "Reader"', email="rita@example.com")
    tags = [Tag(name="Q&A", slug="q-a"), Tag(name="Release notes", slug="release-notes")]
    published = make_post(
        author=staff,
        title=AWKWARD_TITLE,
        slug="awkward",
        body="Some *emphasis* & an ampersand.",
        published_at=datetime(2024, 1, 15, 14, 30),
        tags=tags,
    )
    draft = make_post(author=staff, status=PostStatus.DRAFT, published_at=None, slug="draft")
    scheduled = make_post(
        author=staff,
        status=PostStatus.SCHEDULED,
        published_at=datetime(2099, 6, 1, 9, 0),
        slug="later",
    )
    def at(day: int, hour: int) -> datetime:
        return datetime(2024, 1, day, hour, 0)

    def guest(name: str) -> tuple[str, str]:
        return name, f"{name.split()[0].lower()}@example.com"

    thread = published
    question = make_comment(thread, body="Does it *work*?", created_at=at(16, 8))
    answer = make_comment(thread, staff, question, "It does.", created_at=at(16, 9))
    reader_comment = make_comment(thread, reader, answer, "Thanks!", created_at=at(16, 10))
    held = make_comment(thread, body="First time here.", status=CommentStatus.HELD,
                        guest=guest("Holly Held"), created_at=at(17, 8))  # fmt: skip
    spam = make_comment(thread, body="Cheap pills", status=CommentStatus.SPAM,
                        guest=guest("Spammer Bot"), created_at=at(17, 9))  # fmt: skip
    removed = make_comment(thread, body="Rude", status=CommentStatus.REMOVED,
                           guest=guest("Rude Person"), created_at=at(17, 10))  # fmt: skip
    db.session.commit()
    return Site(staff, reader, published, draft, scheduled, question, answer, reader_comment,
                held, spam, removed)  # fmt: skip
