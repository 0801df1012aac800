"""What a real SMTP server (aiosmtpd) got, for mail tests; the ``smtp`` fixture that runs
one is in tests/fixtures/mail.py."""

import email
import email.policy
import socket
import threading
from dataclasses import dataclass


@dataclass
class Received:
    """One message as the server got it: envelope recipients and the bytes on the wire."""

    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)

    @property
    def header_lines(self) -> list[bytes]:
        """The header section's lines, as sent (folded lines start with a space or tab)."""
        head = self.raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
        return head.split(b"\n")


class Inbox:
    """An aiosmtpd handler that keeps every message it is given.

    ``refuse`` maps a recipient to the SMTP reply for it (``"550 No such user"``).
    """

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.received: list[Received] = []
        self.refuse: dict[str, str] = {}
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
            self.received.append(Received(list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
