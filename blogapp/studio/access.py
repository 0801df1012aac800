"""The studio's door: employees only, and each post only for those who may edit it."""

from flask import abort
from flask_login import current_user

from blogapp.accounts.permissions import employee_required
from blogapp.models import Post
from blogapp.studio import services


@employee_required
def employees_only():
    """Run before every studio request: guests log in, customers get 403."""
    return None


def editable_post_or_abort(post_id: int) -> Post:
    """The post to edit, or a 404 (no such post) or 403 (someone else's)."""
    try:
        return services.post_to_edit(post_id, current_user)
    except services.PostNotFound:
        abort(404)
    except services.NotAllowed:
        abort(403)
