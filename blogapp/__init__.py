"""Parley: a company blog where every customer comment gets a named answer."""

import logging
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter, UnicodeConverter

from blogapp.ops.settings import check_settings
from blogapp.urls import SiteURLFlask, refuse_untrusted_hosts
from config import Config, config_from_env
from config import ConfigError as ConfigError  # every bad setting raises it


def create_app(config_class: type[Config] | None = None, **overrides) -> Flask:
    """Build the app: config, extensions, blueprints, error pages, CLI."""
    config_class = config_class or config_from_env()
    instance_dir = overrides.get("INSTANCE_DIR", config_class.INSTANCE_DIR)
    app = SiteURLFlask(__name__, instance_path=str(instance_dir))
    app.config.from_object(config_class)
    app.config.update(overrides)
    check_settings(app)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    register_page_cache(app)  # before ProxyFix wraps it: it needs the client's address
    register_proxy_fix(app)
    register_extensions(app)
    register_site_settings(app)
    register_blueprints(app)
    register_error_pages(app)
    refuse_untrusted_hosts(app)
    register_template_helpers(app)
    register_cli(app)
    register_operations(app)
    register_search(app)
    register_webhooks(app)
    register_responses(app)
    register_private_support(app)
    register_imports(app)
    register_api(app)
    return app


def register_extensions(app: Flask) -> None:
    from blogapp.extensions import (
        csrf,
        db,
        limiter,
        login_manager,
        migrate,
        setup_sqlite_for_concurrent_writes,
    )
    from blogapp.models import Guest, User

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A file has no server to drop a pooled connection: pinging it before every
        # checkout (a SELECT 1 on each request) buys nothing.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            k: v for k, v in app.config["SQLALCHEMY_ENGINE_OPTIONS"].items() if k != "pool_pre_ping"
        }
    db.init_app(app)
    setup_sqlite_for_concurrent_writes(app)
    migrate.init_app(
        app, db, directory=str(Path(app.root_path).parent / "migrations"), render_as_batch=True
    )
    # Their before_request hooks never refuse an anonymous GET of a post page: the post
    # page has no rate limit (blog/views.py), and CSRFProtect checks only what is posted.
    with hooks_passed_before_stored_pages(app):
        limiter.init_app(app)
        csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"
    login_manager.anonymous_user = Guest

    @login_manager.user_loader
    def load_user(login_id: str) -> User | None:
        # "<user id>:<token>" of a sign-in that has not ended (accounts/sessions.py).
        from blogapp.accounts.sessions import user_for_login_id

        return user_for_login_id(login_id)


class DatabaseId(IntegerConverter):
    """``<int:…>`` in every route: a number no row's id can be (below 1, past
    ``query_args.MAX_ID``, PostgreSQL's 32-bit ``integer``) is a 404 from routing, not
    an error from the query the view would make with it."""

    def __init__(self, url_map, *args, **kwargs):
        from blogapp.query_args import MAX_ID

        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


class PathText(UnicodeConverter):
    """A route's text parts (``<slug>`` and the like): never a NUL, which no column
    holds and PostgreSQL refuses in a query, so such an address is a 404, not a 500."""

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", "[^/\\x00]", 1)


