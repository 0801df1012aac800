"""Template filters and globals shared by every page."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask
from markupsafe import Markup

from blogapp.models.base import utcnow
from blogapp.sitesettings.store import site_settings


def local_time(value: datetime | None) -> datetime | None:
    """A stored UTC time in the site's time zone."""
    if value is None:
        return None
    zone = ZoneInfo(site_settings()["SITE_TIMEZONE"])
    return value.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)


def format_date(value: datetime | None) -> str:
    local = local_time(value)
    return f"{local:%B} {local.day}, {local.year}" if local else ""


def format_datetime(value: datetime | None) -> str:
    local = local_time(value)
    return f"{format_date(value)} at {local:%H:%M}" if local else ""


def time_ago(value: datetime | None) -> str:
    """'5 minutes ago', '3 hours ago', 'Nov 2, 2026' for older ones."""
    if value is None:
        return ""
    seconds = (utcnow() - value).total_seconds()
    if seconds < 60:
        return "just now"
    for limit, unit, size in (
        (3600, "minute", 60),
        (86400, "hour", 3600),
        (86400 * 14, "day", 86400),
    ):
        if seconds < limit:
            count = int(seconds // size)
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    return format_date(value)


def iso_time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def register(app: Flask) -> None:
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(time_ago, "ago")
    app.add_template_filter(iso_time, "iso")

    @app.context_processor
    def site():
        settings = site_settings()
        return {
            "site_name": settings["SITE_NAME"],
            "site_tagline": settings["SITE_TAGLINE"],
            "settings": settings,
            "Markup": Markup,
        }
