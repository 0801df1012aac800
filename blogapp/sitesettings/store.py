"""The one way code reads a site setting: ``site_settings()[name]``.

A setting is the value an admin set on /admin/settings (a ``site_settings`` row), else
the environment's (``app.config``, read live, so a test may still set it there).

Each process keeps the rows it last read with their version. It asks the database for
the version at most once every SETTINGS_REFRESH_SECONDS (and at most once a request):
one indexed one-row statement, not one a request. Only when the version moved are the
rows read again. The process that saves a change installs it at once; every other
worker and host sees it within SETTINGS_REFRESH_SECONDS. What is drawn from settings
and kept (the post page's caches, comments/cache.py) is keyed on the version.
"""

import json
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, has_request_context, request

from blogapp.extensions import db
from blogapp.sitesettings.fields import BY_NAME, Invalid

EXTENSION = "parley_site_settings"
_CHECKED_KEY = "parley.settings_checked"

_VERSION = sa.text("SELECT version FROM site_settings_version WHERE id = 1")
_ROWS = sa.text("SELECT name, value FROM site_settings")


class SiteSettings(Mapping):
    """The settings as of one version: the rows set here over the app's config."""

    def __init__(self, config: Mapping, version: int | None, stored: Mapping[str, Any]):
        self.config, self.version, self.stored = config, version, stored

    def __getitem__(self, name: str) -> Any:
        if name in self.stored:
            return self.stored[name]
        return self.config[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.config)

    def __len__(self) -> int:
        return len(self.config)

    def is_default(self, name: str) -> bool:
        """Whether ``name`` has the environment's value (no row set here)."""
        return name not in self.stored


def decode(name: str, text: str) -> Any:
    """A stored row's value, checked again as the form checks it; Invalid if it is not
    one (a row written by hand, or by a version that allowed more)."""
    setting = BY_NAME[name]
    try:
        value = setting.loaded(json.loads(text))
    except ValueError:
        raise Invalid(f"{name}: not JSON") from None
    typed = setting.as_text(value)
    if setting.parse(typed) != value:
        raise Invalid(f"{name}: {value!r} is not a value the settings page would save")
    return value


@dataclass
class SettingsStore:
    """This process's copy of the settings rows and the version they were read at."""

    app: Flask
    # The rows and their version, swapped whole so a reader never mixes two versions;
    # version None: not read yet.
    snapshot: SiteSettings = field(init=False)
    checked_at: float = float("-inf")
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.snapshot = SiteSettings(self.app.config, None, {})

    def current(self) -> SiteSettings:
        """The settings, the version asked again when SETTINGS_REFRESH_SECONDS have passed.
        (Read for every date a page shows: a clock reading and the snapshot, no more.)"""
        interval = self.app.config["SETTINGS_REFRESH_SECONDS"]
        if time.monotonic() - self.checked_at >= interval and self._first_in_request():
            self.refresh()
        return self.snapshot

    def peek(self) -> SiteSettings:
        """The settings as last read, without asking the database (no app context needed)."""
        return self.snapshot

    @staticmethod
    def _first_in_request() -> bool:
        if not has_request_context():
            return True
        if _CHECKED_KEY in request.environ:
            return False
        request.environ[_CHECKED_KEY] = True
        return True

    def refresh(self) -> None:
        """Read the version, and the rows when it moved. On its own connection: a failure
        (no such table before `flask db upgrade`) never spoils the session's transaction;
        the settings last read stay."""
        self.checked_at = time.monotonic()
        try:
            with db.engine.connect() as conn:
                version = conn.execute(_VERSION).scalar() or 0
                if version == self.snapshot.version:
                    return
                rows = conn.execute(_ROWS).all()
        except sa.exc.SQLAlchemyError as error:
            self.app.logger.warning("site settings not read: %s", type(error).__name__)
            return
        self.install(version, rows)

    def install(self, version: int, rows) -> None:
        """Use these rows, read (or just written) at ``version``."""
        stored = {}
        for name, text in rows:
            if name not in BY_NAME:
                continue  # a setting this version of Parley no longer has
            try:
                stored[name] = decode(name, text)
            except Invalid as error:
                self.app.logger.warning("site setting %s ignored: %s", name, error)
        with self._lock:
            known = self.snapshot.version
            if known is None or version >= known:
                self.snapshot = SiteSettings(self.app.config, version, stored)


def register(app: Flask) -> None:
    app.extensions[EXTENSION] = SettingsStore(app)


def settings_store(app: Flask | None = None) -> SettingsStore:
    return (app or current_app).extensions[EXTENSION]


def site_settings() -> SiteSettings:
    """The site's settings now (see the module's docstring for how fresh)."""
    return current_app.extensions[EXTENSION].current()
