"""The chat format: an event as ``{"text": "<one line>"}``, which Slack's and Microsoft
Teams' incoming webhooks post as a message. Made at delivery from the stored JSON event
(api/event_schemas.py), so both formats say the same thing.

Text from people (names, titles) is escaped as Slack asks (&, <, > as entities): a
comment cannot add a mention (<!channel>) or a disguised link (<http://x|y>)."""

from __future__ import annotations

import json
from datetime import datetime


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _when(payload: dict, name: str) -> datetime:
    return datetime.fromisoformat(payload[name].replace("Z", "+00:00"))


def _span(seconds: float) -> str:
    minutes = int(abs(seconds) // 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} days"


def _due(payload: dict) -> str:
    left = (_when(payload["item"], "due_at") - _when(payload, "at")).total_seconds()
    return f"due in {_span(left)}" if left > 0 else f"due {_span(left)} ago"


def _about(payload: dict) -> str:
    author = (payload["comment"].get("author") or {}).get("name") or "A removed comment"
    return f"{escape(author)}'s comment on \u201c{escape(payload['post']['title'])}\u201d"


def _tracker(label: str, payload: dict) -> str:
    assignee = escape(payload["item"]["assignee"]["name"])
    return f"{label}: {_about(payload)} \u2014 assigned to {assignee}, {_due(payload)}"


def _acknowledged(payload: dict) -> str:
    who = escape((payload.get("employee") or {}).get("name") or "an employee")
    how = (payload.get("kind") or "acknowledged").replace("_", " ")
    return f"Answered: {_about(payload)} \u2014 {how} by {who}"


def _line(event: str, payload: dict) -> tuple[str, str | None]:
    """The event's line and the address it links to."""
    if event in ("owed", "overdue", "due_soon"):
        label = {"owed": "Owed", "overdue": "Overdue", "due_soon": "Due soon"}[event]
        return _tracker(label, payload), payload["comment"]["url"]
    if event == "acknowledged":
        return _acknowledged(payload), payload["comment"]["url"]
    if event == "comment_published":
        return f"New comment: {_about(payload)}", payload["comment"]["url"]
    if event == "post_published":
        post = payload["post"]
        author = escape(post["author"]["name"])
        return f"Published: \u201c{escape(post['title'])}\u201d by {author}", post["url"]
    return f"Parley: {escape(payload.get('message') or event)}", None


def chat_text(event: str, stored: str) -> str:
    """The chat line of a stored JSON event, with its link in Slack's <…> form."""
    line, url = _line(event, json.loads(stored))
    return f"{line} <{url}>" if url else line


def chat_body(event: str, stored: str) -> bytes:
    return json.dumps({"text": chat_text(event, stored)}).encode()
