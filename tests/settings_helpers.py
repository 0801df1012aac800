"""Sending /admin/settings the way a browser does: every setting as the page shows it,
with the changes a test makes."""

import re

from blogapp.sitesettings.fields import SETTINGS
from blogapp.sitesettings.store import settings_store
from tests.conftest import csrf_from

VERSION_RE = re.compile(r'id="version" name="version" type="hidden" value="(\d*)"')


def settings_form(client, **changes) -> dict:
    """The form as drawn for ``client`` (an admin), every value kept, then ``changes``:
    a toggle False leaves its box out, as a browser does."""
    page = client.get("/admin/settings").text
    current = settings_store(client.application).peek()
    data: dict = {"csrf_token": csrf_from(page), "version": VERSION_RE.search(page).group(1)}
    for setting in SETTINGS:
        value = changes.get(setting.name, setting.as_text(current[setting.name]))
        if setting.kind == "toggle":
            if value is True:
                data[setting.name] = "on"
            elif value not in (False, ""):
                data[setting.name] = value
        else:
            data[setting.name] = value
    return data


def save_settings(client, **changes):
    """POST the settings page with ``changes``; the response (303 when saved)."""
    return client.post("/admin/settings", data=settings_form(client, **changes))
