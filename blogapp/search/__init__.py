"""Full-text search over posts and comments.

``query`` parses what a person typed into a small tree both backends
understand; ``documents`` builds what is indexed from the database;
``whoosh_backend`` and ``postgres_backend`` implement ``backend.SearchBackend``;
``outbox`` keeps the index in step with the database; ``services`` is what
the page and the CLI call; ``hooks`` is what it asks of the response tracker,
which imports search (never the other way). Only this package imports whoosh.
"""

from flask import Flask


def register(app: Flask) -> None:
    """Wire search into the app: its hooks, the outbox listeners, the page, the CLI."""
    from blogapp.search import hooks, outbox
    from blogapp.search.backend import check_backend_config
    from blogapp.search.cli import search_cli
    from blogapp.search.views import bp

    check_backend_config(app)
    hooks.init_app(app)
    outbox.register(app)
    app.register_blueprint(bp)
    app.cli.add_command(search_cli)
