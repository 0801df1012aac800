"""Changing the site settings: checked as a whole, saved against the version the admin's
page was drawn at, every change an audit event with the old and the new value."""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from werkzeug.sansio.utils import host_is_trusted

from blogapp.extensions import db
from blogapp.models import SiteSetting, SiteSettingsVersion, User
from blogapp.models.base import utcnow
from blogapp.responses.audit import Action, record
from blogapp.sitesettings.fields import BY_NAME, SETTINGS, Invalid
from blogapp.sitesettings.store import settings_store
from blogapp.urls import site_origin


class SettingsInvalid(ValueError):
    """Some of what was typed cannot be saved: the message for each setting to blame."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class SettingsChanged(RuntimeError):
    """Someone saved the settings after this admin's page was drawn: nothing was saved."""


@dataclass(frozen=True)
class Change:
    name: str
    old: Any
    new: Any
    old_was_default: bool
    new_is_default: bool


def parse_all(typed: Mapping[str, Any]) -> dict[str, Any]:
    """Every setting's value from what the form sent; SettingsInvalid names each mistake."""
    values, errors = {}, {}
    for setting in SETTINGS:
        try:
            values[setting.name] = setting.parse(typed.get(setting.name, ""))
        except Invalid as error:
            errors[setting.name] = str(error)
    if "SITE_URL" in values:
        problem = site_url_problem(values["SITE_URL"])
        if problem:
            errors["SITE_URL"] = problem
    if errors:
        raise SettingsInvalid(errors)
    return values


def site_url_problem(site_url: str) -> str | None:
    """Why this canonical address cannot be used here, or None."""
    config = current_app.config
    if not site_url:
        if config.get("ENV_NAME") == "production":
            return "Canonical address: required in production (links in mail are built on it)."
        return None
    hosts = config.get("TRUSTED_HOSTS")
    if hosts and not host_is_trusted(site_origin(site_url)[1], hosts):
        return (
            "Canonical address: its host is not among TRUSTED_HOSTS, so the site would refuse "
            "its own links; change TRUSTED_HOSTS in the environment first."
        )
    return None


def shown(value: Any) -> str:
    """A value as the audit log and the page's "default" note write it."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, tuple | list):
        return ", ".join(value) or "(none)"
    return str(value) if value not in ("", None) else "(empty)"


def save_settings(values: Mapping[str, Any], version: int, by: User | None) -> list[Change]:
    """Keep the values that differ from the settings at ``version`` (the one the page was
    drawn at); audited. Commits. SettingsChanged when the settings moved since."""
    stored = _rows()
    changes = []
    for name, new in values.items():
        row = stored.get(name)
        old = _value(row) if row is not None else current_app.config[name]
        if new != old:
            changes.append(Change(name, old, new, row is None, False))
    if not changes:
        _check_version(version)
        return []
    _move_version(version)
    now = utcnow()
    for change in changes:
        text = json.dumps(change.new)
        row = stored.get(change.name)
        if row is None:
            db.session.add(SiteSetting(name=change.name, value=text, changed_by_id=_id(by)))
        else:
            row.value, row.changed_at, row.changed_by_id = text, now, _id(by)
        _audit(change, by)
    _commit(version + 1)
    return changes


def reset_setting(name: str, version: int, by: User | None) -> Change | None:
    """Give ``name`` the environment's value again; audited. Commits. None when it had it."""
    row = db.session.get(SiteSetting, name)
    if row is None:
        _check_version(version)
        return None
    _move_version(version)
    change = Change(name, _value(row), current_app.config[name], False, True)
    db.session.delete(row)
    _audit(change, by)
    _commit(version + 1)
    return change


def current_version() -> int:
    return db.session.scalar(sa.select(SiteSettingsVersion.version)) or 0


def _rows() -> dict[str, SiteSetting]:
    return {row.name: row for row in db.session.scalars(sa.select(SiteSetting))}


def _value(row: SiteSetting) -> Any:
    return BY_NAME[row.name].loaded(json.loads(row.value))


def _id(user: User | None) -> int | None:
    return user.id if user is not None else None


def _check_version(version: int) -> None:
    if current_version() != version:
        raise SettingsChanged


# The version row, made the first time anything is saved (SQLite and PostgreSQL alike).
_FIRST_VERSION = sa.text(
    "INSERT INTO site_settings_version (id, version) VALUES (1, 0) ON CONFLICT DO NOTHING"
)


def _move_version(version: int) -> None:
    """One more on the version, only if it is still ``version``: of two admins saving at
    once, the second is told, not silently undone."""
    if version == 0:
        db.session.execute(_FIRST_VERSION)
    result = db.session.execute(
        sa.update(SiteSettingsVersion)
        .where(SiteSettingsVersion.id == 1, SiteSettingsVersion.version == version)
        .values(version=version + 1)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise SettingsChanged


def _audit(change: Change, by: User | None) -> None:
    label = BY_NAME[change.name].label
    old = shown(change.old) + (" (environment)" if change.old_was_default else "")
    new = shown(change.new) + (" (environment)" if change.new_is_default else "")
    record(Action.SETTING_CHANGED, by, reason=change.name, detail=f"{label}: {old} → {new}")


def _commit(version: int) -> None:
    """Commit, and use the new settings in this process at once."""
    rows = [(row.name, row.value) for row in db.session.scalars(sa.select(SiteSetting))]
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        raise SettingsChanged from None
    settings_store().install(version, rows)
