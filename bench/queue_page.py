"""Benchmark: the response queue and metrics pages with 10,000 owed comments on 200 posts,
beside a bare Flask page served by the same gunicorn in the same run.

Seeds a fresh SQLite database (10,000 owed customer comments spread over eight weeks,
plus 2,000 answered ones so the metrics have something to draw), serves Parley with
gunicorn (2 workers) on 127.0.0.1 and measures each page with wrk (or a small Python
client when wrk is absent), signed in as a moderator. Prints requests/s, p50 and p99.

    .venv/bin/python bench/queue_page.py [--duration 5] [--connections 8]
"""

import argparse
import os
import random
import shutil
import signal
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from thread_page import (  # noqa: E402
    READER_PASSWORD,
    free_port,
    reader_cookie,
    run_python,
    run_wrk,
    start_gunicorn,
)

POSTS, OWED, ANSWERED = 200, 10_000, 2_000
MODERATOR_EMAIL = "bench.moderator@example.com"


def seed(database: Path) -> None:
    os.environ.update(DATABASE_URL=f"sqlite:///{database}", PARLEY_ENV="development")
    import sqlalchemy as sa

    from blogapp import create_app
    from blogapp.accounts.services import create_user
    from blogapp.extensions import db
    from blogapp.models import Acknowledgement, Comment, Post, PostStatus, Role
    from blogapp.models.base import utcnow

    app = create_app()
    rng = random.Random(20261123)
    now = utcnow()
    with app.app_context():
        db.create_all()
        staff = [
            create_user(f"bench.staff{n}@example.com", READER_PASSWORD, f"Staff {n}", Role.STAFF)
            for n in range(5)
        ]
        create_user(MODERATOR_EMAIL, READER_PASSWORD, "Bench Moderator", Role.MODERATOR)
        db.session.commit()
        db.session.execute(
            sa.insert(Post),
            [
                {
                    "slug": f"post-{n}",
                    "title": f"Post number {n}",
                    "body_source": "Body.",
                    "body_html": "<p>Body.</p>",
                    "excerpt": "Body.",
                    "status": PostStatus.PUBLISHED.value,
                    "published_at": now - timedelta(days=60),
                    "author_id": staff[n % len(staff)].id,
                }
                for n in range(POSTS)
            ],
        )
        post_ids = list(db.session.scalars(sa.select(Post.id)))
        rows = []
        for n in range(OWED + ANSWERED):
            body = f"Question {n}: how do recurring invoices handle a paused month?"
            rows.append(
                {
                    "post_id": rng.choice(post_ids),
                    "guest_name": f"Customer {n % 700}",
                    "guest_email": f"customer{n % 700}@example.com",
                    "body_source": body,
                    "body_html": f"<p>{body}</p>",
                    "status": "published",
                    "created_at": now - timedelta(minutes=rng.randint(1, 8 * 7 * 24 * 60)),
                    "changed_at": now,
                }
            )
        db.session.execute(sa.insert(Comment), rows)
        answered = db.session.execute(
            sa.select(Comment.id, Comment.created_at).order_by(Comment.id).limit(ANSWERED)
        ).all()
        db.session.execute(
            sa.insert(Acknowledgement),
            [
                {
                    "comment_id": cid,
                    "standing_comment_id": cid,
                    "kind": "acknowledged",
                    "employee_id": rng.choice(staff).id,
                    "created_at": created + timedelta(minutes=rng.randint(5, 3 * 24 * 60)),
                }
                for cid, created in answered
            ],
        )
        db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    measure = run_wrk if shutil.which("wrk") else run_python
    tool = "wrk" if measure is run_wrk else "python client"

    workdir = Path(tempfile.mkdtemp(prefix="parley-bench-queue-"))
    database = workdir / "bench.db"
    print(f"Seeding {OWED:,} owed comments on {POSTS} posts in {database} ...", flush=True)
    seed(database)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "PARLEY_ENV": "development",
        "PARLEY_INSTANCE_DIR": str(workdir / "instance"),
        "BENCH_SQLITE_PATH": str(database),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_MAX_REQUESTS": "0",
        "PYTHONPATH": str(ROOT),
    }
    server = start_gunicorn(port, env, workdir)
    base = f"http://127.0.0.1:{port}"
    try:
        cookie = reader_cookie(base, MODERATOR_EMAIL)
        targets = [
            ("bare Flask page", "/__ref/bare/", None),
            ("queue, page 1 (25 of 10,000)", "/responses", cookie),
            ("queue, overdue, page 100", "/responses?view=overdue&page=100", cookie),
            ("queue, one post", "/responses?post=7", cookie),
            ("metrics, 12 weeks", "/responses/metrics", cookie),
        ]
        results = {}
        for label, path, session in targets:
            measure(base + path, 1, args.connections, session)  # warm up every worker
            results[label] = measure(base + path, args.duration, args.connections, session)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
        shutil.rmtree(workdir, ignore_errors=True)

    bare = results["bare Flask page"]["rps"]
    print(f"\n{tool}, {args.connections} connections, {args.duration}s each, gunicorn 2 workers\n")
    print(f"{'page':34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'÷bare':>7} errors")
    for label, r in results.items():
        print(
            f"{label:34} {r['rps']:8.0f} {r['p50']:8.1f} {r['p99']:8.1f} "
            f"{r['rps'] / bare:7.2f} {r['errors']:6d}"
        )


if __name__ == "__main__":
    main()
