"""Registering the way a browser does, and reading the mail an address was sent."""

import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.models import MailMessage
from tests.conftest import PASSWORD, csrf_from


def register(client, email: str, name: str = "Sam Wilder"):
    """Fill in and send the registration form."""
    page = client.get("/account/register")
    data = {
        "display_name": name,
        "email": email,
        "password": PASSWORD,
        "confirm": PASSWORD,
        "csrf_token": csrf_from(page.text),
    }
    return client.post("/account/register", data=data)


def mails_to(address: str) -> list[MailMessage]:
    """Every message written to the outbox for ``address``, oldest first."""
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(MailMessage).where(MailMessage.to_address == address).order_by(MailMessage.id)
        )
    )
