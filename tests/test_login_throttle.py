"""Login throttling: failed logins per account (known or not) and per client address."""

import uuid

import pytest

from blogapp.accounts.services import create_user
from blogapp.extensions import db
from tests.conftest import PASSWORD, Auth, csrf_from, start_requests_with_empty_g

TOO_MANY = "Too many attempts to log in. Try again in 15 minutes."
REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def limits(separate_browsers):
    """The production limits (TestingConfig loosens them for the rest of the suite)."""
    app = separate_browsers
    app.config.update(
        LOGIN_RATE_LIMIT_ACCOUNT="5 per 15 minutes", LOGIN_RATE_LIMIT_IP="30 per 15 minutes"
    )
    return app


def attempts(client, email: str, password: str, times: int) -> list:
    return [Auth(client).login(email, password) for _ in range(times)]


def test_thirty_wrong_passwords_then_the_right_one_are_throttled(
    limits, client, make_user, monkeypatch
):
    user = make_user(name="Tess Target")
    answers = attempts(client, user.email, "wrong password!", 30)
    assert [a.status_code for a in answers] == [400] * 5 + [429] * 25
    assert all("Email or password is incorrect." in a.text for a in answers[:5])
    throttled = answers[-1]
    assert TOO_MANY in throttled.text and f'value="{user.email}"' in throttled.text
    assert int(throttled.headers["Retry-After"]) in range(800, 901)
    # While throttled the password is not even checked: the right one is refused too.
    checked = []
    monkeypatch.setattr(type(user), "check_password", lambda self, p: checked.append(p))
    right = Auth(client).login(user.email, PASSWORD)
    assert right.status_code == 429 and TOO_MANY in right.text
    assert checked == [] and "Tess Target" not in client.get("/").text


def test_an_unknown_account_is_throttled_with_the_same_answer(limits, app, make_user):
    user = make_user()
    known, unknown = app.test_client(), app.test_client()
    known_answers = attempts(known, user.email, "wrong password!", 6)
    unknown_answers = attempts(unknown, "nobody@example.com", "wrong password!", 6)
    for answers in (known_answers, unknown_answers):
        assert [a.status_code for a in answers] == [400] * 5 + [429]
        assert all("Email or password is incorrect." in a.text for a in answers[:5])
    pages = []
    for response, email in (
        (known_answers[-1], user.email),
        (unknown_answers[-1], "nobody@example.com"),
    ):
        pages.append(response.text.replace(csrf_from(response.text), "").replace(email, "EMAIL"))
    assert pages[0] == pages[1] and TOO_MANY in pages[0]


def login_from(client, address: str, email: str, password: str = PASSWORD):
    """Log in through the form from the client address ``address``."""
    page = client.get("/account/login", environ_base={"REMOTE_ADDR": address})
    data = {"email": email, "password": password, "csrf_token": csrf_from(page.text)}
    return client.post("/account/login", data=data, environ_base={"REMOTE_ADDR": address})


def test_the_account_is_throttled_from_any_address_however_its_email_is_typed(
    limits, app, make_user
):
    make_user(email="tess@example.com")
    for n in range(5):
        answer = login_from(app.test_client(), f"192.0.2.{n}", f" TESS@Example.com{' ' * n}", "x")
        assert answer.status_code == 400 and "Email or password is incorrect." in answer.text
    answer = login_from(app.test_client(), "203.0.113.9", "tess@example.com")
    assert answer.status_code == 429 and TOO_MANY in answer.text


def test_one_address_is_throttled_across_accounts_and_successes_do_not_count(
    limits, app, client, make_user
):
    app.config["LOGIN_RATE_LIMIT_IP"] = "10 per 15 minutes"
    user = make_user()
    for _ in range(12):  # an office logging in all morning from one address
        assert Auth(client).login(user.email).status_code == 302
        Auth(client).logout()
    for n in range(10):  # one wrong password each, on ten accounts
        assert Auth(client).login(f"person{n}@example.com", "wrong password!").status_code == 400
    answer = Auth(client).login(user.email)
    assert answer.status_code == 429 and TOO_MANY in answer.text
    # Another address is not affected.
    assert login_from(app.test_client(), "198.51.100.7", user.email).status_code == 302


def test_logging_in_clears_the_accounts_count(limits, client, make_user):
    user = make_user()
    for _ in range(3):
        assert [a.status_code for a in attempts(client, user.email, "wrong password!", 4)] == [
            400
        ] * 4
        assert Auth(client).login(user.email).status_code == 302
        Auth(client).logout()


def test_changing_the_password_is_throttled_like_logging_in(limits, client, auth, make_user):
    user = make_user()
    auth.login(user.email)
    answers = []
    for _ in range(6):
        page = client.get("/account/security")
        answers.append(
            client.post(
                "/account/security/password",
                data={
                    "current_password": "a wrong guess",
                    "new_password": "a brand new passphrase",
                    "confirm": "a brand new passphrase",
                    "csrf_token": csrf_from(page.text),
                },
            )
        )
    assert [a.status_code for a in answers] == [400] * 5 + [429]
    assert "Too many attempts. Try again in 15 minutes." in answers[-1].text


@pytest.fixture
def redis_app(make_app):
    """An app whose rate-limit counters are in Redis, as in production."""
    redis = pytest.importorskip("redis")
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not reachable at {REDIS_URL} (CI runs it)")
    connection.flushdb()
    prefix = f"parley-test-{uuid.uuid4().hex[:8]}"
    app = make_app(
        RATELIMIT_STORAGE_URI=REDIS_URL,
        RATELIMIT_KEY_PREFIX=prefix,
        LOGIN_RATE_LIMIT_ACCOUNT="5 per 15 minutes",
        LOGIN_RATE_LIMIT_IP="30 per 15 minutes",
    )
    start_requests_with_empty_g(app)
    with app.app_context():
        yield app, connection, prefix
        db.session.remove()
    connection.flushdb()
    connection.close()


def test_throttling_counts_in_redis_shared_by_every_worker(redis_app):
    app, connection, prefix = redis_app
    create_user("tess@example.com", PASSWORD, "Tess Target")
    db.session.commit()
    # Two test clients stand for two workers: the counts are in Redis, not in either.
    answers = [
        Auth(app.test_client()).login("tess@example.com", "wrong password!") for _ in range(30)
    ]
    assert [a.status_code for a in answers] == [400] * 5 + [429] * 25
    right = Auth(app.test_client()).login("tess@example.com")
    assert right.status_code == 429 and TOO_MANY in right.text
    keys = [key.decode() for key in connection.keys(f"*{prefix}*")]
    assert any("login-account" in key for key in keys) and any(
        "login-address" in key for key in keys
    )
    assert not any("tess" in key for key in keys)  # the email is hashed, not stored
    # Unknown accounts count there too, with the same answer.
    unknown = [Auth(app.test_client()).login("nobody@example.com", "x") for _ in range(6)]
    assert [a.status_code for a in unknown] == [400] * 5 + [429]
