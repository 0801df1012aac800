"""Benchmark: the response queue and metrics pages with 10,000 owed comments on 200 posts,
beside a bare Flask page served by the same gunicorn in the same run.

Seeds a fresh SQLite database (10,000 owed customer comments spread over eight weeks,
plus 2,000 answered ones so the metrics have something to draw), serves Parley with
gunicorn (2 workers) on 127.0.0.1 and measures each page with wrk (or a small Python
client when wrk is absent), signed in as a moderator, in one-second slices taken in turn
with a slice of each reference of bench/thread_page.py (the bare page, and the 200-row
page read from thread_page.py's 200-comment thread, seeded into a database of its own).
Prints requests/s, p50 and p99, the ratios to the references measured in those same
seconds, and whether issue 13's targets are met (queue page 1, an overdue page and the
metrics page each >= 0.25 x the 200-row reference).

    .venv/bin/python bench/queue_page.py [--duration 10] [--connections 8]
"""

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from thread_page import (
    READER_PASSWORD,
    REFERENCES,
    combine,
    free_port,
    measure_paired,
    reader_cookie,
    run_python,
    run_wrk,
    start_gunicorn,
)

ROOT = Path(__file__).resolve().parent.parent

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


def seed_reference(database: Path) -> None:
    """The rows reference reads thread_page.py's 200-comment thread: seeded into its own
    database by a separate process (the app's settings read DATABASE_URL once, on import),
    so the reference page is the very one the thread page's targets are measured against
    and its comments add nothing to the queue."""
    code = (
        "from pathlib import Path; import thread_page; "
        f"thread_page.seed(Path({str(database)!r}), sizes=(200,))"
    )
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'bench'}"}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=ROOT)


TARGET = 0.25  # issue 13: each of these pages >= 0.25 x the 200-row reference
QUEUE_PAGE_1 = "queue, page 1 (25 of 10,000)"
OVERDUE_PAGE = "queue, overdue, page 100"
METRICS = "metrics, 12 weeks"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--duration",
        type=int,
        default=10,
        help="one-second slices per page (each beside both references)",
    )
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    measure = run_wrk if shutil.which("wrk") else run_python
    tool = "wrk" if measure is run_wrk else "python client"

    load_before = os.getloadavg()
    workdir = Path(tempfile.mkdtemp(prefix="parley-bench-queue-"))
    database, reference = workdir / "bench.db", workdir / "reference.db"
    print(f"Seeding the 200-comment reference thread in {reference} ...", flush=True)
    seed_reference(reference)
    print(f"Seeding {OWED:,} owed comments on {POSTS} posts in {database} ...", flush=True)
    seed(database)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "PARLEY_ENV": "development",
        "PARLEY_INSTANCE_DIR": str(workdir / "instance"),
        "BENCH_SQLITE_PATH": str(reference),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_MAX_REQUESTS": "0",
        "PYTHONPATH": str(ROOT),
    }
    server = start_gunicorn(port, env, workdir)
    base = f"http://127.0.0.1:{port}"
    time.sleep(3)  # the second worker may still be importing the app (see thread_page.py)
    try:
        cookie = reader_cookie(base, MODERATOR_EMAIL)
        targets = [
            (QUEUE_PAGE_1, "/responses"),
            (OVERDUE_PAGE, "/responses?view=overdue&page=100"),
            ("queue, one post", "/responses?post=7"),
            (METRICS, "/responses/metrics"),
            ("studio home (staff nav counts)", "/studio/"),
        ]
        results = {}
        for label, path in targets:
            results[label] = measure_paired(
                measure, base, path, cookie, args.duration, args.connections
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
        shutil.rmtree(workdir, ignore_errors=True)

    load_after = os.getloadavg()
    print(f"\n{tool}, {args.connections} connections, {args.duration} one-second slices a page,")
    print("each slice beside a slice of each reference; gunicorn 2 workers")
    print(
        "load average before the run: {:.2f} {:.2f} {:.2f}; after: {:.2f} {:.2f} {:.2f}\n".format(
            *load_before, *load_after
        )
    )
    print(f"{'page':44} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'÷bare':>7} {'÷rows':>7} errors")
    for key, (label, _) in REFERENCES.items():
        ref = combine([r[key] for r in results.values()])
        print(
            f"{label:44} {ref['rps']:8.0f} {ref['p50']:8.1f} {ref['p99']:8.1f} {'':>7} {'':>7} "
            f"{ref['errors']:6d}"
        )
    ratios = {}
    for label, r in results.items():
        page = r["page"]
        ratios[label] = page["rps"] / r["rows"]["rps"]
        print(
            f"{label:44} {page['rps']:8.0f} {page['p50']:8.1f} {page['p99']:8.1f} "
            f"{page['rps'] / r['bare']['rps']:7.2f} {ratios[label]:7.2f} {page['errors']:6d}"
        )
    print("\nTargets:")
    for label in (QUEUE_PAGE_1, OVERDUE_PAGE, METRICS):
        met = "met" if ratios[label] >= TARGET else "NOT met"
        print(f"  {label + f' >= {TARGET:.2f} x rows reference:':58} {ratios[label]:.2f} {met}")


if __name__ == "__main__":
    main()
