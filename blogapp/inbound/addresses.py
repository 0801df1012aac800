"""Reply addresses: ``reply+<token>@INBOUND_MAIL_DOMAIN``, one per (purpose, thing, person).

The token is short enough for a mailbox name (RFC 5321 allows 64 octets before the @)
and survives a mail system that lower-cases it: lower-case base32 of a packed payload
(purpose, the id of what is answered, the person's id, when it was issued, in minutes)
and 80 bits of an HMAC of it under the app's secret key. Nothing is stored to make one;
`digest` names a token, so the inbound side can refuse one that was used already.
"""

import base64
import hashlib
import hmac
import struct
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app

PREFIX = "reply+"
# One byte on the wire for each purpose; add new purposes at the end, never renumber.
PURPOSES = ("comment", "private")
_PAYLOAD = struct.Struct(">BIII")  # purpose, subject id, person id, minutes since epoch
_MAC_BYTES = 10


@dataclass(frozen=True)
class ReplyToken:
    purpose: str
    subject_id: int
    person_id: int
    issued_at: datetime
    # Names this token (not the address's spelling): the key of "already used".
    digest: str

    def is_expired(self, now: datetime | None = None) -> bool:
        days = current_app.config["INBOUND_TOKEN_MAX_AGE_DAYS"]
        now = now or datetime.now(UTC).replace(tzinfo=None)
        return now - self.issued_at > timedelta(days=days)


def _mac(payload: bytes) -> bytes:
    key = hashlib.sha256(b"parley-inbound:" + current_app.config["SECRET_KEY"].encode()).digest()
    return hmac.new(key, payload, hashlib.sha256).digest()[:_MAC_BYTES]


def make_token(purpose: str, subject_id: int, person_id: int, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC).replace(tzinfo=None)
    minutes = int(now.replace(tzinfo=UTC).timestamp() // 60)
    payload = _PAYLOAD.pack(PURPOSES.index(purpose), subject_id, person_id, minutes)
    return base64.b32encode(payload + _mac(payload)).decode().rstrip("=").lower()


def reply_address(purpose: str, subject_id: int, person_id: int) -> str | None:
    """The address a reply to this mail should go to; None when inbound mail is not set up
    (no INBOUND_MAIL_DOMAIN), so the mail carries no Reply-To."""
    domain = current_app.config["INBOUND_MAIL_DOMAIN"]
    if not domain:
        return None
    return f"{PREFIX}{make_token(purpose, subject_id, person_id)}@{domain}"


def read_token(token: str) -> ReplyToken | None:
    """The token's contents, or None if it is not one of ours (altered, truncated, junk)."""
    token = token.strip().upper()
    if not token or len(token) > 64 or not token.isalnum():
        return None
    try:
        raw = base64.b32decode(token + "=" * (-len(token) % 8))
    except ValueError:
        return None
    payload, mac = raw[: _PAYLOAD.size], raw[_PAYLOAD.size :]
    if len(raw) != _PAYLOAD.size + _MAC_BYTES or not hmac.compare_digest(mac, _mac(payload)):
        return None
    code, subject_id, person_id, minutes = _PAYLOAD.unpack(payload)
    if code >= len(PURPOSES):
        return None
    issued = datetime.fromtimestamp(minutes * 60, UTC).replace(tzinfo=None)
    digest = hashlib.sha256(raw).hexdigest()[:32]
    return ReplyToken(PURPOSES[code], subject_id, person_id, issued, digest)


def read_address(address: str) -> ReplyToken | None:
    """The token in ``reply+<token>@domain`` (any case, any of our domain's spellings), or
    None when the address is not a reply address of this site."""
    local, _, domain = address.strip().strip("<>").rpartition("@")
    expected = current_app.config["INBOUND_MAIL_DOMAIN"]
    if not expected or domain.lower() != expected.lower():
        return None
    if not local.lower().startswith(PREFIX):
        return None
    return read_token(local[len(PREFIX) :])
