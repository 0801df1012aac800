"""Named permission checks, used as view decorators or called from services."""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user

from blogapp.models import EMPLOYEE_ROLES, Role


def role_required(*roles: Role) -> Callable:
    """Let in only users with one of ``roles``; guests are sent to log in, others get 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from blogapp.extensions import login_manager

                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


employee_required = role_required(*EMPLOYEE_ROLES)
moderator_required = role_required(Role.MODERATOR, Role.ADMIN)
admin_required = role_required(Role.ADMIN)
