"""Configuration read from the environment.

The development default needs nothing installed: SQLite and a Whoosh index
under ``instance/``, mail written to ``instance/outbox/``.
"""

import os
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_PATH = Path(os.environ.get("PARLEY_INSTANCE_DIR", BASE_DIR / "instance"))

DEV_SECRET_KEY = "dev-only-not-secret"


class ConfigError(RuntimeError):
    """A setting Parley cannot run with. The message names the setting and what to set;
    wsgi.py (and so `flask` and gunicorn) prints it as one line and exits 1."""

    def __str__(self) -> str:
        return f"Parley refuses to start: {super().__str__()}"


@dataclass(frozen=True)
class Unreadable:
    """An environment variable that does not parse, kept as the setting's value so that
    create_app refuses to start, naming it (blogapp/ops/settings.py), instead of this
    module failing on import with a traceback."""

    name: str
    value: str
    wanted: str

    def error(self) -> ConfigError:
        return ConfigError(f"{self.name}={self.value!r} is not {self.wanted}.")


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int | Unreadable:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        return Unreadable(name, value, "a whole number")


def _float(name: str, default: float, empty: float | None = None) -> float | Unreadable:
    """The number in ``name``; ``default`` when unset, ``empty`` (or ``default``) when empty."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default if value is None or empty is None else empty
    try:
        return float(value)
    except ValueError:
        return Unreadable(name, value, "a number")


def _choice(name: str, choices: tuple[str, ...], default: str) -> str:
    value = (os.environ.get(name) or default).strip().lower()
    if value not in choices:
        raise SystemExit(f"Parley: {name}={value!r} is not one of {', '.join(choices)}.")
    return value


def _words(name: str, default: str = "") -> tuple[str, ...]:
    value = os.environ.get(name, default)
    return tuple(w.strip().lower() for w in value.split(",") if w.strip())


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_PATH / 'parley.db'}")
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the driver named.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    INSTANCE_DIR = str(INSTANCE_PATH)
    CONTENT_DIR = str(BASE_DIR / "content")

    SITE_NAME = os.environ.get("SITE_NAME", "Tallyworks Blog")
    SITE_TAGLINE = os.environ.get(
        "SITE_TAGLINE", "Product news and honest answers from the Tallyworks team"
    )
    SITE_TIMEZONE = os.environ.get("SITE_TIMEZONE", "UTC")
    POSTS_PER_PAGE = _int("POSTS_PER_PAGE", 8)

    SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND", "whoosh")
    # The Whoosh index folder; empty means <instance folder>/search-index.
    SEARCH_INDEX_DIR = os.environ.get("SEARCH_INDEX_DIR", "")
    # Apply the search outbox right after each commit; off when `flask worker` does it.
    SEARCH_DRAIN_AFTER_COMMIT = _bool("SEARCH_DRAIN_AFTER_COMMIT", True)
    SEARCH_RESULTS_PER_PAGE = _int("SEARCH_RESULTS_PER_PAGE", 20)
    # Processes `flask search rebuild` indexes with (Whoosh's multi-process writer when > 1).
    SEARCH_REBUILD_PROCS = _int("SEARCH_REBUILD_PROCS", min(4, os.cpu_count() or 1))

    SLA_HOURS = _int("SLA_HOURS", 24)
    # Business hours for the SLA clock; with BUSINESS_DAYS empty every hour counts.
    BUSINESS_DAYS = os.environ.get("BUSINESS_DAYS", "")  # e.g. "mon,tue,wed,thu,fri"
    BUSINESS_HOURS = os.environ.get("BUSINESS_HOURS", "09:00-17:00")
    BUSINESS_TIMEZONE = os.environ.get("BUSINESS_TIMEZONE", "")  # empty: SITE_TIMEZONE
    # Dates the business-hours clock does not run, e.g. "2026-12-25,2026-12-26".
    BUSINESS_HOLIDAYS = os.environ.get("BUSINESS_HOLIDAYS", "")
    # `flask worker` mails each employee their digest at this time in SITE_TIMEZONE; empty: never.
    DIGEST_TIME = os.environ.get("DIGEST_TIME", "08:00")
    # `flask worker` warns an item's assignee this many hours before it falls due; 0: never.
    DUE_SOON_HOURS = _float("DUE_SOON_HOURS", 2.0, empty=0.0)
    # Response events (owed, overdue, acknowledged) POSTed as signed JSON; empty: none.
    RESPONSE_WEBHOOK_URL = os.environ.get("RESPONSE_WEBHOOK_URL", "")
    RESPONSE_WEBHOOK_SECRET = os.environ.get("RESPONSE_WEBHOOK_SECRET", "")
    WEBHOOK_TIMEOUT = _int("WEBHOOK_TIMEOUT", 5)
    WEBHOOK_MAX_ATTEMPTS = _int("WEBHOOK_MAX_ATTEMPTS", 8)
    # Webhook endpoints (/admin/webhooks): an endpoint whose deliveries all fail for this
    # long is paused and the admins mailed (0: never); deliveries are logged this long.
    WEBHOOK_PAUSE_AFTER_HOURS = _int("WEBHOOK_PAUSE_AFTER_HOURS", 24)
    WEBHOOK_LOG_DAYS = _int("WEBHOOK_LOG_DAYS", 30)
    # How stale a process's list of which endpoint wants which event may be: a new
    # endpoint starts getting events within this long in every process.
    WEBHOOK_ENDPOINTS_REFRESH_SECONDS = _int("WEBHOOK_ENDPOINTS_REFRESH_SECONDS", 5)
    # Off: webhooks go only to public internet addresses, never to this server's network
    # (127.0.0.1, 10.x, 169.254.169.254 ...): blogapp/webhooks/addresses.py.
    WEBHOOK_ALLOW_PRIVATE_ADDRESSES = _bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False)
    RESPONSES_PER_PAGE = _int("RESPONSES_PER_PAGE", 25)
    # The owed comments and the metrics' settled figures kept per process under the
    # tracker's change stamp (blogapp/responses/tracker_cache.py); off: worked out each time.
    RESPONSES_CACHE = _bool("RESPONSES_CACHE", True)
    # Post pages: anonymous readers' pages stored and served before Flask, and the drawn
    # thread, post, form and figures kept per process (blogapp/comments/cache.py); off:
    # every page drawn from scratch.
    PAGE_CACHE = _bool("PAGE_CACHE", True)
    # How long a shared cache (CDN, Varnish) may keep an anonymous reader's post page.
    PAGE_SHARED_MAX_AGE = _int("PAGE_SHARED_MAX_AGE", 30)

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "blog@tallyworks.example")
    MAIL_OUTBOX_DIR = os.environ.get("MAIL_OUTBOX_DIR", str(INSTANCE_PATH / "outbox"))
    # Replies to Parley's mails come back to reply+<token>@ this domain (blogapp/inbound);
    # empty: mails carry no Reply-To and nobody can answer by mail.
    INBOUND_MAIL_DOMAIN = os.environ.get("INBOUND_MAIL_DOMAIN", "").strip()
    # A reply address older than this is refused (its sender is told to use the site).
    INBOUND_TOKEN_MAX_AGE_DAYS = _int("INBOUND_TOKEN_MAX_AGE_DAYS", 30)
    # "Did this answer your question?" (responses/helped.py): how long a mailed Yes/No link
    # works, and whether the post page shows the share of readers it helped, from how many.
    HELPED_LINK_MAX_AGE_DAYS = _int("HELPED_LINK_MAX_AGE_DAYS", 60)
    HELPED_FIGURE_SHOWN = _bool("HELPED_FIGURE_SHOWN", False)
    HELPED_FIGURE_MINIMUM = _int("HELPED_FIGURE_MINIMUM", 20)
    # An inbound message over this size, or with more MIME parts, is refused unread.
    INBOUND_MAX_BYTES = _int("INBOUND_MAX_BYTES", 10 * 1024 * 1024)
    INBOUND_MAX_PARTS = _int("INBOUND_MAX_PARTS", 100)

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 10)
    # A message that fails this many times is marked failed; `flask mail send --retry-failed`.
    MAIL_MAX_ATTEMPTS = _int("MAIL_MAX_ATTEMPTS", 8)
    # Off when a separate `flask worker` drains the outbox instead of the request.
    MAIL_SEND_AFTER_COMMIT = _bool("MAIL_SEND_AFTER_COMMIT", True)
    # Outbox rows drained after commit (mail and search above) are drained on a
    # per-process background thread, so the response does not wait for an SMTP
    # conversation or a search-index commit; off: by the committing thread, before it
    # returns (blogapp/ops/drainer.py).
    OUTBOX_DRAIN_IN_BACKGROUND = _bool("OUTBOX_DRAIN_IN_BACKGROUND", True)
    # How long the background drainer lets commits gather once woken: the writes of a
    # busy moment then cost one search-index commit and one turn at the database's write
    # lock, instead of taking the interpreter and the lock from the requests that follow.
    # A comment is findable after about this long (plus the index commit).
    OUTBOX_GATHER_SECONDS = _float("OUTBOX_GATHER_SECONDS", 0.5)
    # A search outbox row whose change fails to apply this many times is kept as failed.
    SEARCH_MAX_ATTEMPTS = _int("SEARCH_MAX_ATTEMPTS", 8)

    # Site settings saved on /admin/settings replace these values (blogapp/sitesettings/):
    # each process asks the database whether they changed at most this often.
    SETTINGS_REFRESH_SECONDS = _float("SETTINGS_REFRESH_SECONDS", 2.0)

    # Comments: site settings.
    COMMENTS_ALLOW_GUESTS = _bool("COMMENTS_ALLOW_GUESTS", True)
    COMMENTS_HOLD_FIRST_GUESTS = _bool("COMMENTS_HOLD_FIRST_GUESTS", True)
    COMMENTS_CLOSE_AFTER_DAYS = _int("COMMENTS_CLOSE_AFTER_DAYS", 0)  # 0: never
    COMMENT_EDIT_MINUTES = _int("COMMENT_EDIT_MINUTES", 15)
    COMMENT_MIN_LENGTH = _int("COMMENT_MIN_LENGTH", 2)
    COMMENT_MAX_LENGTH = _int("COMMENT_MAX_LENGTH", 5000)
    COMMENT_MAX_LINKS = _int("COMMENT_MAX_LINKS", 3)
    COMMENT_BLOCKED_WORDS = _words("COMMENT_BLOCKED_WORDS", "viagra,cialis,casino bonus")
    COMMENT_MIN_FILL_SECONDS = _int("COMMENT_MIN_FILL_SECONDS", 3)
    COMMENT_RATE_LIMIT_IP = os.environ.get("COMMENT_RATE_LIMIT_IP", "5 per minute;50 per day")
    COMMENT_RATE_LIMIT_ACCOUNT = os.environ.get(
        "COMMENT_RATE_LIMIT_ACCOUNT", "10 per minute;200 per day"
    )
    # Top-level threads per page of a post; permalinks find their page.
    COMMENT_THREADS_PER_PAGE = _int("COMMENT_THREADS_PER_PAGE", 100)

    # How many reverse proxies in front set X-Forwarded-*; 0 trusts none.
    PROXY_COUNT = _int("PROXY_COUNT", 0)
    # "json" for one JSON object a log line (production default), "text" otherwise.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    READY_MAX_OUTBOX_BACKLOG = _int("READY_MAX_OUTBOX_BACKLOG", 1000)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Every POST goes through a FlaskForm, which checks the token itself and
    # reports a missing one on the form, keeping what the person typed.
    WTF_CSRF_CHECK_DEFAULT = False
    WTF_CSRF_TIME_LIMIT = None
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    # Images uploaded in the studio (stored under instance/uploads/).
    UPLOAD_MAX_BYTES = _int("UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
    UPLOAD_MAX_PIXELS = _int("UPLOAD_MAX_PIXELS", 40_000_000)
    PASSWORD_HASH_METHOD = "scrypt"
    # Exports uploaded on /admin/import (kept under instance/imports/ until imported).
    IMPORT_MAX_BYTES = _int("IMPORT_MAX_BYTES", 256 * 1024 * 1024)
    # Run an import from the admin page on a thread of the web process; off: the request
    # that starts it waits for it (the test suite).
    IMPORT_IN_BACKGROUND = _bool("IMPORT_IN_BACKGROUND", True)
    # Plain-text comments of an import take a short cut past the Markdown renderer
    # (blogapp/importing/fast_paths.py): the same HTML; off: every comment the long way.
    IMPORT_FAST_PATHS = _bool("IMPORT_FAST_PATHS", True)

    # Where the site lives. Every absolute link (mail, feeds, sitemap, robots.txt,
    # the router's own redirects) is built on SITE_URL, never on the request's Host
    # or X-Forwarded-Host: an origin like https://blog.example.com, no path. Required
    # in production; unset elsewhere, links use the request's host as before.
    SITE_URL = os.environ.get("SITE_URL", "").strip()
    # Host names the site answers to, comma-separated (".example.com" takes its
    # subdomains); any other Host gets 400. Empty: every host.
    TRUSTED_HOSTS = list(_words("TRUSTED_HOSTS")) or None
    # Accounts: login throttling and registration (counters in RATELIMIT_STORAGE_URI).
    # Failed logins a typed email may have, whether or not it has an account: five
    # covers typos and a forgotten caps lock, and caps a guesser at 480 tries a day.
    LOGIN_RATE_LIMIT_ACCOUNT = os.environ.get("LOGIN_RATE_LIMIT_ACCOUNT", "5 per 15 minutes")
    # Failed logins from one client address, any emails: enough for an office behind
    # one address, too few to spray a common password over many accounts.
    LOGIN_RATE_LIMIT_IP = os.environ.get("LOGIN_RATE_LIMIT_IP", "30 per 15 minutes")
    # Registrations from one address (each costs a password hash and sends a mail).
    REGISTER_RATE_LIMIT_IP = os.environ.get("REGISTER_RATE_LIMIT_IP", "10 per hour")
    # "Someone tried to register with your address" mails to one address.
    REGISTER_TAKEN_NOTICE_LIMIT = "1 per hour"
    # "Forgot your password?" forms from one client address (each may send a mail).
    FORGOT_RATE_LIMIT_IP = os.environ.get("FORGOT_RATE_LIMIT_IP", "10 per hour")
    # Reset-link mails to one address, whoever asks for them.
    PASSWORD_RESET_MAIL_LIMIT = os.environ.get("PASSWORD_RESET_MAIL_LIMIT", "3 per hour")
    # Verification mails one account may ask for again.
    VERIFY_MAIL_LIMIT = os.environ.get("VERIFY_MAIL_LIMIT", "3 per hour")
    # "Remove my guest comments" forms from one client address, and mails to one address.
    GUEST_REMOVAL_RATE_LIMIT_IP = os.environ.get("GUEST_REMOVAL_RATE_LIMIT_IP", "10 per hour")
    GUEST_REMOVAL_MAIL_LIMIT = os.environ.get("GUEST_REMOVAL_MAIL_LIMIT", "3 per hour")
    # A reader who has not followed the link in their verification mail: their
    # comments "publish" at once, or "hold" for a moderator like a first-time guest's.
    UNVERIFIED_COMMENTS = _choice("UNVERIFIED_COMMENTS", ("publish", "hold"), "publish")
    # Rendering typed Markdown: a budget a text, processes per app process, post length.
    RENDER_TIMEOUT_SECONDS = _float("RENDER_TIMEOUT_SECONDS", 2.0)
    RENDER_WORKERS = _int("RENDER_WORKERS", 2)
    POST_MAX_LENGTH = _int("POST_MAX_LENGTH", 100_000)
    # The JSON API (/api/v1, blogapp/api): requests a token (or, without one, an address)
    # may make; the largest body it reads; origins (comma-separated, "https://docs.example")
    # whose pages may read the public endpoints (CORS). Empty: none.
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "300 per minute")
    API_MAX_BODY_BYTES = _int("API_MAX_BODY_BYTES", 1024 * 1024)
    API_CORS_ORIGINS = tuple(_words("API_CORS_ORIGINS"))


class DevelopmentConfig(Config):
    """Local development: SQLite under instance/, debug tooling on."""

    ENV_NAME = "development"
    # Links in mail written by CLI commands (no request to take a host from) point at the
    # address `make run` serves.
    SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:5000").strip()


class TestingConfig(Config):
    """The test suite; conftest.py points the database at a fresh one."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SERVER_NAME = "parley.test"
    # The tests' webhook receivers listen on 127.0.0.1.
    WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    # One process: a change to an endpoint is seen at once (events.forget_subscriptions);
    # a long refresh keeps a test's count of statements free of the list's reads.
    WEBHOOK_ENDPOINTS_REFRESH_SECONDS = 300
    # A cheap hash keeps the suite fast; production keeps werkzeug's scrypt.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    # Tests post at machine speed; the tests of these checks set them back.
    COMMENT_MIN_FILL_SECONDS = 0
    COMMENT_RATE_LIMIT_IP = "1000 per minute"
    COMMENT_RATE_LIMIT_ACCOUNT = "1000 per minute"
    # A test's own app installs what it saves at once; one that needs another app's save
    # seen sets 0. Long here so that no re-read lands inside a request a test counts.
    SETTINGS_REFRESH_SECONDS = 3600.0
    # The worker's clock work is tested on its own (tests/test_responses_schedule.py).
    DIGEST_TIME = ""
    DUE_SOON_HOURS = 0
    # Drained before the commit returns, so a test sees its mail and search at once;
    # the background drainer's own tests turn it on (tests/test_drainer.py).
    OUTBOX_DRAIN_IN_BACKGROUND = False
    IMPORT_IN_BACKGROUND = False
    LOGIN_RATE_LIMIT_ACCOUNT = "1000 per minute"
    LOGIN_RATE_LIMIT_IP = "1000 per minute"
    REGISTER_RATE_LIMIT_IP = "1000 per minute"
    FORGOT_RATE_LIMIT_IP = "1000 per minute"
    GUEST_REMOVAL_RATE_LIMIT_IP = "1000 per minute"


class ProductionConfig(Config):
    """Production: a real SECRET_KEY is required, cookies only over HTTPS."""

    ENV_NAME = "production"
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    """The config class named by PARLEY_ENV (development by default)."""
    name = os.environ.get("PARLEY_ENV", "development").strip().lower()
    try:
        return CONFIGS[name]
    except KeyError:
        raise ConfigError(f"PARLEY_ENV={name!r} is not one of {', '.join(CONFIGS)}.") from None
