"""Webhooks speak the API's language (issue 18, point 6): each event's payload is made of
the API's resources and validates against their models; the OpenAPI document lists the
events under ``webhooks``; a chat endpoint gets {"text": one line} signed the same way,
with people's text escaped for Slack; the admin form chooses the format."""

import hashlib
import hmac
import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from blogapp.api.event_schemas import EVENT_SCHEMAS
from blogapp.comments.moderation import approve_comment
from blogapp.comments.services import post_comment
from blogapp.extensions import db
from blogapp.models import Role, WebhookEndpoint, WebhookEvent
from blogapp.models.base import utcnow
from blogapp.responses import schedule, services
from blogapp.studio.drafts import PostDraft
from blogapp.studio.editing import save_post
from blogapp.webhooks import services as hooks
from blogapp.webhooks.chat import escape
from blogapp.webhooks.delivery import deliver_webhooks
from tests.conftest import Auth, csrf_from

EVERYTHING = [e.value for e in WebhookEvent.subscribable()]


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, email="ada@example.com")


def _all_events(app, admin, make_user, make_post, make_comment, endpoint_format="json"):
    """Every event once, to an endpoint of ``endpoint_format``; the posts and comments."""
    jane = make_user(Role.STAFF, "Priya Shah")
    mod = make_user(Role.MODERATOR)
    post = make_post(author=jane, title="Pricing <b>& plans</b>")
    guest = post_comment(post, "First time here", guest_name="<!channel> Sam", guest_email="s@x.io")
    approve_comment(guest, mod)
    services.acknowledge(guest, jane)
    late = make_comment(post, created_at=utcnow() - timedelta(hours=26))
    make_comment(post, created_at=utcnow() - timedelta(hours=23))
    app.config["DUE_SOON_HOURS"] = 2
    assert schedule.warn_due_soon() == 1
    save_post(None, PostDraft(title="Launch", body="We shipped."), jane, None, "publish")
    deliver_webhooks()
    return post, guest, late


def test_every_event_validates_against_the_apis_models(
    app, client, admin, make_receiver, make_user, make_post, make_comment
):
    receiver = make_receiver()
    hooks.add_endpoint(receiver.url, EVERYTHING, admin)
    post, guest, _ = _all_events(app, admin, make_user, make_post, make_comment)
    sent = [json.loads(body) for body, _ in receiver.received]
    assert {e["event"] for e in sent} == set(EVERYTHING)
    for payload in sent:
        # extra="forbid" throughout: a field the API's models lack fails too.
        EVENT_SCHEMAS[WebhookEvent(payload["event"])].model_validate(payload)
    # The comment is the one the API answers, field for field ("Answered by" included).
    acknowledged = next(e for e in sent if e["event"] == "acknowledged")
    assert acknowledged["comment"] == client.get(f"/api/v1/comments/{guest.id}").get_json()
    assert acknowledged["comment"]["answer"]["name"] == "Priya Shah"
    assert acknowledged["kind"] == "acknowledged" and acknowledged["employee"]["name"]
    listed = client.get("/api/v1/posts").get_json()["items"]
    assert acknowledged["post"] in listed
    overdue = next(e for e in sent if e["event"] == "overdue")
    assert overdue["item"]["overdue"] is True
    assert overdue["item"]["assignee"]["name"] == "Priya Shah"  # the post's author, by default
    soon = next(e for e in sent if e["event"] == "due_soon")
    assert soon["item"]["overdue"] is False


