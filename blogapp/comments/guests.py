"""The signed cookie that lets a guest edit, delete and see their own comments.

It holds the ids of the guest's recent comments (and the name and email they
used, to fill the form next time). It is signed, so it cannot be forged to
claim someone else's comment.
"""

from dataclasses import dataclass, field

from flask import Request, Response, current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "parley_guest"
MAX_AGE = 30 * 24 * 3600
MAX_IDS = 50


@dataclass(frozen=True)
class GuestIdentity:
    comment_ids: frozenset[int] = field(default_factory=frozenset)
    name: str = ""
    email: str = ""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="guest-comments")


def guest_identity(request: Request) -> GuestIdentity:
    """What the cookie says about this browser's guest comments (empty if none or forged)."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return GuestIdentity()
    try:
        data = _serializer().loads(raw, max_age=MAX_AGE)
        ids = frozenset(int(i) for i in data.get("ids", []))
        return GuestIdentity(ids, str(data.get("name", "")), str(data.get("email", "")))
    except (BadSignature, TypeError, ValueError, AttributeError):
        return GuestIdentity()


def remember_guest_comment(
    response: Response, identity: GuestIdentity, comment_id: int, name: str, email: str
) -> None:
    """Add ``comment_id`` to the guest's cookie on ``response``."""
    ids = sorted(identity.comment_ids | {comment_id})[-MAX_IDS:]
    value = _serializer().dumps({"ids": ids, "name": name, "email": email})
    response.set_cookie(
        COOKIE,
        value,
        max_age=MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
