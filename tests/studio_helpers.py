"""Helpers for the studio tests: fill the editor's form the way a browser would."""

import re

from tests.conftest import csrf_from

VERSION_RE = re.compile(r'name="version"[^>]*value="(\d*)"')


def version_from(html: str) -> str:
    match = VERSION_RE.search(html)
    assert match, "page has no version field"
    return match.group(1)


def editor_data(html: str, **fields) -> dict:
    """The editor's hidden fields from ``html`` plus ``fields`` (booleans become checkboxes)."""
    data = {"csrf_token": csrf_from(html), "version": version_from(html), "comments_open": "y"}
    for name, value in fields.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = "y" if value is True else value
    return data


def write_post(client, title="A post from the studio", body="Some *words*.", action="save", **kw):
    """Open the new-post page and submit it; returns the response (not followed)."""
    page = client.get("/studio/posts/new")
    data = editor_data(page.text, title=title, body=body, action=action, **kw)
    return client.post("/studio/posts/new", data=data)


def edit_post(client, post_id: int, action="save", **fields):
    """Open a post's editor, change ``fields`` and press ``action``."""
    page = client.get(f"/studio/posts/{post_id}/edit")
    current = {
        name: _field_value(page.text, name) for name in ("title", "slug", "tags", "body", "excerpt")
    }
    current.update(fields)
    return client.post(
        f"/studio/posts/{post_id}/edit", data=editor_data(page.text, action=action, **current)
    )


def _field_value(html: str, name: str) -> str:
    import html as html_lib

    textarea = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\r?\n?(.*?)</textarea>', html, re.S)
    if textarea:
        return html_lib.unescape(textarea.group(1))
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    value = re.search(r'value="([^"]*)"', tag.group(0)) if tag else None
    return html_lib.unescape(value.group(1)) if value else ""
