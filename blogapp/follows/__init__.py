"""Threads readers follow: the button, the list on /account, and the mail of new comments."""

from flask import Flask


def register(app: Flask) -> None:
    """The follow views, and the follows outbox with the listener that wakes it."""
    from blogapp.follows import mail
    from blogapp.follows.views import bp

    app.register_blueprint(bp)
    mail.register(app)