def register_blueprints(app: Flask) -> None:
    app.url_map.converters["int"] = DatabaseId
    app.url_map.converters["default"] = app.url_map.converters["string"] = PathText
    from blogapp.accounts.views import bp as accounts_bp
    from blogapp.admin.views import bp as admin_bp
    from blogapp.admin.welcome import bp as welcome_bp
    from blogapp.blog.views import bp as blog_bp
    from blogapp.comments import edit_views, staff_reply_views  # noqa: F401  (add to comments_bp)
    from blogapp.comments.moderation_views import bp as moderation_bp
    from blogapp.comments.views import bp as comments_bp
    from blogapp.follows import register as register_follows
    from blogapp.importing.views import bp as imports_bp
    from blogapp.mail.outbox import register as register_mail_outbox
    from blogapp.mail.views import bp as mail_bp
    from blogapp.studio.views import bp as studio_bp

    app.register_blueprint(blog_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(studio_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(welcome_bp)
    app.register_blueprint(comments_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(mail_bp)
    register_follows(app)  # before the mail outbox: a worker's round drains it first
    app.register_blueprint(imports_bp)
    register_mail_outbox(app)


def register_site_settings(app: Flask) -> None:
    """The settings an admin changes in the browser, over the environment's: the store
    every feature reads them through, and /admin/settings."""
    from blogapp.sitesettings import register

    register(app)


def register_error_pages(app: Flask) -> None:
    from blogapp.errors import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from blogapp.templating import register

    register(app)


def register_cli(app: Flask) -> None:
    from blogapp.accounts.cli import users_cli
    from blogapp.contentio.cli import content_cli, demo_cli
    from blogapp.importing.cli import import_cli
    from blogapp.importing.export_cli import export_cli
    from blogapp.inbound.cli import register as register_inbound_cli
    from blogapp.mail.cli import mail_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(content_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(mail_cli)
    register_inbound_cli(mail_cli)
    app.cli.add_command(import_cli)
    app.cli.add_command(export_cli)


def register_search(app: Flask) -> None:
    """The search page and CLI, and the outbox that keeps the index in step."""
    from blogapp.search import register

    register(app)


def register_responses(app: Flask) -> None:
    """The response tracker: queue, metrics, audit log, digest and webhooks."""
    from blogapp.responses import register

    register(app)


def register_private_support(app: Flask) -> None:
    """Private support: its pages and its inbound-mail handler."""
    from blogapp.private import register

    register(app)


def register_webhooks(app: Flask) -> None:
    """Webhook endpoints (/admin/webhooks), their events and their outbox."""
    from blogapp.webhooks import register

    register(app)
def register_api(app: Flask) -> None:
    """The JSON API at /api/v1 and the personal access tokens that open it."""
    from blogapp.api import register

    register(app)


def register_imports(app: Flask) -> None:
    """Old addresses of imported posts (WordPress permalinks, Disqus links) redirect;
    imports started from the admin page run on threads of this process."""
    from blogapp.importing.jobs import register as register_jobs
    from blogapp.importing.redirects import register

    register(app)
    register_jobs(app)


def register_page_cache(app: Flask) -> None:
    """Anonymous readers' post pages straight from the page cache (comments/stored_pages.py)."""
    from blogapp.comments.purge import register as register_purge_hook
    from blogapp.comments.stored_pages import CachedPostPages

    app.wsgi_app = app.extensions["parley_stored_pages"] = CachedPostPages(app)
    register_purge_hook()


@contextmanager
def hooks_passed_before_stored_pages(app: Flask):
    """The before_request hooks registered inside the block are ones stored pages may be
    served without (each caller says why): any other hook sends post pages to Flask."""
    before = list(app.before_request_funcs.get(None, ()))
    yield
    added = [hook for hook in app.before_request_funcs.get(None, ()) if hook not in before]
    app.extensions["parley_stored_pages"].pass_before_stored_pages(*added)


def register_proxy_fix(app: Flask) -> None:
    """Trust X-Forwarded-* from as many proxies as PROXY_COUNT says (none by default)."""
    count = app.config.get("PROXY_COUNT", 0)
    if count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def register_operations(app: Flask) -> None:
    """Health checks, security headers, request logs, the outboxes' drainer and CLI, the
    worker and backups."""
    from blogapp.ops import drainer, headers, logs
    from blogapp.ops.cli import backup_command, outbox_cli, restore_command, worker_command
    from blogapp.ops.health import bp as ops_bp

    app.register_blueprint(ops_bp)
    drainer.register(app)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(worker_command)
    headers.register(app)
    # Its hook gives each request an id: stored pages give theirs themselves.
    with hooks_passed_before_stored_pages(app):
        logs.register(app)
    if not app.debug and not app.testing:
        app.logger.setLevel(logging.INFO)
