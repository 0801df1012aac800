"""One inbound message, from its bytes to what it did: the path `flask mail inbound` and
the LMTP listener share.

read (message.py) → ignore a bounce or an auto-reply, silently → find our reply address
among the recipients → refuse an expired or already used token → the handler of the
token's purpose (handlers.py) → commit; a refusal is mailed back (refusals.py).

The token is spent in the handler's own transaction (``inbound_spent_tokens``, unique),
so a reply publishes once however often the message is delivered: the same message again
is accepted without doing anything (an MTA that retried after a lost answer), another
message to a used address is refused.
"""

import logging
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from blogapp.extensions import db
from blogapp.inbound.addresses import ReplyToken, read_address
from blogapp.inbound.handlers import InboundReply, Outcome, handler_for
from blogapp.inbound.message import InboundMessage, UnreadableMessage, read_message
from blogapp.inbound.refusals import mail_refusal
from blogapp.markup import RenderRefused
from blogapp.models import SpentReplyToken

log = logging.getLogger("parley.inbound")

# sysexits.h, as Postfix's pipe(8) reads them.
EX_OK, EX_DATAERR, EX_NOUSER, EX_TEMPFAIL = 0, 65, 67, 75


@dataclass(frozen=True)
class Received:
    status: int  # an exit status of sysexits.h
    # What happened, in a line for the log and the LMTP reply.
    note: str
    accepted: bool = False


def _token_among(addresses: list[str]) -> ReplyToken | None:
    for address in addresses:
        token = read_address(address)
        if token is not None:
            return token
    return None


def _spent(token: ReplyToken) -> SpentReplyToken | None:
    return db.session.scalar(
        sa.select(SpentReplyToken).where(SpentReplyToken.digest == token.digest)
    )


def _refused(message: InboundMessage, token: ReplyToken, why: str) -> Received:
    mail_refusal(message, token, why)
    db.session.commit()
    return Received(EX_OK, f"refused: {why.splitlines()[0]}")


def receive(raw: bytes, recipient: str | None = None) -> Received:
    """Read and act on one message; never raises for what a stranger sent."""
    try:
        message = read_message(raw)
    except UnreadableMessage as error:
        return Received(EX_DATAERR, str(error))
    except RenderRefused:
        return Received(EX_DATAERR, "The message's HTML is too complex to read.")
    if message.automatic:
        log.info("Inbound message %s ignored: %s", message.message_id, message.automatic)
        return Received(EX_OK, f"ignored: {message.automatic}")
    token = _token_among(([recipient] if recipient else []) + message.recipients)
    if token is None:
        return Received(EX_NOUSER, "No reply address of this site among the recipients.")
    handler = handler_for(token.purpose)
    if handler is None:
        return Received(EX_NOUSER, f"Replies for {token.purpose} are not taken here.")
    try:
        return _act(message, token, handler)
    except SQLAlchemyError as error:
        db.session.rollback()
        log.warning("Inbound message %s: database error, try later: %s", message.message_id, error)
        return Received(EX_TEMPFAIL, "The database is not available; try again later.")


def _act(message: InboundMessage, token: ReplyToken, handler) -> Received:
    if token.is_expired():
        return _refused(message, token, EXPIRED)
    spent = _spent(token)
    if spent is not None:
        if message.message_id and spent.message_id == message.message_id:
            return Received(EX_OK, "already done: this message was taken before", True)
        return _refused(message, token, USED)
    reply = InboundReply(token, message.sender, message.text, message.subject, message.message_id)
    mark = SpentReplyToken(
        digest=token.digest, purpose=token.purpose, message_id=message.message_id or None
    )
    db.session.add(mark)
    try:
        outcome: Outcome = handler(reply)
    except IntegrityError:
        # Another delivery of a reply to this address won the race (or the comment was
        # answered at this very moment): read again what stands now.
        db.session.rollback()
        if _spent(token) is not None:
            return _refused(message, token, USED)
        raise
    if outcome.accepted:
        db.session.commit()
        log.info("Inbound message %s: %s", message.message_id, outcome.message)
        return Received(EX_OK, outcome.message, True)
    if mark in db.session:
        if sa.inspect(mark).pending:
            db.session.expunge(mark)
        else:
            db.session.delete(mark)
    return _refused(message, token, outcome.message)


EXPIRED = (
    "The address you replied to has expired: replies by mail are taken for a limited "
    "time after the mail was sent. Please answer on the site instead."
)
USED = (
    "A reply was already sent to this address, and each mail can be answered once. "
    "To say more, answer on the site."
)
