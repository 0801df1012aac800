"""Operations: health checks, security headers, request ids and JSON logs, proxies."""

import json
import logging
import re
from pathlib import Path

import pytest

from blogapp import create_app
from blogapp.ops.logs import JsonFormatter
from config import TestingConfig

TEMPLATES = Path(__file__).resolve().parent.parent / "blogapp" / "templates"


@pytest.mark.parametrize("url", ["/", "/account/login", "/no-such-page", "/feed.atom", "/healthz"])
def test_security_headers_on_every_response(client, url):
    response = client.get(url)
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_templates_have_no_inline_script_handlers_or_styles():
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
    handler = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
    style_attr = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        assert not inline_script.search(text), f"inline <script> in {path}"
        assert not handler.search(text), f"inline event handler in {path}"
        assert not style_attr.search(text), f"inline style in {path}"
        assert "<style" not in text, f"<style> block in {path}"


def test_healthz_answers_without_the_database(app, client):
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:////nonexistent/dir/db.sqlite"
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_readyz_wants_current_migrations(tmp_path):
    app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'ready.db'}",
        INSTANCE_DIR=str(tmp_path),
    )
    client = app.test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["migrations"]["ok"] is False
    assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    response = client.get("/readyz")
    assert response.status_code == 200, response.json
    assert response.json["status"] == "ready"
    assert response.json["checks"]["database"] == {"ok": True}


def test_readyz_reports_an_unreachable_database(tmp_path):
    app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'missing' / 'db.sqlite'}",
        INSTANCE_DIR=str(tmp_path),
    )
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["database"]["ok"] is False


def test_readyz_watches_outbox_backlogs(app, client, monkeypatch):
    from blogapp.ops import health
    from blogapp.ops.outbox import outboxes

    monkeypatch.setattr(health, "migration_heads", lambda: {"x"})
    monkeypatch.setattr(health, "applied_revisions", lambda: {"x"})
    monkeypatch.setattr(outboxes(app)["mail"], "backlog", lambda: (5, 0))
    app.config["READY_MAX_OUTBOX_BACKLOG"] = 10
    assert client.get("/readyz").status_code == 200
    app.config["READY_MAX_OUTBOX_BACKLOG"] = 4
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["mail_outbox"] == {
        "ok": False,
        "waiting": 5,
        "dead": 0,
        "limit": 4,
    }


def test_request_id_is_generated_or_kept(client):
    generated = client.get("/healthz").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    assert (
        client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"]
        == "abc-123"
    )
    hostile = client.get("/healthz", headers={"X-Request-ID": 'x" injected {'}).headers[
        "X-Request-ID"
    ]
    assert re.fullmatch(r"[0-9a-f]{32}", hostile)


def test_access_log_lines_are_json_with_the_request_id(client, caplog):
    caplog.set_level(logging.INFO, logger="parley.access")
    response = client.get("/healthz", headers={"X-Request-ID": "req-42"})
    record = next(r for r in caplog.records if r.name == "parley.access")
    entry = json.loads(JsonFormatter().format(record))
    assert entry["request_id"] == "req-42" == response.headers["X-Request-ID"]
    assert entry["path"] == "/healthz" and entry["status"] == 200 and entry["method"] == "GET"
    assert isinstance(entry["duration_ms"], float)


def test_proxy_fix_only_when_configured(tmp_path):
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "blog.example.com"}
    for count, expected in ((0, "http://localhost/"), (1, "https://blog.example.com/")):
        app = create_app(
            TestingConfig, INSTANCE_DIR=str(tmp_path), SERVER_NAME=None, PROXY_COUNT=count
        )

        @app.get("/where")
        def where():
            from flask import url_for

            return url_for("blog.index", _external=True)

        assert app.test_client().get("/where", headers=headers).text == expected
