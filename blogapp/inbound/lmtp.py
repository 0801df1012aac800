"""`flask mail lmtp`: an LMTP listener (aiosmtpd) for sites whose MTA delivers by LMTP
(Postfix's ``lmtp:`` transport, Dovecot-style setups) instead of piping to
`flask mail inbound`. The same path (receive.py) acts on each message, one at a time in
a worker thread of its own (the event loop keeps answering), and the answer is one
LMTP reply per recipient (RFC 2033). Messages over INBOUND_MAX_BYTES are refused by the
protocol's SIZE limit before they are read whole.
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from flask import Flask

from blogapp.inbound.addresses import read_address
from blogapp.inbound.receive import EX_DATAERR, EX_NOUSER, EX_OK, EX_TEMPFAIL, receive

_REPLIES = {
    EX_OK: "250 2.0.0",
    EX_DATAERR: "554 5.6.0",
    EX_NOUSER: "550 5.1.1",
    EX_TEMPFAIL: "451 4.3.0",
}


def _line(text: str) -> str:
    return " ".join(text.split())[:400]


class InboundHandler:
    """aiosmtpd's handler: recipients must be reply addresses of this site; each message
    is received once for each of them."""

    def __init__(self, app: Flask):
        self.app = app
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parley-lmtp")

    def _is_ours(self, address: str) -> bool:
        with self.app.app_context():
            return read_address(address) is not None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        loop = asyncio.get_running_loop()
        if not await loop.run_in_executor(self.worker, self._is_ours, address):
            return "550 5.1.1 Not a reply address of this site"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    def _receive_all(self, content: bytes, recipients: list[str]) -> str:
        replies = []
        for recipient in recipients:
            with self.app.app_context():
                result = receive(content, recipient)
            code = _REPLIES.get(result.status, "451 4.3.0")
            replies.append(f"{code} {_line(result.note)}")
        return "\r\n".join(replies)

    async def handle_DATA(self, server, session, envelope):
        loop = asyncio.get_running_loop()
        content = envelope.original_content or envelope.content
        return await loop.run_in_executor(
            self.worker, self._receive_all, content, list(envelope.rcpt_tos)
        )


class LMTPController(Controller):
    def factory(self):
        return LMTP(self.handler, **self.SMTP_kwargs)


def listener(app: Flask, host: str, port: int) -> LMTPController:
    """An LMTP listener for ``app`` on host:port (not started)."""
    return LMTPController(
        InboundHandler(app),
        hostname=host,
        port=port,
        data_size_limit=app.config["INBOUND_MAX_BYTES"],
        enable_SMTPUTF8=True,
    )