def test_the_openapi_document_lists_each_event_with_its_schema(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert set(doc["webhooks"]) == {e.value for e in WebhookEvent}
    schemas = doc["components"]["schemas"]
    for event, model in EVENT_SCHEMAS.items():
        ref = doc["webhooks"][event.value]["post"]["requestBody"]["content"]["application/json"]
        assert ref["schema"]["$ref"] == f"#/components/schemas/{model.__name__}"
    tracker = schemas["TrackerEvent"]["properties"]
    assert tracker["comment"]["$ref"] == "#/components/schemas/CommentOut"
    assert tracker["post"]["$ref"] == "#/components/schemas/PostSummary"


def test_a_chat_endpoint_gets_one_signed_line_a_comment_cannot_inject_into(
    app, admin, make_receiver, make_user, make_post, make_comment
):
    receiver = make_receiver()
    endpoint = hooks.add_endpoint(receiver.url, EVERYTHING, admin, "chat")
    post, guest, late = _all_events(app, admin, make_user, make_post, make_comment, "chat")
    texts = {}
    for body, signature in receiver.received:
        assert (
            signature
            == "sha256=" + hmac.new(endpoint.secret.encode(), body, hashlib.sha256).hexdigest()
        )
        payload = json.loads(body)
        assert list(payload) == ["text"]
        texts.setdefault(payload["text"].split(":")[0], []).append(payload["text"])
    assert set(texts) == {"Owed", "Overdue", "Due soon", "Answered", "New comment", "Published"}
    overdue = texts["Overdue"][0]
    assert overdue.startswith("Overdue: Gail Guest's comment on \u201cPricing &lt;b&gt;&amp; plans")
    assert "assigned to Priya Shah, due 2 h ago" in overdue
    assert overdue.endswith(f"/c/{late.id}>")
    owed = [t for t in texts["Owed"] if "Sam" in t][0]
    assert "&lt;!channel&gt; Sam" in owed and "<!channel>" not in owed
    assert owed.endswith(f"/c/{guest.id}>")
    assert texts["Answered"][0].count("acknowledged by ") == 1
    assert "Published: \u201cLaunch\u201d by Priya Shah <http://parley.test/posts/launch>" in (
        texts["Published"]
    )


def test_escape_leaves_no_control_character_of_slack():
    assert escape("<@U123> & <http://x|y>") == "&lt;@U123&gt; &amp; &lt;http://x|y&gt;"


def checked_format(page: str) -> str:
    """The value of the format radio that is checked on the page."""
    (value,) = re.findall(r'<input checked[^>]*name="format"[^>]*value="(\w+)"', page)
    return value


def signed_in(app, user):
    client = app.test_client()
    assert Auth(client).login(user.email).status_code == 302
    return client


def test_the_admin_form_chooses_the_format(app, admin, make_receiver):
    receiver = make_receiver()
    client = signed_in(app, admin)
    form = client.get("/admin/webhooks/new").text
    assert 'value="chat"' in form and checked_format(form) == "json"
    data = {"url": receiver.url, "events": ["owed"], "csrf_token": csrf_from(form)}
    refused = client.post("/admin/webhooks/new", data={**data, "format": "xml"})
    assert refused.status_code == 400 and "Not a valid choice" in refused.text
    assert f'value="{receiver.url}"' in refused.text
    assert db.session.scalar(sa.select(sa.func.count(WebhookEndpoint.id))) == 0
    client.post("/admin/webhooks/new", data={**data, "format": "chat"}, follow_redirects=True)
    endpoint = db.session.scalar(sa.select(WebhookEndpoint))
    assert endpoint.format == "chat"
    page = client.get(f"/admin/webhooks/{endpoint.id}").text
    assert "Chat message" in page
    edit = client.get(f"/admin/webhooks/{endpoint.id}/edit").text
    assert checked_format(edit) == "chat"
    client.post(
        f"/admin/webhooks/{endpoint.id}/edit",
        data={**data, "csrf_token": csrf_from(edit), "format": "json"},
        follow_redirects=True,
    )
    db.session.refresh(endpoint)
    assert endpoint.format == "json"
    tested = client.post(
        f"/admin/webhooks/{endpoint.id}/test", data={"csrf_token": csrf_from(page)}
    )
    assert tested.status_code == 303
    assert json.loads(receiver.received[-1][0])["event"] == "ping"


def test_the_database_refuses_an_unknown_format(app, admin):
    endpoint = hooks.add_endpoint("https://127.0.0.1/in", ["owed"], admin)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(
            sa.update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint.id).values(format="xml")
        )
        db.session.flush()
    db.session.rollback()
    assert db.session.get(WebhookEndpoint, endpoint.id).format == "json"
