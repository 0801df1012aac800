"""The response tracker: every customer comment acknowledged by a named employee."""


def register(app) -> None:
    """The queue, metrics and audit pages, the CLI, the template helpers, the listeners
    the tracker's timed webhook events (overdue items), and answers by mail."""
    from blogapp.inbound.handlers import register_handler
    from blogapp.responses import (  # noqa: F401  (the *_views modules add routes to bp)
        replying,
        replying_views,
        review_lists,
        review_views,
        saved_views,
        searching,
        tracking,
    )
    from blogapp.responses.by_mail import answer_by_mail
    from blogapp.responses.cli import responses_cli
    from blogapp.responses.helped_views import bp as helped_bp
    from blogapp.responses.pages import bp
    from blogapp.responses.public import register_template_helpers
    from blogapp.responses.sla import check_config
    from blogapp.responses.webhooks import queue_overdue_events
    from blogapp.webhooks import add_producer

    check_config(app.config)
    assert review_views.bp is bp  # imported for the review pages' routes on it
    app.register_blueprint(bp)
    app.register_blueprint(helped_bp)
    app.cli.add_command(responses_cli)
    register_template_helpers(app)
    app.jinja_env.globals["response_review_count"] = review_lists.nav_count
    replying.register_template_helpers(app)
    tracking.register()
    searching.register(app)
    add_producer(app, queue_overdue_events)
    register_handler(app, "comment", answer_by_mail)
