"""What an inbound reply does, by the purpose of its token.

Each feature that sends mail one can answer registers a handler for its purpose
(``register_handler(app, "comment", handle)``); the inbound path (``flask mail inbound``,
the LMTP listener) parses the message, reads the token and calls the handler with an
`InboundReply`. The handler does the work in the request's session and says what
happened in an `Outcome`; the inbound path commits, and mails the sender the refusal
when there is one.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app

from blogapp.inbound.addresses import ReplyToken


@dataclass(frozen=True)
class InboundReply:
    token: ReplyToken
    # The envelope or From address the message came from, lower-cased.
    sender: str
    # The new text of the reply as Markdown source: quoted history, signature and
    # "On ... wrote:" lines removed, HTML-only mail converted.
    text: str
    subject: str
    message_id: str


@dataclass(frozen=True)
class Outcome:
    accepted: bool
    # Said to the sender in the refusal mail, and logged; for an acceptance, what was done.
    message: str


Handler = Callable[[InboundReply], Outcome]


def register_handler(app: Flask, purpose: str, handler: Handler) -> None:
    app.extensions.setdefault("parley_inbound_handlers", {})[purpose] = handler


def handler_for(purpose: str) -> Handler | None:
    return current_app.extensions.get("parley_inbound_handlers", {}).get(purpose)
