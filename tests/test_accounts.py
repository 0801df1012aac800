"""Registration, login, logout, and the form rules every account page follows."""

import pytest

from blogapp.accounts.services import safe_next, user_by_email
from blogapp.models import Role
from tests.conftest import PASSWORD, csrf_from


def register(client, **fields):
    page = client.get("/account/register")
    data = {
        "display_name": "Sam Wilder",
        "email": "sam@bakery.example",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "csrf_token": csrf_from(page.text),
    }
    data.update(fields)
    return client.post("/account/register", data=data)


def test_reader_registers_then_logs_in(client, auth):
    response = register(client, email="Sam@Bakery.example")
    assert response.status_code == 303
    assert response.headers["Location"] == "/account/register/sent"
    page = client.get("/account/register/sent")
    assert "Check your inbox" in page.text and "sam@bakery.example" in page.text
    user = user_by_email("sam@bakery.example")
    assert user.role == Role.READER and user.display_name == "Sam Wilder"
    assert user.password_hash != PASSWORD and user.check_password(PASSWORD)
    # The answer is the one a taken address gets, so it does not log anyone in...
    assert "Sam Wilder" not in client.get("/").text
    # ...but the new account can log in straight away.
    assert auth.login("sam@bakery.example").status_code == 302
    assert "Sam Wilder" in client.get("/").text


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"display_name": ""}, "This field is required."),
        ({"email": ""}, "This field is required."),
        ({"email": "not-an-email"}, "Invalid email address."),
        ({"password": "short", "confirm": "short"}, "at least 10 characters"),
        ({"confirm": "something else entirely"}, "The two passwords differ."),
        ({"display_name": "x" * 81}, "between 2 and 80 characters"),
        ({"email": "a" * 250 + "@example.com"}, "Invalid email address."),
    ],
)
def test_bad_registration_explains_and_keeps_input(client, fields, message):
    response = register(client, **{"display_name": "Kept Name", **fields})
    assert response.status_code == 400
    assert message in response.text
    kept = fields.get("display_name", "Kept Name")
    if kept and len(kept) < 81:
        assert f'value="{kept}"' in response.text
    assert user_by_email(fields.get("email", "sam@bakery.example") or "x") is None


def test_missing_csrf_token_is_a_message_on_the_form_not_an_error_page(client):
    client.get("/account/register")
    response = client.post(
        "/account/register",
        data={
            "display_name": "Kept Name",
            "email": "kept@example.com",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert response.status_code == 400
    assert "missing its security token" in response.text
    assert 'value="Kept Name"' in response.text and 'value="kept@example.com"' in response.text
    assert user_by_email("kept@example.com") is None


def test_wrong_field_types_never_500(client):
    page = client.get("/account/login")
    response = client.post(
        "/account/login",
        data={
            "email": ["a@example.com", "b@example.com"],
            "password": "",
            "remember": "maybe",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert response.status_code == 400
    assert 'value="a@example.com"' in response.text


def test_login_and_logout(client, auth, make_user):
    user = make_user(name="Lee Reader")
    response = auth.login(user.email)
    assert response.status_code == 302
    assert "Lee Reader" in client.get("/").text
    assert auth.logout().status_code == 302
    assert "Lee Reader" not in client.get("/").text


def test_logout_needs_a_token(client, auth, make_user):
    user = make_user(name="Lee Reader")
    auth.login(user.email)
    client.post("/account/logout", data={})
    assert "Lee Reader" in client.get("/").text


def test_login_error_does_not_tell_whether_the_email_exists(client, auth, make_user):
    user = make_user()
    wrong_password = auth.login(user.email, "wrong password!")
    unknown_email = auth.login("nobody@example.com", "wrong password!")
    assert wrong_password.status_code == unknown_email.status_code == 400
    for response in (wrong_password, unknown_email):
        assert "Email or password is incorrect." in response.text
    strip = lambda html: html.replace(user.email, "").replace("nobody@example.com", "")  # noqa: E731
    assert strip(wrong_password.text).replace(csrf_from(wrong_password.text), "") == strip(
        unknown_email.text
    ).replace(csrf_from(unknown_email.text), "")


def test_remember_me_sets_a_lasting_httponly_cookie(client, auth, make_user):
    user = make_user()
    response = auth.login(user.email, remember="y")
    cookies = response.headers.getlist("Set-Cookie")
    remember = next(c for c in cookies if c.startswith("remember_token="))
    assert "HttpOnly" in remember and "SameSite=Lax" in remember and "Expires=" in remember
    session = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session and "SameSite=Lax" in session


def test_without_remember_me_no_lasting_cookie(client, auth, make_user):
    user = make_user()
    cookies = auth.login(user.email).headers.getlist("Set-Cookie")
    assert not any(c.startswith("remember_token=") for c in cookies)


@pytest.mark.parametrize(
    "target,expected",
    [
        ("/studio/", "/studio/"),
        ("/posts/x?y=1", "/posts/x?y=1"),
        ("https://evil.example/", None),
        ("//evil.example/", None),
        ("/\\evil.example", None),
        ("javascript:alert(1)", None),
        ("http://parley.test/tags/x", "http://parley.test/tags/x"),
        ("relative/path", None),
        ("", None),
    ],
)
def test_safe_next(target, expected):
    assert safe_next(target, "parley.test") == expected


def test_login_follows_next_only_on_this_site(client, auth, make_user):
    user = make_user()
    response = auth.login(user.email, next="/tags/x")
    assert response.headers["Location"] == "/tags/x"
    auth.logout()
    response = auth.login(user.email, next="https://evil.example/phish")
    assert response.headers["Location"] == "/"


def test_users_create_cli_prompts_for_the_password(runner, app):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--role",
            "moderator",
            "--email",
            "jane@tallyworks.example",
            "--name",
            "Jane Doe",
            "--title",
            "Head of Support",
        ],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Password" in result.output
    user = user_by_email("jane@tallyworks.example")
    assert user.role == "moderator" and user.job_title == "Head of Support"
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize(
    "args,message",
    [
        (["--role", "staff", "--email", "a@b.example", "--name", "A B"], "need a job title"),
        (["--role", "emperor", "--email", "a@b.example", "--name", "A B"], "Invalid value"),
    ],
)
def test_users_create_cli_refuses_bad_input(runner, args, message):
    result = runner.invoke(args=["users", "create", *args], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code != 0 and message in result.output


def test_users_create_cli_refuses_a_short_password_and_a_taken_email(runner, make_user):
    make_user(email="taken@example.com")
    base = ["users", "create", "--role", "staff", "--name", "A B", "--title", "Dev"]
    result = runner.invoke(args=[*base, "--email", "new@example.com"], input="short\nshort\n")
    assert result.exit_code != 0 and "at least 10" in result.output
    result = runner.invoke(
        args=[*base, "--email", "taken@example.com"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code != 0 and "already exists" in result.output
