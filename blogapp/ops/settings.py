"""The settings, checked before the app is built: a bad one is a ``ConfigError`` (config.py)
that names it, which wsgi.py prints in one line.

Checked here: numbers the environment gave (config.py keeps one that does not parse),
the production secret key, SITE_URL, TRUSTED_HOSTS, the time zones, the renderer's
budget, the drainer's gather time, PROXY_COUNT and LOG_FORMAT. A feature checks its
own settings when it is registered, with the same error: SEARCH_BACKEND
(search/backend.py), the SLA clock and DIGEST_TIME (responses/sla.py).
"""

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask
from werkzeug.sansio.utils import host_is_trusted

from blogapp.ops.secret_key import secret_key_entropy_bits
from blogapp.urls import check_site_url, site_origin
from config import DEV_SECRET_KEY, ConfigError, Unreadable

SECRET_KEY_MIN_BITS = 256
# A host name, or ".example.com" for it and its subdomains; a port is ignored by Flask.
_TRUSTED_HOST = re.compile(r"\.?[\w-]+(\.[\w-]+)*(:\d+)?")
LOG_FORMATS = ("text", "json")

# Past this, a new comment would not be findable "within about a second" (issue 14).
MAX_GATHER_SECONDS = 1.0


def check_settings(app: Flask) -> None:
    """Refuse to build an app whose settings cannot work, naming the first bad one."""
    config = app.config
    for value in config.values():
        if isinstance(value, Unreadable):
            raise value.error()
    check_secret_key(app)
    check_site_url(app)
    check_trusted_hosts(app)
    for name in ("SITE_TIMEZONE", "BUSINESS_TIMEZONE"):
        check_time_zone(name, config.get(name))
    if config.get("RENDER_WORKERS", 1) < 1:
        raise ConfigError(f"RENDER_WORKERS={config['RENDER_WORKERS']} must be 1 or more.")
    if config.get("RENDER_TIMEOUT_SECONDS", 1) <= 0:
        raise ConfigError(
            f"RENDER_TIMEOUT_SECONDS={config['RENDER_TIMEOUT_SECONDS']} must be above 0."
        )
    if not 0 <= config.get("OUTBOX_GATHER_SECONDS", 0) <= MAX_GATHER_SECONDS:
        raise ConfigError(
            f"OUTBOX_GATHER_SECONDS={config['OUTBOX_GATHER_SECONDS']} must be between 0 and "
            f"{MAX_GATHER_SECONDS} (a new comment is findable after about that long)."
        )
    if config.get("SETTINGS_REFRESH_SECONDS", 0) < 0:
        raise ConfigError(
            f"SETTINGS_REFRESH_SECONDS={config['SETTINGS_REFRESH_SECONDS']} must be 0 or more."
        )
    if config.get("PROXY_COUNT", 0) < 0:
        raise ConfigError(f"PROXY_COUNT={config['PROXY_COUNT']} must be 0 or more.")
    if config.get("LOG_FORMAT", "text") not in LOG_FORMATS:
        raise ConfigError(
            f"LOG_FORMAT={config['LOG_FORMAT']!r}: choose one of {', '.join(LOG_FORMATS)}."
        )


def check_secret_key(app: Flask) -> None:
    """Production needs a real secret key: at least 32 random bytes' worth."""
    if app.config.get("ENV_NAME") != "production":
        return
    secret = app.config["SECRET_KEY"]
    if secret in ("", None, DEV_SECRET_KEY):
        raise ConfigError(
            "set SECRET_KEY to a long random value "
            "(python -c 'import secrets; print(secrets.token_hex(32))')."
        )
    bits = secret_key_entropy_bits(secret)
    if bits < SECRET_KEY_MIN_BITS:
        raise ConfigError(
            f"SECRET_KEY holds about {bits} bits of randomness, "
            f"{SECRET_KEY_MIN_BITS} needed (32 random bytes); set it to a long random value "
            "(python -c 'import secrets; print(secrets.token_hex(32))')."
        )


def check_trusted_hosts(app: Flask) -> None:
    """Each entry is a host name (no scheme, no path), and SITE_URL's host is among them:
    otherwise every request, or every link the site writes, would be refused."""
    hosts = app.config.get("TRUSTED_HOSTS")
    if not hosts:
        return
    for host in hosts:
        if not _TRUSTED_HOST.fullmatch(host):
            raise ConfigError(
                f"TRUSTED_HOSTS: {host!r} is not a host name (like blog.example.com, "
                "or .example.com for its subdomains)."
            )
    site_url = app.config.get("SITE_URL")
    if site_url and not host_is_trusted(site_origin(site_url)[1], hosts):
        raise ConfigError(f"TRUSTED_HOSTS does not name the host of SITE_URL={site_url!r}.")


def check_time_zone(name: str, zone: str | None) -> None:
    if not zone:
        return
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{name}={zone!r} is not a time zone (an IANA name like Europe/Berlin, or UTC)."
        ) from None
