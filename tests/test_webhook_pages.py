"""The webhook pages over HTTP: who may use them (every route × role), CSRF, bad input
answered with 400 and what was typed kept, the secret shown once, a test event."""

import pytest
import sqlalchemy as sa

from blogapp.extensions import db
from blogapp.models import AuditEvent, Role, WebhookEndpoint, WebhookMessage
from blogapp.webhooks import services as hooks
from tests.conftest import Auth, csrf_from

pytestmark = pytest.mark.usefixtures("separate_browsers")

ROLES = [Role.GUEST, Role.READER, Role.STAFF, Role.MODERATOR]


def signed_in(app, user):
    client = app.test_client()
    assert Auth(client).login(user.email).status_code == 302
    return client


def snapshot() -> tuple:
    """Everything a webhook page could change."""
    db.session.expire_all()
    endpoints = db.session.execute(
        sa.select(
            WebhookEndpoint.id,
            WebhookEndpoint.url,
            WebhookEndpoint.events,
            WebhookEndpoint.secret,
            WebhookEndpoint.paused_at,
        ).order_by(WebhookEndpoint.id)
    ).all()
    return endpoints, db.session.scalar(sa.select(sa.func.count(WebhookMessage.id)))


@pytest.fixture
def endpoint(app, make_user, make_receiver):
    return hooks.add_endpoint(make_receiver().url, ["owed"], make_user(Role.ADMIN))


ROUTES = {
    "list": ("GET", "/admin/webhooks", {}),
    "add-page": ("GET", "/admin/webhooks/new", {}),
    "add": ("POST", "/admin/webhooks/new", {"url": "http://127.0.0.1:9/x", "events": ["owed"]}),
    "endpoint": ("GET", "/admin/webhooks/{id}", {}),
    "default": ("GET", "/admin/webhooks/default", {}),
    "edit-page": ("GET", "/admin/webhooks/{id}/edit", {}),
    "edit": (
        "POST",
        "/admin/webhooks/{id}/edit",
        {"url": "http://127.0.0.1:9/y", "events": ["overdue"]},
    ),
    "rotate": ("POST", "/admin/webhooks/{id}/rotate", {}),
    "pause": ("POST", "/admin/webhooks/{id}/pause", {}),
    "resume": ("POST", "/admin/webhooks/{id}/resume", {}),
    "test": ("POST", "/admin/webhooks/{id}/test", {}),
    "delete": ("POST", "/admin/webhooks/{id}/delete", {}),
}


def route(name: str, endpoint_id: int):
    method, url, data = ROUTES[name]
    return method, url.format(id=endpoint_id), data


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
@pytest.mark.parametrize("name", list(ROUTES))
def test_only_admins_reach_the_webhook_pages_and_nothing_changes(
    app, make_user, endpoint, role, name
):
    method, url, data = route(name, endpoint.id)
    client = app.test_client() if role is Role.GUEST else signed_in(app, make_user(role))
    if method == "POST" and role is not Role.GUEST:
        data = {**data, "csrf_token": csrf_from(client.get("/").text)}
    before = snapshot()
    response = client.open(url, method=method, data=data)
    if role is Role.GUEST:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/account/login?next=")
    else:
        assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("name", list(ROUTES))
def test_admins_reach_every_webhook_page(app, make_user, endpoint, name):
    method, url, data = route(name, endpoint.id)
    client = signed_in(app, make_user(Role.ADMIN))
    if method == "POST":
        data = {**data, "csrf_token": csrf_from(client.get("/admin/webhooks").text)}
    response = client.open(url, method=method, data=data)
    assert response.status_code == (200 if method == "GET" else 303), response.text[:500]


@pytest.mark.parametrize("name", [n for n, (method, _, _) in ROUTES.items() if method == "POST"])
def test_webhook_changes_need_the_csrf_token(app, make_user, endpoint, name):
    method, url, data = route(name, endpoint.id)
    client = signed_in(app, make_user(Role.ADMIN))
    before = snapshot()
    response = client.post(url, data={**data, "csrf_token": "forged"}, follow_redirects=True)
    assert response.status_code in (200, 400)
    assert "security token" in response.text or "needs a fresh page" in response.text
    assert snapshot() == before


def test_unknown_endpoints_are_404(app, make_user):
    client = signed_in(app, make_user(Role.ADMIN))
    for url in ("/admin/webhooks/999999", "/admin/webhooks/999999/edit", "/admin/webhooks/x"):
        assert client.get(url).status_code == 404
    token = csrf_from(client.get("/admin/webhooks").text)
    assert client.post("/admin/webhooks/999999/test", data={"csrf_token": token}).status_code == 404


