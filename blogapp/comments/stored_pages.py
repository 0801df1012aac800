"""Anonymous readers' post pages served before Flask builds a request."""

import time
from collections.abc import Callable, Iterable
from urllib.parse import parse_qsl

from flask import Flask
from flask_login.config import COOKIE_NAME as REMEMBER_COOKIE_NAME
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.http import parse_cookie, quote_etag
from werkzeug.routing import RequestRedirect

from blogapp.comments.guests import COOKIE as GUEST_COOKIE
from blogapp.comments.page import etag_matches, public_cache_control, stored_page
from blogapp.comments.section import THREAD_VIEW_ARGS, thread_view
from blogapp.ops.headers import security_headers
from blogapp.ops.logs import REQUEST_ID_HEADER, log_access, request_id_for

_REQUEST_ID_KEY = "HTTP_" + REQUEST_ID_HEADER.upper().replace("-", "_")
ENDPOINT = "blog.post"


class CachedPostPages:
    """WSGI middleware: an anonymous reader's post page straight from the page cache.

    Most of a blog's readers are anonymous, and most of what they read is post pages.
    When a GET carries nothing personal (no session, sign-in or guest cookie; no query
    but the thread's order and page) and the page is stored, it is served after the one
    stamp statement, before Flask builds a request: the way a page-caching plugin or a
    reverse proxy serves it, at a third of the cost. It gets what the app's own
    response gets (security headers, request id, access line, ``Vary: Cookie``, the
    public Cache-Control and ETag, a 304 for a matching If-None-Match).

    What Flask would check first, it checks the same way: the address is matched by the
    app's own route table (so converters refuse what the routes refuse, a NUL
    included) through the app's URL adapter (which refuses a Host outside
    TRUSTED_HOSTS); and it serves only while every ``before_request`` hook that applies
    to the post page is one known not to refuse it (``pass_before_stored_pages``). Any
    other hook, a maintenance mode or a ban say, sends every request on to Flask,
    which runs it. So does PAGE_CACHE=0, a miss, or any error: the app answers those,
    with its own pages and log. Installed inside ProxyFix, so it sees the host and
    client address ProxyFix settled on.
    """

    def __init__(self, app: Flask):
        self.app, self.next = app, app.wsgi_app
        self.cookies = {
            app.config["SESSION_COOKIE_NAME"],
            app.config.get("REMEMBER_COOKIE_NAME", REMEMBER_COOKIE_NAME),
            GUEST_COOKIE,
        }
        self.headers = [("Vary", "Cookie"), *security_headers(app)]
        self.passed: list[Callable] = []
        self.prefixes: tuple[str, ...] | None = None

    def pass_before_stored_pages(self, *hooks: Callable) -> None:
        """Mark ``hooks`` (before_request functions) as never refusing an anonymous GET
        of a post page, so stored pages may be served without running them."""
        self.passed.extend(hooks)

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        if environ["REQUEST_METHOD"] == "GET" and self.app.config["PAGE_CACHE"]:
            started = time.perf_counter()
            try:
                found = self._stored(environ)
            except Exception:  # noqa: BLE001 - the app answers it, with its error page and log
                found = None
            if found is not None:
                return self._serve(*found, environ, start_response, started)
        return self.next(environ, start_response)

    def _stored(self, environ: dict) -> tuple[str, bytes | None] | None:
        if self._personal(environ):
            return None
        slug = self._post_slug(environ)
        if slug is None or not self._hooks_passed():
            return None
        args = MultiDict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
        if args.keys() - THREAD_VIEW_ARGS:
            return None
        with self.app.app_context():
            found = stored_page(slug, thread_view(args))
        if found is None or (found[1] is None and not self._not_modified(environ, found[0])):
            return None
        return found

    def _post_slug(self, environ: dict) -> str | None:
        """The slug when the app's routes take this address for the post page."""
        if self.prefixes is None:  # the rules' fixed beginnings, once the routes are in
            rules = self.app.url_map.iter_rules(ENDPOINT)
            self.prefixes = tuple(rule.rule.partition("<")[0] for rule in rules)
        if not environ.get("PATH_INFO", "").startswith(self.prefixes):
            return None  # another page: not worth matching here as well as in Flask
        try:
            # Flask's own adapter for the request: TRUSTED_HOSTS is checked as it is made.
            adapter = self.app.create_url_adapter(self.app.request_class(environ))
            rule, args = adapter.match(return_rule=True)
        except (HTTPException, RequestRedirect, SecurityError):
            return None  # a 404, a redirect, a refused host: the app's to answer
        return args["slug"] if rule.endpoint == ENDPOINT else None

    def _hooks_passed(self) -> bool:
        funcs = self.app.before_request_funcs
        hooks = [*funcs.get(None, ()), *funcs.get(ENDPOINT.partition(".")[0], ())]
        processors = self.app.url_value_preprocessors
        return all(hook in self.passed for hook in hooks) and not (
            processors.get(None) or processors.get(ENDPOINT.partition(".")[0])
        )

    def _personal(self, environ: dict) -> bool:
        header = environ.get("HTTP_COOKIE")
        return bool(header) and not self.cookies.isdisjoint(parse_cookie(header))

    @staticmethod
    def _not_modified(environ: dict, etag: str) -> bool:
        return etag_matches(environ.get("HTTP_IF_NONE_MATCH"), etag)

    def _serve(self, etag, page, environ, start_response, started: float):
        request_id = request_id_for(environ.get(_REQUEST_ID_KEY))
        status, body = (304, b"") if self._not_modified(environ, etag) else (200, page)
        headers = [
            ("Cache-Control", public_cache_control(self.app.config)),
            ("ETag", quote_etag(etag, weak=True)),
        ]
        if status == 200:
            headers[:0] = [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Length", str(len(body))),
            ]
        start_response(
            "200 OK" if status == 200 else "304 NOT MODIFIED",
            [*headers, *self.headers, (REQUEST_ID_HEADER, request_id)],
        )
        path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "replace")
        log_access(request_id, "GET", path, status, started, environ.get("REMOTE_ADDR"))
        return [body]
