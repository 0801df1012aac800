"""Friendly error pages: a person who hits one is told what happened and where to go."""

import sqlalchemy as sa
from flask import Flask, current_app, render_template, request
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: ("Something in that request was off", "Please go back and try again."),
    403: ("You can't open this page", "Your account doesn't have access to it."),
    404: ("We couldn't find that page", "It may have moved, or it was never published."),
    405: ("That didn't work", "This page can't be used that way."),
    409: ("That changed while you were working", "Please reload the page and try again."),
    413: ("That upload is too large", "Please choose a smaller file."),
    429: ("Slow down a little", "Too many requests in a short time; try again in a minute."),
    500: ("Something went wrong on our side", "We've logged it. Please try again shortly."),
    503: ("We're briefly unavailable", "Please try again in a moment."),
}


def render_error(code: int, detail: str | None = None):
    """The error page for ``code`` (under /api/, the API's problem+json)."""
    problem = _api_problem(current_app, None, code)
    if problem is not None:
        return problem
    title, hint = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", code=code, title=title, hint=detail or hint), code


# Never echoed back into a page, even to the person who typed them.
SECRET_FIELDS = {"csrf_token", "password", "confirm", "website"}


def kept_form_fields() -> dict[str, str]:
    """What the person sent with a POST, to give back to them."""
    if request.method != "POST":
        return {}
    return {k: v for k, v in request.form.items() if k not in SECRET_FIELDS}


def database_unavailable_page():
    """503 without touching the database: the message, and the person's text to send again."""
    body = render_template("errors/unavailable.html", kept=kept_form_fields(), action=request.path)
    return body, 503, {"Retry-After": "30"}


def _api_problem(app: Flask, error: Exception | None, code: int):
    """Under /api/, the API's problem+json instead of a page (blogapp/api/errors.py)."""
    answer = app.extensions.get("parley_api_errors")
    return answer(error, code) if answer is not None else None


def register(app: Flask) -> None:
    """Serve every HTTP error, and any crash, as a page in the site's own look."""

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return _api_problem(app, error, error.code) or render_error(error.code)

    @app.errorhandler(sa.exc.OperationalError)
    @app.errorhandler(sa.exc.InterfaceError)
    @app.errorhandler(sa.exc.TimeoutError)
    def database_trouble(error: Exception):
        from blogapp.extensions import db

        app.logger.warning("Database unavailable: %s", error)
        try:
            db.session.rollback()
        except sa.exc.SQLAlchemyError:
            pass
        return _api_problem(app, error, 503) or database_unavailable_page()

    @app.errorhandler(sa.exc.IntegrityError)
    def changed_meanwhile(error: Exception):
        from blogapp.extensions import db

        app.logger.warning("Integrity conflict: %s", error)
        db.session.rollback()
        return _api_problem(app, error, 409) or render_error(
            409, "Someone else changed this at the same moment. Please reload and try again."
        )

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("Unhandled error: %s", error)
        from blogapp.extensions import db

        db.session.rollback()
        return _api_problem(app, error, 500) or render_error(500)
