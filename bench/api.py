"""Benchmark: the API's thread endpoint for a post with 200 comments, beside the rows
reference of bench/thread_page.py (200 rows, one query, a cached template) in the same run.

Seeds the 200-comment thread as bench/thread_page.py does, serves Parley and the
references with gunicorn (2 workers) on 127.0.0.1, and measures in one-second slices taken
in turn with slices of each reference: GET /api/v1/posts/thread-200/comments without a
token and with a reader's token. The per-token rate limit is raised for the run (it is
counted, not hit). Target: >= 0.6 x the rows reference, like the signed-in page.

    .venv/bin/python bench/api.py [--duration 10] [--connections 8]
"""

import argparse
import http.client
import os
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from thread_page import (  # noqa: E402
    READER_EMAIL,
    REFERENCES,
    combine,
    free_port,
    measure_paired,
    seed,
    start_gunicorn,
)

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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    load_before = os.getloadavg()
    workdir = Path(tempfile.mkdtemp(prefix="parley-bench-api-"))
    database = workdir / "bench.db"
    print(f"Seeding a 200-comment thread in {database} ...", flush=True)
    seed(database, sizes=(200,))
    bearer = {"Authorization": f"Bearer {reader_token()}"}
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
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
        "API_RATE_LIMIT": "10000000 per minute",
    }
    server = start_gunicorn(port, env, workdir)
    base = f"http://127.0.0.1:{port}"
    time.sleep(3)
    results = {}
    try:
        for label, headers in (("no token", {}), ("reader token", bearer)):
            results[label] = measure_paired(
                client_sending(headers), base, PATH, None, args.duration, args.connections
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
        shutil.rmtree(workdir, ignore_errors=True)
    load_after = os.getloadavg()
    print(f"\npython client, {args.connections} connections, {args.duration} one-second slices,")
    print("each beside a slice of each reference; gunicorn 2 workers")
    print(
        "load average before the run: {:.2f} {:.2f} {:.2f}; after: {:.2f} {:.2f} {:.2f}\n".format(
            *load_before, *load_after
        )
    )
    print(f"{'GET ' + PATH:52} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'÷rows':>7} errors")
    for key, (label, _) in REFERENCES.items():
        ref = combine([r[key] for r in results.values()])
        print(
            f"{label:52} {ref['rps']:8.0f} {ref['p50']:8.1f} {ref['p99']:8.1f} {'':>7} "
            f"{ref['errors']:6d}"
        )
    worst = None
    for label, r in results.items():
        ratio = r["page"]["rps"] / r["rows"]["rps"]
        worst = ratio if worst is None else min(worst, ratio)
        page = r["page"]
        print(
            f"{'thread, ' + label:52} {page['rps']:8.0f} {page['p50']:8.1f} {page['p99']:8.1f} "
            f"{ratio:7.2f} {page['errors']:6d}"
        )
    met = "met" if worst >= 0.6 else "NOT met"
    print(f"\nTarget: 200 comments >= 0.60 x rows reference: {worst:.2f} {met}")


def client_sending(headers: dict):
    """A keep-alive client (bench/thread_page.py's, with any headers) that measures a
    page and its references alike."""

    def measure(url: str, seconds: int, connections: int, _cookie) -> dict:
        parts = urllib.parse.urlsplit(url)
        sent = {} if "/__ref/" in url else headers
        latencies: list[float] = []
        errors = [0]
        lock = threading.Lock()
        stop = time.monotonic() + seconds

        def client():
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            mine = []
            while time.monotonic() < stop:
                began = time.perf_counter()
                conn.request("GET", parts.path, headers=sent)
                response = conn.getresponse()
                response.read()
                mine.append((time.perf_counter() - began) * 1000)
                errors[0] += response.status >= 400
            with lock:
                latencies.extend(mine)

        threads = [threading.Thread(target=client) for _ in range(connections)]
        began = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - began
        cuts = statistics.quantiles(latencies, n=100)
        return {
            "rps": len(latencies) / elapsed,
            "p50": cuts[49],
            "p99": cuts[98],
            "errors": errors[0],
        }

    return measure


if __name__ == "__main__":
    main()
