"""Caches of rendered conversation HTML, per process, keyed on what the HTML depends on.

PAGE_CACHE=0 turns them all off (and with them the stored pages, comments/stored_pages.py):
every page is drawn from scratch, which is the reference the cached path must match.

Keys carry the thread's change stamp (any new, edited, removed or approved
comment changes it; so must anything else that changes how a comment is drawn,
by updating the comment row, which bumps ``changed_at``). Entries also expire
after ``TTL`` seconds, so relative times ("5 minutes ago") and author profiles
are never stale for long.
"""

import threading
import time
from collections import OrderedDict

from flask import current_app

from blogapp.sitesettings.store import site_settings

TTL = 60.0
SIZE = 512


class RenderCache:
    """A small LRU with expiry, safe across a worker's threads."""

    def __init__(self, size: int = SIZE, ttl: float = TTL):
        self.size, self.ttl = size, ttl
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            entry = self._items.get(key)
            if entry is None:
                return None
            stored_at, value = entry
            if time.monotonic() - stored_at > self.ttl:
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = (time.monotonic(), value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


class NoCache:
    """What cache() gives with PAGE_CACHE off: it keeps nothing."""

    def get(self, key):
        return None

    def put(self, key, value) -> None:
        """Keep nothing: with PAGE_CACHE off every page is drawn from scratch."""


# The post page's caches, which PAGE_CACHE turns off (the tracker's own use RESPONSES_CACHE).
PAGE_CACHES = frozenset(
    {"pages", "threads", "posts", "forms", "response_figures", "comments", "api_threads"}
)
# Each drawn comment (comments/present.drawn) of every page of threads in use.
SIZES = {"comments": 8192}


def cache(name: str) -> RenderCache | NoCache:
    """The app's cache called ``name`` (one of PAGE_CACHES, or the tracker's), emptied
    when the site settings' version moves: what they draw (site name, tagline, time zone,
    comment rules, the SLA) is in every entry."""
    if name in PAGE_CACHES and not current_app.config["PAGE_CACHE"]:
        return NoCache()
    version = site_settings().version
    kept = current_app.extensions.get("parley_render_caches")
    if kept is None or kept[0] != version:
        kept = current_app.extensions["parley_render_caches"] = (version, {})
    caches = kept[1]
    if name not in caches:
        caches[name] = RenderCache(SIZES.get(name, SIZE))
    return caches[name]
