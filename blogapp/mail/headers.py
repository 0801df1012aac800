"""Mail headers that no value can add to: what a person typed never becomes a header line.

Every header value goes through ``header_text`` before it is set, and
``check_headers`` reads the built message back as a mail client would: a header
nobody meant to write, or a value that changed on the way, makes the message
unsendable (``UnsafeMessage``), never a mail with an extra ``Bcc:``.
"""

import re
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser

# C0 and C1 controls (CR, LF, NUL, tab...), Unicode line and paragraph separators,
# and lone surrogates, which no mail can carry.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
# What set_content adds to a plain-text message.
MIME_HEADERS = ("Content-Type", "Content-Transfer-Encoding", "MIME-Version")


class UnsafeMessage(ValueError):
    """The message cannot be sent as built; sending it again will not help."""


def header_text(value: str) -> str:
    """``value`` fit for one header line: one line, single spaces, no RFC 2047 encoded word.

    An encoded word (``=?utf-8?q?...?=``) is decoded by the email package when the
    header is set, so ``=0D=0A`` in a name would become a real line break; ``= ?`` is
    just text.
    """
    text = " ".join(_UNSAFE.sub(" ", value).split())
    return text.replace("=?", "= ?")


def recipient(value: str) -> Address:
    """The one bare address a message goes to; UnsafeMessage if ``value`` is anything else."""
    text = header_text(value)
    try:
        address = Address(addr_spec=text)
    except (ValueError, IndexError) as error:
        raise UnsafeMessage(f"not a mail address: {text[:200]!r}") from error
    if not address.domain or address.addr_spec != text:
        raise UnsafeMessage(f"not a mail address: {text[:200]!r}")
    return address


class VerbatimHeader(str):
    """A header written exactly as given: never folded, never RFC 2047-encoded.

    ``List-Unsubscribe: <https://...>`` must reach mail clients as a URL in angle
    brackets (RFC 2369); the email package would encode a long one into ``=?utf-8?q?``
    words that no client reads. Only for ASCII values without whitespace.
    """

    name: str

    def __new__(cls, name: str, value: str):
        if not value.isascii() or any(c.isspace() or not c.isprintable() for c in value):
            raise UnsafeMessage(f"{name} must be printable ASCII without spaces")
        header = super().__new__(cls, value)
        header.name = name
        return header

    def fold(self, *, policy) -> str:
        return f"{self.name}: {self}{policy.linesep}"


def check_headers(email: EmailMessage, intended: dict[str, str]) -> None:
    """Read ``email`` back from its bytes; UnsafeMessage unless its headers are exactly
    ``intended`` (plus the MIME ones) with the same values."""
    parsed = BytesParser(policy=policy.default).parsebytes(email.as_bytes())
    found = sorted(name.lower() for name in parsed.keys())
    expected = sorted(name.lower() for name in [*intended, *MIME_HEADERS])
    if found != expected:
        extra = sorted(set(found) - set(expected)) or found
        raise UnsafeMessage(f"unexpected headers after building: {', '.join(extra)}")
    for name, value in intended.items():
        # Folding may move a line break to another space; the words must be the same.
        if " ".join(str(parsed[name]).split()) != value:
            raise UnsafeMessage(f"{name} changed when the message was built")
