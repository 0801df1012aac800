"""Absolute links come from SITE_URL, never from the request's Host.

``url_for(..., _external=True)`` (mail, feeds, sitemap, robots.txt) and the
redirects the router makes itself (a missing trailing slash) are built on one
URL adapter. With ``SITE_URL`` set, ``SiteURLFlask`` gives that adapter the
site's scheme and host, in a request and outside one (a CLI command, the
worker), so a forged ``Host`` or ``X-Forwarded-Host`` never reaches a link.
Routing still matches on the request's path alone. Without ``SITE_URL``
(development, tests) Flask behaves as it always has.

``SITE_URL`` is an origin: ``https://blog.example.com`` or
``http://localhost:5000``, with no path. Where the app is mounted under a
prefix, the proxy says so with ``SCRIPT_NAME`` (or ``X-Forwarded-Prefix``) as
before, and links keep that prefix.
"""

from urllib.parse import urlsplit

from flask import Flask, Request
from werkzeug.exceptions import SecurityError
from werkzeug.routing import MapAdapter

from config import ConfigError


class SiteURLError(ValueError):
    """SITE_URL is not a plain http(s) origin."""


def site_origin(site_url: str) -> tuple[str, str]:
    """(scheme, host[:port]) of ``site_url``; SiteURLError unless it is a plain origin."""
    parts = urlsplit(site_url.strip())
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or parts.username is not None
        or parts.password is not None
    ):
        raise SiteURLError(
            f"SITE_URL={site_url!r} must be the site's address with no path, "
            "like https://blog.example.com"
        )
    return parts.scheme, parts.netloc.lower()


class SiteURLFlask(Flask):
    """Flask, with every absolute URL built on SITE_URL when it is set."""

    def _site_url(self) -> str:
        """SITE_URL as this process last read the site settings (no query here: a URL
        adapter is made before the request's app context exists), else the config's."""
        store = self.extensions.get("parley_site_settings")
        return store.peek().get("SITE_URL") if store is not None else self.config.get("SITE_URL")

    def create_url_adapter(self, request: Request | None) -> MapAdapter | None:
        site_url = self._site_url()
        if not site_url:
            return super().create_url_adapter(request)
        scheme, host = site_origin(site_url)
        if request is None:
            return self.url_map.bind(
                host, script_name=self.config["APPLICATION_ROOT"], url_scheme=scheme
            )
        # Flask checks TRUSTED_HOSTS and binds the request's path here; only the
        # host and scheme that absolute URLs are written with change.
        adapter = super().create_url_adapter(request)
        adapter.server_name, adapter.url_scheme = host, scheme
        return adapter


def check_site_url(app: Flask) -> None:
    """SITE_URL must be a plain origin when set, and is required in production."""
    site_url = app.config.get("SITE_URL")
    if not site_url:
        if app.config.get("ENV_NAME") == "production":
            raise ConfigError(
                "set SITE_URL to the address readers use "
                "(like https://blog.example.com); links in mail and feeds are built on it."
            )
        return
    try:
        site_origin(site_url)
    except SiteURLError as error:
        raise ConfigError(f"{error}.") from None


def refuse_untrusted_hosts(app: Flask) -> None:
    """A Host outside TRUSTED_HOSTS gets a plain 400: no page in the site's look, whose
    links would need a URL adapter that request never got."""

    @app.errorhandler(SecurityError)
    def untrusted_host(error: SecurityError):
        return "This site does not answer to that host name.\n", 400, {"Content-Type": "text/plain"}
