"""Friendly error pages: a person who hits one is told what happened and where to go."""

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: ("Something in that request was off", "Please go back and try again."),
    403: ("You can't open this page", "Your account doesn't have access to it."),
    404: ("We couldn't find that page", "It may have moved, or it was never published."),
    405: ("That didn't work", "This page can't be used that way."),
    413: ("That upload is too large", "Please choose a smaller file."),
    429: ("Slow down a little", "Too many requests in a short time; try again in a minute."),
    500: ("Something went wrong on our side", "We've logged it. Please try again shortly."),
    503: ("We're briefly unavailable", "Please try again in a moment."),
}


def render_error(code: int, detail: str | None = None):
    """The error page for ``code``."""
    title, hint = MESSAGES.get(code, MESSAGES[500])
    return render_template("errors/error.html", code=code, title=title, hint=detail or hint), code


def register(app: Flask) -> None:
    """Serve every HTTP error, and any crash, as a page in the site's own look."""

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return render_error(error.code)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("Unhandled error: %s", error)
        from blogapp.extensions import db

        db.session.rollback()
        return render_error(500)
