"""The signed Yes/No links in the mail that tells a customer their comment was answered.

No table: a token signs the conversation's item and the answer (the reply comment, or the
acknowledgement when it has no reply: an acknowledgement's note), so it works for that
answer alone; it is timed (HELPED_LINK_MAX_AGE_DAYS) and its length is bounded. Both links
of a mail carry one token; the choice is a plain part of the address. Following a link
only shows a form (mail scanners fetch links): the POST of that form records the verdict.
"""

from dataclasses import dataclass

from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

_SALT = "answer-helped"
NOT_OURS = "This link is not one of ours: it may have been cut or changed."
# Far longer than any token made here; anything longer is refused unread.
MAX_TOKEN_LENGTH = 300
CHOICES = ("yes", "no")


class LinkRefused(ValueError):
    """A link that cannot be used; the message says why, for the person who followed it."""


@dataclass(frozen=True)
class AnswerRef:
    """Which answer to which item a link asks about: by its reply, or its acknowledgement."""

    item_id: int
    reply_id: int | None = None
    acknowledgement_id: int | None = None


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def helped_token(ref: AnswerRef) -> str:
    """The token of both links for ``ref``."""
    return _serializer().dumps([ref.item_id, ref.reply_id, ref.acknowledgement_id])


def helped_links(ref: AnswerRef) -> dict[str, str]:
    """The absolute Yes and No links for ``ref``."""
    token = helped_token(ref)
    return {
        choice: url_for("helped.confirm", token=token, choice=choice, _external=True)
        for choice in CHOICES
    }


def read_token(token: str) -> AnswerRef:
    """The answer ``token`` was made for, or LinkRefused saying why it cannot be used."""
    if len(token) > MAX_TOKEN_LENGTH:
        raise LinkRefused(NOT_OURS)
    days = int(current_app.config["HELPED_LINK_MAX_AGE_DAYS"])
    try:
        data = _serializer().loads(token, max_age=days * 24 * 60 * 60)
    except SignatureExpired:
        raise LinkRefused(
            f"This link is more than {days} days old and no longer works. You can still "
            "say whether the answer helped on the post's page when signed in, or reply "
            "under it."
        ) from None
    except BadSignature:
        raise LinkRefused(NOT_OURS) from None
    if (
        not isinstance(data, list)
        or len(data) != 3
        or not all(v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in data)
        or data[0] is None
        or (data[1] is None) == (data[2] is None)
    ):
        raise LinkRefused(NOT_OURS)
    return AnswerRef(*data)
