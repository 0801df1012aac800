"""The bench's WSGI app: Parley, plus two reference pages served by the same gunicorn.

/__ref/bare  a bare Flask page returning a short string;
/__ref/rows  a bare Flask page reading the 200-comment thread's rows from SQLite in one
             query and rendering them as nested lists with a cached Jinja template.
"""

import os
import sqlite3

from flask import Flask
from jinja2 import Environment
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from blogapp import create_app

DATABASE = os.environ["BENCH_SQLITE_PATH"]
POST_SLUG = os.environ.get("BENCH_REF_SLUG", "thread-200")

_TEMPLATE = Environment(autoescape=True).from_string(
    """<!doctype html><title>rows</title><ol>
{%- for node in roots recursive %}<li id="c{{ node.id }}"><b>{{ node.name }}</b>
<div>{{ node.html|safe }}</div>
{%- if node.children %}<ol>{{ loop(node.children) }}</ol>{% endif %}</li>
{%- endfor %}</ol>"""
)

bare = Flask("bare")
rows = Flask("rows")


@bare.get("/")
def hello():
    return "Hello, bench."


@rows.get("/")
def nested_rows():
    connection = sqlite3.connect(DATABASE)
    try:
        found = connection.execute(
            "SELECT c.id, c.parent_id, COALESCE(u.display_name, c.guest_name), c.body_html "
            "FROM comments c JOIN posts p ON p.id = c.post_id "
            "LEFT JOIN users u ON u.id = c.author_id WHERE p.slug = ? ORDER BY c.created_at, c.id",
            (POST_SLUG,),
        ).fetchall()
    finally:
        connection.close()
    nodes = {i: {"id": i, "name": n, "html": h, "children": []} for i, _, n, h in found}
    roots = []
    for i, parent, _, _ in found:
        (nodes[parent]["children"] if parent in nodes else roots).append(nodes[i])
    return _TEMPLATE.render(roots=roots)


app = DispatcherMiddleware(create_app(), {"/__ref/bare": bare, "/__ref/rows": rows})
