"""Big threads written in one go, and counting the queries a page costs."""

from sqlalchemy import event

from blogapp.extensions import db
from blogapp.models import Comment, CommentStatus
from blogapp.models.base import utcnow


def build_thread(post, users, size: int, depth: int = 6) -> None:
    """``size`` comments in chains ``depth`` deep, written in one go."""
    now = utcnow()
    parents: list[Comment | None] = [None]
    for n in range(size):
        parent = parents[-1] if len(parents) <= depth else None
        if parent is None:
            parents = [None]
        comment = Comment(
            post=post,
            parent=parent,
            author=users[n % len(users)],
            body_source=f"c{n}",
            body_html=f"<p>c{n}</p>",
            created_at=now,
            status=CommentStatus.PUBLISHED.value,
        )
        db.session.add(comment)
        parents.append(comment)
    db.session.commit()


def count_queries(app, url: str, client) -> int:
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)
