"""The demo's response records: some comments closed or seen, one reassigned (see
content/demo/responses.yaml), so the queue and the metrics mean something at once."""

from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
import yaml

from blogapp.extensions import db
from blogapp.models import Comment, User
from blogapp.responses import assigning, services


def load_responses(path: Path) -> int:
    """Apply each entry once; returns how many were applied."""
    if not path.exists():
        return 0
    applied = 0
    for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
        comment = db.session.scalar(
            sa.select(Comment).where(Comment.body_source.startswith(entry["comment"])).limit(1)
        )
        by = db.session.scalar(sa.select(User).where(User.email == entry["by"]))
        if comment is None or by is None or not services.is_owed(comment):
            continue
        at = comment.created_at + timedelta(hours=entry.get("hours_after", 1))
        if "close" in entry:
            services.close_without_response(comment, by, entry["close"], entry.get("note"), at)
        elif "seen" in entry:
            services.acknowledge(comment, by, entry["seen"], at, notify_author=False)
        elif "assign" in entry:
            assignee = db.session.scalar(sa.select(User).where(User.email == entry["assign"]))
            if services.current_assignee(comment) == assignee:
                continue
            assigning.assign(comment, assignee, by, at)
        applied += 1
    return applied
