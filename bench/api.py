"""Benchmark: the API's thread endpoint for a post with 200 comments, beside the rows
reference of bench/thread_page.py (200 rows, one query, a cached template) in the same run.

Seeds the 200-comment thread as bench/thread_page.py does, serves Parley and the
references with gunicorn (2 workers) on 127.0.0.1, and measures in one-second slices taken
in turn with slices of each reference: GET /api/v1/posts/thread-200/comments without a
token and with a reader's token. The per-token rate limit is raised for the run (it is
counted, not hit). Target: >= 0.6 x the rows reference, like the signed-in page.

    .venv/bin/python bench/api.py [--duration 10] [--connections 8]
"""

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    READER_EMAIL,
    free_port,
    gunicorn_env,
    gunicorn_serving,
    measure_paired,
    paired_arguments,
    print_setting,
    print_table,
    run_python,
)
from thread_page import seed  # noqa: E402

PATH = "/api/v1/posts/thread-200/comments"


def reader_token() -> str:
    """A read token of the bench reader, made in the seeded database."""
    from blogapp import create_app
    from blogapp.api.tokens import create_token
    from blogapp.extensions import db
    from blogapp.models import User

    app = create_app()
    with app.app_context():
        reader = db.session.scalars(db.select(User).filter_by(email=READER_EMAIL)).one()
        secret = create_token(reader, "bench", ["read"])[1]
        db.engine.dispose()
    return secret


def main() -> None:
    args = paired_arguments(__doc__)
    load_before = os.getloadavg()
    workdir = Path(tempfile.mkdtemp(prefix="parley-bench-api-"))
    database = workdir / "bench.db"
    print(f"Seeding a 200-comment thread in {database} ...", flush=True)
    seed(database, sizes=(200,))
    bearer = {"Authorization": f"Bearer {reader_token()}"}
    port = free_port()
    env = gunicorn_env(
        port, workdir, database, reference=database, API_RATE_LIMIT="10000000 per minute"
    )
    results = {}
    with gunicorn_serving(port, env, workdir) as base:
        for label, headers in (("no token", {}), ("reader token", bearer)):
            results["thread, " + label] = measure_paired(
                client_sending(headers), base, PATH, None, args.duration, args.connections
            )
    print_setting("python client", args, load_before, os.getloadavg())
    ratios = print_table(results, title="GET " + PATH, width=52, bare=False)
    worst = min(rows for _, rows in ratios.values())
    met = "met" if worst >= 0.6 else "NOT met"
    print(f"\nTarget: 200 comments >= 0.60 x rows reference: {worst:.2f} {met}")


def client_sending(headers: dict):
    """common.run_python sending ``headers`` to the page, not to the references, so that
    it measures a page and its references alike."""

    def measure(url: str, seconds: int, connections: int, _cookie) -> dict:
        sent = {} if "/__ref/" in url else headers
        return run_python(url, seconds, connections, None, sent)

    return measure


if __name__ == "__main__":
    main()
