"""Private support: a moderator takes a customer comment that needs account details into
a private conversation; staff answer on its page, the customer by mail or on the page;
the public comment says only who took it and when it was resolved."""


def register(app) -> None:
    """The pages, and the handler of mail sent to a private conversation's reply address."""
    from blogapp.inbound.handlers import register_handler
    from blogapp.private.inbound import handle
    from blogapp.private.views import bp

    app.register_blueprint(bp)
    register_handler(app, "private", handle)