@pytest.mark.parametrize(
    ("url", "events", "says"),
    [
        ("ftp://hooks.example.com/in", ["owed"], "must start with https://"),
        ("http://10.0.0.8/in", ["owed"], "private or local address"),
        ("", ["owed"], "Type the address"),
        ("https://127.0.0.1/in", [], "Choose at least one event"),
        ("https://127.0.0.1/in", ["no-such-event"], "is not a valid choice"),
    ],
)
def test_a_bad_endpoint_is_400_with_what_was_typed(app, make_user, url, events, says):
    app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"] = url.startswith("https://127.")
    client = signed_in(app, make_user(Role.ADMIN))
    token = csrf_from(client.get("/admin/webhooks/new").text)
    response = client.post(
        "/admin/webhooks/new", data={"url": url, "events": events, "csrf_token": token}
    )
    assert response.status_code == 400
    assert says in response.text
    if url:
        assert f'value="{url}"' in response.text
    assert db.session.scalar(sa.select(sa.func.count(WebhookEndpoint.id))) == 0


def test_the_secret_is_shown_once_and_a_test_event_lands_in_the_log(app, make_user, make_receiver):
    receiver = make_receiver()
    receiver.answer = b'{"received": true}'
    client = signed_in(app, make_user(Role.ADMIN))
    token = csrf_from(client.get("/admin/webhooks/new").text)
    added = client.post(
        "/admin/webhooks/new",
        data={"url": receiver.url, "events": ["owed", "post_published"], "csrf_token": token},
        follow_redirects=True,
    )
    endpoint = db.session.scalar(sa.select(WebhookEndpoint))
    assert endpoint.events == "owed post_published"
    assert endpoint.secret in added.text and "shown this once" in added.text
    page = client.get(f"/admin/webhooks/{endpoint.id}")
    assert endpoint.secret not in page.text and endpoint.secret_hint in page.text
    tested = client.post(
        f"/admin/webhooks/{endpoint.id}/test",
        data={"csrf_token": csrf_from(page.text)},
        follow_redirects=True,
    )
    assert "Test event delivered: the endpoint answered 200." in tested.text
    assert "{&#34;received&#34;: true}" in tested.text  # the response excerpt, in the log
    assert len(receiver.received) == 1
    rotated = client.post(
        f"/admin/webhooks/{endpoint.id}/rotate",
        data={"csrf_token": csrf_from(page.text)},
        follow_redirects=True,
    )
    db.session.refresh(endpoint)
    assert endpoint.secret in rotated.text
    assert endpoint.secret not in client.get(f"/admin/webhooks/{endpoint.id}").text
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["webhook_added", "webhook_secret_rotated"]
    audit_page = client.get("/responses/audit?action=webhook_added")
    assert audit_page.status_code == 200 and receiver.url in audit_page.text


def test_a_test_event_that_fails_says_why(app, make_user, make_receiver):
    receiver = make_receiver()
    receiver.status = 500
    admin = make_user(Role.ADMIN)
    endpoint = hooks.add_endpoint(receiver.url, ["owed"], admin)
    client = signed_in(app, admin)
    page = client.get(f"/admin/webhooks/{endpoint.id}")
    tested = client.post(
        f"/admin/webhooks/{endpoint.id}/test",
        data={"csrf_token": csrf_from(page.text)},
        follow_redirects=True,
    )
    assert "The test event was not delivered: HTTP 500." in tested.text


def test_the_environment_url_is_listed_with_its_log(app, make_user, receiver):
    client = signed_in(app, make_user(Role.ADMIN))
    listing = client.get("/admin/webhooks")
    assert receiver.url in listing.text and "RESPONSE_WEBHOOK_URL" in listing.text
    assert "Change it there" in client.get("/admin/webhooks/default").text


def test_editing_keeps_the_secret_and_changes_the_events(app, make_user, endpoint):
    client = signed_in(app, make_user(Role.ADMIN))
    form = client.get(f"/admin/webhooks/{endpoint.id}/edit")
    assert '<input checked id="events-0" name="events" type="checkbox" value="owed">' in form.text
    assert '<input id="events-1" name="events" type="checkbox" value="overdue">' in form.text
    secret = endpoint.secret
    client.post(
        f"/admin/webhooks/{endpoint.id}/edit",
        data={
            "url": endpoint.url,
            "events": ["overdue", "due_soon"],
            "csrf_token": csrf_from(form.text),
        },
    )
    db.session.refresh(endpoint)
    assert (endpoint.events, endpoint.secret) == ("overdue due_soon", secret)
    changed = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "webhook_changed")
    ).one()
    assert "events: overdue due_soon (was" in changed.detail and "events: owed" in changed.detail
