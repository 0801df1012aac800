"""Site settings an admin changes in the browser (/admin/settings), over the environment's."""


def register(app) -> None:
    """The settings store every setting is read through, and the admin page."""
    from blogapp.sitesettings import store
    from blogapp.sitesettings.views import bp

    store.register(app)
    app.register_blueprint(bp)
