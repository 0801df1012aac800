"""The response tracker: every customer comment acknowledged by a named employee."""


def register(app) -> None:
    """The queue, metrics and audit pages, the CLI, the template helpers, the listeners
    and the tracker's timed webhook events (overdue items)."""
    from blogapp.responses import replying, replying_views, saved_views, searching, tracking  # noqa: F401  (routes on bp)
    from blogapp.responses.cli import responses_cli
    from blogapp.responses.pages import bp
    from blogapp.responses.public import register_template_helpers
    from blogapp.responses.sla import check_config
    from blogapp.responses.webhooks import queue_overdue_events
    from blogapp.webhooks import add_producer

    check_config(app.config)
    app.register_blueprint(bp)
    app.cli.add_command(responses_cli)
    register_template_helpers(app)
    replying.register_template_helpers(app)
    tracking.register()
    searching.register(app)
    add_producer(app, queue_overdue_events)
