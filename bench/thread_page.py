"""Benchmark: the post page with 20, 200 and 2,000 comments, against two references.

Seeds a fresh SQLite database (bodies of about 45 words, threads several levels deep,
a third of the comments by staff), serves Parley with gunicorn (2 workers) on
127.0.0.1 together with the reference pages of bench/reference_apps.py, and measures
each page with wrk (or a small Python client when wrk is absent). Prints requests/s,
p50 and p99 latency, each figure as a ratio to the references, and whether issue 3's
targets are met.

The machine's speed drifts by up to 2x within a run (a shared host), so each page is
measured in one-second slices taken in turn with a slice of each reference, and its
ratios are to the references measured in those same seconds.

    .venv/bin/python bench/thread_page.py [--duration 10] [--connections 8]
"""

import os
import random
import tempfile
from datetime import timedelta
from pathlib import Path

from common import (
    READER_EMAIL,
    READER_PASSWORD,
    measuring_client,
    paired_arguments,
    print_setting,
    print_table,
    serve_and_measure,
)

SIZES = (20, 200, 2000)
# Has a comment in every thread, so the page is drawn for them alone (no shared cache).
COMMENTER_EMAIL = "bench.commenter@example.com"
WORDS = (
    "invoice schedule payment reminder customer account bank feed reconcile export report "
    "currency tax deposit partial refund quote estimate client retainer monthly weekly "
    "template branding logo email attachment receipt expense category ledger balance "
    "statement dashboard mobile app login team member permission role audit support"
).split()


def seed(database: Path, sizes: tuple[int, ...] = SIZES) -> None:
    os.environ.update(DATABASE_URL=f"sqlite:///{database}", PARLEY_ENV="development")
    from blogapp import create_app
    from blogapp.accounts.services import create_user
    from blogapp.extensions import db
    from blogapp.markup import make_excerpt, render_comment, render_post
    from blogapp.models import Comment, CommentStatus, Post, PostStatus, Role
    from blogapp.models.base import utcnow

    app = create_app()
    rng = random.Random(20261123)
    with app.app_context():
        db.create_all()
        staff = [
            create_user(
                f"staff{n}@bench.example",
                "x" * 12,
                f"Staff Person {n}",
                Role.STAFF,
                job_title="Support Engineer",
            )
            for n in range(4)
        ]
        readers = [
            create_user(f"reader{n}@bench.example", "x" * 12, f"Reader Person {n}", Role.READER)
            for n in range(12)
        ]
        create_user(READER_EMAIL, READER_PASSWORD, "Bench Reader", Role.READER)
        commenter = create_user(COMMENTER_EMAIL, READER_PASSWORD, "Bench Commenter", Role.READER)
        now = utcnow()
        for size in sizes:
            body = "A post to measure.\n\nIt has **two** paragraphs."
            post = Post(
                slug=f"thread-{size}",
                title=f"A thread of {size}",
                body_source=body,
                body_html=render_post(body),
                excerpt=make_excerpt(body),
                status=PostStatus.PUBLISHED.value,
                published_at=now - timedelta(days=3),
                author=staff[0],
            )
            db.session.add(post)
            made: list[Comment] = []
            for n in range(size):
                # Roughly one in five starts a thread; replies go up to six levels deep.
                parent = None
                if made and rng.random() > 0.2:
                    parent = rng.choice(made[-12:])
                    depth = 0
                    walk = parent
                    while walk.parent is not None:
                        depth, walk = depth + 1, walk.parent
                    if depth >= 5:
                        parent = parent.parent
                text = " ".join(rng.choice(WORDS) for _ in range(45)).capitalize() + "."
                author = staff[n % len(staff)] if n % 3 == 0 else readers[n % len(readers)]
                comment = Comment(
                    post=post,
                    parent=parent,
                    author=author,
                    body_source=text,
                    body_html=render_comment(text),
                    status=CommentStatus.PUBLISHED.value,
                    created_at=now - timedelta(minutes=size - n),
                )
                db.session.add(comment)
                made.append(comment)
            db.session.add(
                Comment(
                    post=post,
                    author=commenter,
                    body_source="Mine.",
                    body_html=render_comment("Mine."),
                    status=CommentStatus.PUBLISHED.value,
                    created_at=now,
                )
            )
            db.session.commit()
        db.engine.dispose()


def main() -> None:
    args = paired_arguments(__doc__)
    measure, tool = measuring_client()

    load_before = os.getloadavg()
    workdir = Path(tempfile.mkdtemp(prefix="parley-bench-"))
    database = workdir / "bench.db"
    print(f"Seeding {', '.join(map(str, SIZES))}-comment threads in {database} ...", flush=True)
    seed(database)
    targets = []
    for size in SIZES:
        path = f"/posts/thread-{size}"
        targets.append((f"{size} comments, anonymous", path, None))
        targets.append((f"{size} comments, logged-in reader", path, READER_EMAIL))
        targets.append((f"{size} comments, reader who commented", path, COMMENTER_EMAIL))
    results = serve_and_measure(args, measure, workdir, database, database, targets)

    print_setting(tool, args, load_before, os.getloadavg())
    ratios = print_table(results)
    reader_200 = ratios["200 comments, logged-in reader"][1]
    anon_200 = ratios["200 comments, anonymous"][0]
    p50_2000 = max(r["page"]["p50"] for label, r in results.items() if label.startswith("2000"))
    print("\nTargets:")
    targets = [
        (
            "200 comments, reader    >= 0.60 x rows reference:",
            f"{reader_200:.2f}",
            reader_200 >= 0.6,
        ),
        ("200 comments, anonymous >= 0.33 x bare page:     ", f"{anon_200:.2f}", anon_200 >= 1 / 3),
        ("2000 comments, p50      <  150 ms (worst viewer):", f"{p50_2000:.1f} ms", p50_2000 < 150),
    ]
    for label, figure, met in targets:
        print(f"  {label} {figure} {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
