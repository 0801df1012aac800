"""How much randomness a SECRET_KEY holds, estimated from below well enough to refuse
the keys people actually type.

Two estimates, and the smaller counts:

- **Alphabet**: length × log2(size of the smallest usual alphabet holding every
  character: digits 10, hex 16, letters and digits 62, base64 64, printable
  ASCII 95; raw bytes 256). ``secrets.token_hex(32)`` (64 hex characters) is
  exactly 256 bits; ``secrets.token_urlsafe(32)`` is 258.
- **Compression**: what zlib cannot squeeze out (its output less its 6 bytes of
  framing), in bits. Random characters barely shrink, so this is above the
  first estimate for a real key; a repeated or patterned key
  (``"x" * 64``, ``"abcd" * 16``) shrinks to a few bytes and is caught here.

Neither estimate can see a key that looks random but is not (a hash of a
password, a key copied from a tutorial); no estimate can.
"""

import math
import string
import zlib

_ALPHABETS = (
    (frozenset(string.digits), 10),
    (frozenset(string.digits + "abcdef"), 16),
    (frozenset(string.digits + "ABCDEF"), 16),
    (frozenset(string.ascii_letters + string.digits), 62),
    (frozenset(string.ascii_letters + string.digits + "+/-_="), 64),
    (frozenset(string.printable[:95]), 95),
)
_ZLIB_FRAMING_BYTES = 6


def secret_key_entropy_bits(key: str | bytes) -> int:
    """A lower estimate of the bits of randomness in ``key``."""
    if isinstance(key, bytes):
        data, per_symbol, length = key, 8.0, len(key)
    else:
        data, length = key.encode(), len(key)
        chars = set(key)
        size = next((size for alphabet, size in _ALPHABETS if chars <= alphabet), None)
        # Beyond printable ASCII: count each UTF-8 byte as a byte.
        per_symbol, length = (math.log2(size), length) if size else (8.0, len(data))
    if not data:
        return 0
    by_alphabet = length * per_symbol
    by_compression = 8 * max(0, len(zlib.compress(data, 9)) - _ZLIB_FRAMING_BYTES)
    return int(min(by_alphabet, by_compression))
