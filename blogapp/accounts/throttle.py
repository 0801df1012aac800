"""Login throttling: failed password checks counted per account and per client address.

The counters live in Flask-Limiter's storage (RATELIMIT_STORAGE_URI: memory:// in
development, Redis in production, shared by every worker). They are kept by hand
rather than with ``@limiter.limit`` because only failures count, and a throttled
attempt must be refused before its password is checked.

- The account key is the email as typed, normalised and hashed, whether or not an
  account has it: an unknown address is throttled exactly like a real one. Each
  attempt is counted before the password is checked (one atomic hit, so parallel
  guesses cannot slip past the limit) and a successful login clears the count.
- The address key counts only failures (an office behind one address logs in
  many times a morning); it is tested before the password check and hit after a
  failure, so up to one extra guess per busy worker can pass at the edge.
"""

import hashlib
import math
import time

from flask import current_app
from limits import RateLimitItem, parse_many

from blogapp.extensions import limiter


class TooManyAttempts(Exception):
    """Too many failed logins for this account or from this address."""

    def __init__(self, retry_after: int):
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after

    @property
    def wait(self) -> str:
        """How long to wait, in words: "1 minute", "12 minutes"."""
        minutes = max(1, math.ceil(self.retry_after / 60))
        return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _limits(setting: str) -> list[RateLimitItem]:
    return parse_many(current_app.config[setting])


def _account_key(email: str) -> tuple[str, ...]:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return _prefix("login-account", digest)


def _address_key(address: str | None) -> tuple[str, ...]:
    return _prefix("login-address", address or "unknown")


def _prefix(*identifiers: str) -> tuple[str, ...]:
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "")
    return (prefix, *identifiers) if prefix else identifiers


def _retry_after(item: RateLimitItem, key: tuple[str, ...]) -> int:
    reset_at = limiter.limiter.get_window_stats(item, *key).reset_time
    return max(1, math.ceil(reset_at - time.time()))


def check_attempt(email: str, address: str | None) -> None:
    """Count a login attempt for ``email``; raise TooManyAttempts if over either limit."""
    if not limiter.enabled:
        return
    for key, setting, count in (
        (_address_key(address), "LOGIN_RATE_LIMIT_IP", limiter.limiter.test),
        (_account_key(email), "LOGIN_RATE_LIMIT_ACCOUNT", limiter.limiter.hit),
    ):
        waits = [_retry_after(item, key) for item in _limits(setting) if not count(item, *key)]
        if waits:
            raise TooManyAttempts(max(waits))


def record_failure(address: str | None) -> None:
    """A password check failed: count it against the client's address."""
    if limiter.enabled:
        for item in _limits("LOGIN_RATE_LIMIT_IP"):
            limiter.limiter.hit(item, *_address_key(address))


def record_success(email: str) -> None:
    """The right password: the account's count starts again."""
    if limiter.enabled:
        for item in _limits("LOGIN_RATE_LIMIT_ACCOUNT"):
            limiter.limiter.clear(item, *_account_key(email))


# Mail a stranger can cause to an address, each limited per address (not per asker).
RESET_MAIL = "PASSWORD_RESET_MAIL_LIMIT"
VERIFY_MAIL = "VERIFY_MAIL_LIMIT"
GUEST_REMOVAL_MAIL = "GUEST_REMOVAL_MAIL_LIMIT"


def may_mail(setting: str, email: str) -> bool:
    """Whether one more message of this kind may go to ``email`` under ``setting``'s
    limit (counted whether or not an account has the address)."""
    if not limiter.enabled:
        return True
    key = _prefix(setting.lower(), _account_key(email)[-1])
    return all(limiter.limiter.hit(item, *key) for item in _limits(setting))


def may_notify_taken_address(email: str) -> bool:
    """Whether to mail an account's owner that someone tried to register with the
    address: once an hour at most, so the form cannot be used to flood a mailbox."""
    if not limiter.enabled:
        return True
    item = parse_many(current_app.config["REGISTER_TAKEN_NOTICE_LIMIT"])[0]
    return limiter.limiter.hit(item, *_prefix("register-taken", _account_key(email)[-1]))
