"""Unsubscribing from notification mail by a signed link."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from sqlalchemy.exc import IntegrityError

from blogapp.accounts.forms import ParleyForm
from blogapp.extensions import db
from blogapp.mail.outbox import normalize_address
from blogapp.mail.tokens import address_from_token
from blogapp.models import MailOptOut

bp = Blueprint("mail", __name__, url_prefix="/mail")


def _address_or_404(token: str) -> str:
    address = address_from_token(token)
    if address is None:
        abort(404)
    return address


@bp.get("/unsubscribe/<token>")
def confirm_unsubscribe(token: str):
    """Ask first: a link scanner or mail preview that follows the link changes nothing."""
    address = _address_or_404(token)
    return render_template("mail/unsubscribe.html", address=address, token=token)


@bp.post("/unsubscribe/<token>")
def unsubscribe(token: str):
    """Stop notifications to the token's address: the page's button or a mail client's
    RFC 8058 one-click POST (``List-Unsubscribe=One-Click``)."""
    address = _address_or_404(token)
    # The signed token is the credential (and what a forger cannot know): a mail
    # client's one-click POST carries no form token.
    if db.session.scalar(sa.select(MailOptOut).where(MailOptOut.email == address)) is None:
        db.session.add(MailOptOut(email=normalize_address(address)))
        try:
            db.session.commit()
        except IntegrityError:  # a second click that arrived at the same moment
            db.session.rollback()
    return render_template(
        "mail/unsubscribed.html", address=address, token=token, form=ParleyForm()
    )


@bp.post("/resubscribe/<token>")
def resubscribe(token: str):
    """Undo an unsubscribe from the confirmation page."""
    address = _address_or_404(token)
    form = ParleyForm()
    if not form.validate_on_submit():
        return render_template(
            "mail/unsubscribed.html", address=address, token=token, form=form
        ), 400
    db.session.execute(sa.delete(MailOptOut).where(MailOptOut.email == address))
    db.session.commit()
    flash("You'll get notification emails again.", "success")
    return redirect(url_for("blog.index"))
