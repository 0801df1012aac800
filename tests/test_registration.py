"""Registering answers the same whether or not the address has an account; the
address's owner hears about it by mail instead."""

import re

import pytest
import sqlalchemy as sa

from blogapp.accounts.services import user_by_email
from blogapp.extensions import db
from blogapp.models import User
from tests.account_helpers import mails_to, register
from tests.conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("separate_browsers")




def answer_shape(response, email: str) -> tuple:
    """What a stranger sees of an answer, with the address typed taken out."""
    cookies = sorted(
        re.sub(r"=[^;]*", "=…", c, count=1) for c in response.headers.getlist("Set-Cookie")
    )
    headers = sorted(
        (k, v) for k, v in response.headers.items() if k not in ("Set-Cookie", "X-Request-ID")
    )  # each request has its own id
    return response.status_code, headers, cookies, response.text.replace(email, "EMAIL")


def test_a_taken_address_gets_the_answer_a_new_one_gets(app, make_user):
    owner = make_user(email="taken@example.com", name="Olive Owner")
    new_client, taken_client = app.test_client(), app.test_client()
    # Two addresses of the same length, so that even Content-Length may not differ.
    new = register(new_client, "fresh@example.com")
    taken = register(taken_client, "taken@example.com", name="Someone Else")
    assert new.status_code == 303 and new.headers["Location"] == "/account/register/sent"
    assert answer_shape(new, "fresh@example.com") == answer_shape(taken, "taken@example.com")
    new_page = new_client.get(new.headers["Location"])
    taken_page = taken_client.get(taken.headers["Location"])
    assert "Check your inbox" in new_page.text
    assert "We've sent a message to <strong>fresh@example.com</strong>" in new_page.text
    assert answer_shape(new_page, "fresh@example.com") == answer_shape(
        taken_page, "taken@example.com"
    )
    # Neither browser is logged in by the answer.
    for client in (new_client, taken_client):
        assert client.get("/account/security").status_code == 302

    # The owner gets one mail about it, and their account is as it was.
    (notice,) = mails_to("taken@example.com")
    assert notice.kind == "account_address_taken"
    assert "Someone tried to create an account" in notice.body_text
    assert "Hello Olive Owner" in notice.body_text and "Someone Else" not in notice.body_text
    db.session.refresh(owner)
    assert owner.display_name == "Olive Owner" and owner.check_password(PASSWORD)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 2
    # The new address gets its welcome, which says how to log in.
    (welcome,) = mails_to("fresh@example.com")
    assert welcome.kind == "account_welcome" and "/account/login" in welcome.body_text
    assert user_by_email("fresh@example.com").display_name == "Sam Wilder"


def test_trying_a_taken_address_again_does_not_flood_its_owner(app, make_user):
    make_user(email="taken@example.com")
    for _ in range(5):
        assert register(app.test_client(), "Taken@Example.com").status_code == 303
    assert len(mails_to("taken@example.com")) == 1


def test_the_sent_page_needs_a_registration(client):
    response = client.get("/account/register/sent")
    assert response.status_code == 302 and response.headers["Location"] == "/account/register"


def test_registration_is_rate_limited_per_address(app, client):
    app.config["REGISTER_RATE_LIMIT_IP"] = "3 per hour"
    codes = [register(client, f"person{n}@example.com").status_code for n in range(4)]
    assert codes == [303, 303, 303, 429]
    assert user_by_email("person3@example.com") is None
