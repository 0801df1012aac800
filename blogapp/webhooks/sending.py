"""One webhook POST: signed, sent to the address that was checked, its answer read.

Headers (README, "Webhooks"):

- ``X-Parley-Signature: sha256=<hex HMAC-SHA256 of the body>`` — as Parley has always
  signed, so existing receivers keep working;
- ``X-Parley-Timestamp: <Unix seconds when sent>`` and
  ``X-Parley-Signature-V2: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`` — a
  receiver that checks this one and refuses a timestamp more than a few minutes old
  cannot be fooled by a replayed request;
- ``X-Parley-Event``, and ``X-Parley-Delivery`` (the outbox row's id, the same on every
  retry: a receiver can drop a repeat).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from blogapp.webhooks.addresses import check_url, public_address

SIGNATURE_HEADER = "X-Parley-Signature"
TIMESTAMP_HEADER = "X-Parley-Timestamp"
SIGNATURE_V2_HEADER = "X-Parley-Signature-V2"
EXCERPT_BYTES = 500


def sign(secret: str, body: bytes) -> str:
    """X-Parley-Signature's value: sha256=<hex HMAC of the body>."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def sign_with_time(secret: str, timestamp: int, body: bytes) -> str:
    """X-Parley-Signature-V2's value: sha256=<hex HMAC of "<timestamp>.<body>">."""
    return sign(secret, str(timestamp).encode() + b"." + body)


@dataclass
class Answer:
    status: int
    excerpt: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class NotDelivered(Exception):
    """The receiver answered, but not with a 2xx."""

    def __init__(self, answer: Answer):
        super().__init__(f"HTTP {answer.status}")
        self.answer = answer


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever the name resolves to now."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def headers_for(secret: str, body: bytes, event: str, delivery: int, now: float) -> dict:
    timestamp = int(now)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Parley-Webhook/2",
        "X-Parley-Event": event,
        "X-Parley-Delivery": str(delivery),
        TIMESTAMP_HEADER: str(timestamp),
    }
    if secret:
        headers[SIGNATURE_HEADER] = sign(secret, body)
        headers[SIGNATURE_V2_HEADER] = sign_with_time(secret, timestamp, body)
    return headers


def post(url: str, headers: dict, body: bytes, timeout: float) -> Answer:
    """POST ``body``; the answer if 2xx, else NotDelivered. UnsafeAddress or OSError when
    there is no answer."""
    url = check_url(url)
    parts = urlsplit(url)
    https = parts.scheme.lower() == "https"
    port = parts.port or (443 if https else 80)
    address = public_address(parts.hostname, port)
    connection_class = _PinnedHTTPS if https else _PinnedHTTP
    connection = connection_class(parts.hostname, port, address, timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        excerpt = response.read(EXCERPT_BYTES).decode("utf-8", "replace")
        answer = Answer(response.status, excerpt)
    finally:
        connection.close()
    if not answer.ok:
        raise NotDelivered(answer)
    return answer


def now() -> float:
    return time.time()
