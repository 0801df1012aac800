"""Anonymous readers' post pages served before Flask builds a request."""

import time
from collections.abc import Iterable
from urllib.parse import parse_qsl

from flask import Flask
from flask_login.config import COOKIE_NAME as REMEMBER_COOKIE_NAME
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import SecurityError
from werkzeug.http import parse_cookie
from werkzeug.wsgi import get_host

from blogapp.comments.guests import COOKIE as GUEST_COOKIE
from blogapp.comments.page import PAGE_CACHE_CONTROL, stored_page
from blogapp.comments.section import THREAD_VIEW_ARGS, thread_view
from blogapp.ops.headers import security_headers
from blogapp.ops.logs import REQUEST_ID_HEADER, log_access, request_id_for

_REQUEST_ID_KEY = "HTTP_" + REQUEST_ID_HEADER.upper().replace("-", "_")


class CachedPostPages:
    """WSGI middleware: an anonymous reader's post page straight from the page cache.

    Most of a blog's readers are anonymous, and most of what they read is post pages.
    When a GET for /posts/<slug> carries nothing personal (no session, sign-in or guest
    cookie; no query but the thread's order and page) and the page is stored, it is
    served after the one stamp statement, before Flask builds a request: the way a
    page-caching plugin or a reverse proxy serves it, at a third of the cost. It gets
    what the app's own response gets (security headers, request id, access line,
    ``Vary: Cookie``, ``Cache-Control: private``). Everything else, a miss or an error
    included, goes on to the app, which draws the page and stores it. Installed inside
    ProxyFix, so it sees the client's own address (the guest's form token is signed
    for it) and the host ProxyFix settled on; a host outside TRUSTED_HOSTS goes on to
    the app, which answers 400.
    """

    PREFIX = "/posts/"

    def __init__(self, app: Flask):
        self.app, self.next = app, app.wsgi_app
        self.cookies = {
            app.config["SESSION_COOKIE_NAME"],
            app.config.get("REMEMBER_COOKIE_NAME", REMEMBER_COOKIE_NAME),
            GUEST_COOKIE,
        }
        self.headers = [("Vary", "Cookie"), *security_headers(app)]

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] == "GET" and environ.get("PATH_INFO", "").startswith(
            self.PREFIX
        ):
            started = time.perf_counter()
            try:
                path = _wsgi_text(environ["PATH_INFO"])
                page = self._stored(environ, path[len(self.PREFIX) :])
            except Exception:  # noqa: BLE001 - the app answers it, with its error page and log
                page = None
            if page is not None:
                return self._serve(page, path, environ, start_response, started)
        return self.next(environ, start_response)

    def _stored(self, environ: dict, slug: str) -> bytes | None:
        # What the app's routes would not take (a further segment, a NUL) is theirs to 404,
        # and a Host outside TRUSTED_HOSTS theirs to refuse with a 400.
        if not slug or "/" in slug or "\x00" in slug or self._personal(environ):
            return None
        if not self._trusted_host(environ):
            return None
        args = MultiDict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
        if args.keys() - THREAD_VIEW_ARGS:
            return None
        with self.app.app_context():
            return stored_page(slug, thread_view(args), environ.get("REMOTE_ADDR"))

    def _trusted_host(self, environ: dict) -> bool:
        trusted = self.app.config["TRUSTED_HOSTS"]
        if trusted is None:
            return True
        try:
            get_host(environ, trusted)
        except SecurityError:
            return False
        return True

    def _personal(self, environ: dict) -> bool:
        header = environ.get("HTTP_COOKIE")
        return bool(header) and not self.cookies.isdisjoint(parse_cookie(header))

    def _serve(self, page: bytes, path: str, environ: dict, start_response, started: float):
        request_id = request_id_for(environ.get(_REQUEST_ID_KEY))
        start_response(
            "200 OK",
            [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Length", str(len(page))),
                ("Cache-Control", PAGE_CACHE_CONTROL),
                *self.headers,
                (REQUEST_ID_HEADER, request_id),
            ],
        )
        log_access(request_id, "GET", path, 200, started, environ.get("REMOTE_ADDR"))
        return [page]


def _wsgi_text(value: str) -> str:
    """A WSGI path (bytes held as Latin-1) as the text werkzeug would route."""
    return value.encode("latin-1").decode("utf-8", "replace")
