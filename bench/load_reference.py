"""The load bench's baseline: the least a comment-posting site can do under gunicorn.

GET /posts/<slug> reads the newest 50 rows of one table; POST inserts a row into
SQLite (WAL, synchronous=NORMAL, the same busy timeout as Parley) and redirects. No accounts, no
Markdown, no CSRF, no outboxes: what is left is gunicorn, Flask and one write.
"""

import os
import sqlite3

from flask import Flask, redirect, request

DATABASE = os.environ["BENCH_SQLITE_PATH"]

app = Flask("reference")


def connect() -> sqlite3.Connection:
    connection = sqlite3.connect(DATABASE, timeout=20)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")  # as Parley's (blogapp/extensions.py)
    return connection


with connect() as setup:
    setup.execute("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, slug TEXT, body TEXT)")


@app.get("/healthz")
def healthz():
    return "ok"


@app.get("/posts/<slug>")
def page(slug: str):
    connection = connect()
    try:
        rows = connection.execute(
            "SELECT id, body FROM notes WHERE slug = ? ORDER BY id DESC LIMIT 50", (slug,)
        ).fetchall()
    finally:
        connection.close()
    items = "".join(f'<li id="c{i}">{body}</li>' for i, body in rows)
    return f"<ol>{items}</ol><form method=post><textarea name=body></textarea></form>"


@app.post("/posts/<slug>")
def write(slug: str):
    connection = connect()
    try:
        with connection:
            connection.execute(
                "INSERT INTO notes (slug, body) VALUES (?, ?)", (slug, request.form["body"])
            )
    finally:
        connection.close()
    return redirect(f"/posts/{slug}", 303)
