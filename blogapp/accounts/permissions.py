"""Named permission checks, used as view decorators or called from services."""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user

from blogapp.models import Role


def permission_required(granted: Callable[[object], bool]) -> Callable:
    """Let in only users ``granted(user)`` is true for; guests are sent to log in, others
    get 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from blogapp.extensions import login_manager

                return login_manager.unauthorized()
            if not granted(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


# The rules themselves live on the model (User.is_employee, User.is_moderator).
employee_required = permission_required(lambda user: user.is_employee)
moderator_required = permission_required(lambda user: user.is_moderator)
admin_required = permission_required(lambda user: user.has_role(Role.ADMIN))
