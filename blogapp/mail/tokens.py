"""Signed unsubscribe tokens: the token names the address, so no login is needed."""

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

_SALT = "mail-unsubscribe"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def unsubscribe_token(address: str) -> str:
    return _serializer().dumps({"e": address.strip().lower()})


def address_from_token(token: str) -> str | None:
    """The address a token was made for, or None if it was altered."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    return data.get("e") if isinstance(data, dict) else None
