"""The purge hook (comments/purge.py): after each commit that changes what a post page
shows, ``post_page_changed`` names the post, so a CDN in front can forget its pages."""

import pytest

from blogapp.comments import services
from blogapp.comments.moderation import approve_comment
from blogapp.comments.purge import post_page_changed
from blogapp.extensions import db
from blogapp.models import CommentStatus, Role


@pytest.fixture
def purged(app):
    seen = []

    def receive(sender, post_id, slug):
        seen.append((post_id, slug))

    post_page_changed.connect(receive, app)
    yield seen
    post_page_changed.disconnect(receive, app)


def test_it_fires_on_comment_publish_edit_delete_and_post_edit(app, purged, make_user, make_post):
    post = make_post()
    other = make_post()
    rita = make_user(Role.READER, email="rita@example.com")
    mo = make_user(Role.MODERATOR, email="mo@example.com")
    purged.clear()
    held = services.post_comment(
        post, "A guest's first words", guest_name="Gail Guest", guest_email="gail@example.com"
    )
    assert held.status == CommentStatus.HELD and purged == [(post.id, post.slug)]
    purged.clear()
    approve_comment(held, mo)
    assert purged == [(post.id, post.slug)], "published"
    comment = services.post_comment(post, "Rita's words", author=rita)
    purged.clear()
    services.edit_comment(comment, "Rita's better words", may_edit=True)
    assert purged == [(post.id, post.slug)], "edited"
    purged.clear()
    services.delete_own_comment(comment, rita, may_delete=True)
    assert purged == [(post.id, post.slug)], "deleted"
    purged.clear()
    old_slug = post.slug
    post.title, post.slug = "A new title", "a-new-title"
    db.session.commit()
    assert purged == [(post.id, "a-new-title"), (post.id, old_slug)], "renamed"
    assert other.id not in {post_id for post_id, _ in purged}


def test_nothing_is_sent_for_a_change_rolled_back(app, purged, make_post):
    post = make_post()
    purged.clear()
    post.title = "Never saved"
    db.session.flush()
    db.session.rollback()
    assert purged == []
