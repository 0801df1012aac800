"""Loading a post's thread in a fixed number of queries and building its tree in memory."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from blogapp.extensions import db
from blogapp.models import Comment, CommentStatus, Post

# Deeper replies are drawn at this depth, each with a "replying to" link.
MAX_INDENT = 4


@dataclass
class ThreadNode:
    comment: Comment
    depth: int
    replies: list["ThreadNode"] = field(default_factory=list)

    @property
    def indent(self) -> int:
        return min(self.depth, MAX_INDENT)


@dataclass
class Thread:
    roots: list[ThreadNode]
    count: int

    def walk(self):
        """Every node, depth first, in reading order."""
        stack = list(reversed(self.roots))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.replies))


def load_thread(post: Post, newest_first: bool = False) -> Thread:
    """The post's published comments as a tree; one query whatever the size.

    Removed comments that still have replies stay in as placeholders so the
    replies keep their place.
    """
    comments = db.session.scalars(
        sa.select(Comment)
        .options(joinedload(Comment.author))
        .where(
            Comment.post_id == post.id,
            Comment.status.in_([CommentStatus.PUBLISHED.value, CommentStatus.REMOVED.value]),
        )
        .order_by(Comment.created_at, Comment.id)
    ).all()
    return build_tree(comments, newest_first)


def build_tree(comments: list[Comment], newest_first: bool = False) -> Thread:
    """Nest ``comments`` (oldest first) under their parents."""
    nodes = {c.id: ThreadNode(c, 0) for c in comments}
    roots: list[ThreadNode] = []
    for comment in comments:
        parent = nodes.get(comment.parent_id) if comment.parent_id else None
        (parent.replies if parent else roots).append(nodes[comment.id])
    roots = [r for r in roots if _has_content(r)]
    if newest_first:
        roots.reverse()
    thread = Thread(roots=roots, count=0)
    for node in thread.walk():
        for reply in node.replies:
            reply.depth = node.depth + 1
    thread.count = sum(1 for c in comments if c.status == CommentStatus.PUBLISHED)
    return thread


def _has_content(node: ThreadNode) -> bool:
    # A removed comment with no live replies below it is left out entirely.
    node.replies = [r for r in node.replies if _has_content(r)]
    return node.comment.status == CommentStatus.PUBLISHED or bool(node.replies)
