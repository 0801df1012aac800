"""The forms' rules on an API body: the same fields, limits and messages as the web form,
run on the JSON values, and the rate limits the web's forms spend."""

import math
import time

from flask import current_app
from limits import parse_many
from werkzeug.datastructures import MultiDict

from blogapp.api.problems import ApiProblem
from blogapp.extensions import limiter


def check_with_form(form_class, data: dict, fields: tuple[str, ...]):
    """``form_class`` filled from ``data`` and its ``fields`` validated (their validators
    and inline ``validate_<field>``); the form, or a 422 naming each field to blame. The
    form's CSRF token is not asked for: a bearer token is no cookie to forge."""
    formdata = MultiDict({k: "" if v is None else str(v) for k, v in data.items()})
    form = form_class(formdata=formdata, meta={"csrf": False})
    errors = []
    for name in fields:
        field = getattr(form, name)
        inline = getattr(type(form), f"validate_{name}", None)  # as WTForms calls it
        if not field.validate(form, [inline] if inline else []):
            errors += [{"field": name, "message": str(message)} for message in field.errors]
    if errors:
        raise ApiProblem(422, errors[0]["message"], errors=errors)
    return form


def spend(setting: str, *key: str) -> None:
    """Count one use against the limits ``setting`` names for ``key``; 429 when over."""
    if not limiter.enabled:
        return
    for item in parse_many(current_app.config[setting]):
        if not limiter.limiter.hit(item, *key):
            reset = limiter.limiter.get_window_stats(item, *key).reset_time
            wait = max(1, math.ceil(reset - time.time()))
            raise ApiProblem(
                429,
                f"You're commenting faster than this site allows ({item}).",
                headers={"Retry-After": str(wait)},
            )
