"""Caches of rendered conversation HTML, per process, keyed on what the HTML depends on.

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


def cache(name: str) -> RenderCache:
    """The app's cache called ``name`` (threads, pages)."""
    caches = current_app.extensions.setdefault("parley_render_caches", {})
    if name not in caches:
        caches[name] = RenderCache()
    return caches[name]
