"""Write throughput under load: Parley on gunicorn (4 workers) against a minimal baseline.

    .venv/bin/python bench/load.py [--seconds 30] [--clients 50]

Both run behind the same gunicorn.conf.py on 127.0.0.1 with SQLite. Parley's clients
are the load test's (tests/load_harness.py: readers fetch a post and post a comment or
reply, one client in ten is an employee answering or acknowledging from the queue);
the baseline's clients fetch a page and post a row. Prints accepted writes per second
and requests per second for both, and Parley's share of the baseline; after each Parley
run, what its outboxes still held and `flask search check` after `flask search sync`.
"""

import argparse
import random
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import requests

from blogapp import create_app
from blogapp.extensions import db
from config import DevelopmentConfig
from tests.load_harness import Gunicorn, run_clients, seed_site, server_env

ROOT = Path(__file__).resolve().parent.parent


def parley(seconds: float, clients: int, work: Path, **env: str) -> tuple[float, float]:
    app = create_app(
        DevelopmentConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{work / 'parley.db'}",
        INSTANCE_DIR=str(work / "instance"),
        SEARCH_INDEX_DIR=str(work / "index"),
        MAIL_OUTBOX_DIR=str(work / "outbox"),
    )
    with app.app_context():
        upgrade = app.test_cli_runner().invoke(args=["db", "upgrade"])
        assert upgrade.exit_code == 0, upgrade.output
        site = seed_site()
        server = Gunicorn(server_env(app, **env), workers=4)
        try:
            report = run_clients(server.url, site, clients=clients, seconds=seconds)
        finally:
            server.stop()
        print(f"  {work.name}: {search_after_load(app)}")
        db.engine.dispose()
    bad = {s: n for s, n in report.statuses.items() if s >= 500 or s == 0}
    if bad:
        print(f"  parley: failed requests {bad}")
    # Each turn is two requests: the page, then the write.
    return report.writes_per_second, 2 * len(report.outcomes) / report.seconds


def search_after_load(app) -> str:
    """What `flask search check` says once `flask search sync` has applied what waits."""
    runner = app.test_cli_runner()
    waiting = runner.invoke(args=["outbox", "status"]).output.split("\n")
    sync = runner.invoke(args=["search", "sync"])
    check = runner.invoke(args=["search", "check"])
    verdict = "zero drift" if check.exit_code == 0 else f"DRIFT: {check.output.strip()}"
    left = "; ".join(line for line in waiting if line)
    return f"after the run {left}; {sync.output.splitlines()[0]} search check: {verdict}"


def reference(seconds: float, clients: int, work: Path) -> tuple[float, float]:
    env = {
        **server_env_stub(work),
        "BENCH_SQLITE_PATH": str(work / "reference.db"),
    }
    server = Gunicorn(env, workers=4, app_path="bench.load_reference:app")
    writes, requests_made = 0, 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(n: int) -> None:
        nonlocal writes, requests_made
        session = requests.Session()
        rng = random.Random(n)
        while time.monotonic() < deadline:
            slug = f"load-{rng.randrange(4)}"
            session.get(f"{server.url}/posts/{slug}", timeout=30)
            answer = session.post(
                f"{server.url}/posts/{slug}",
                data={"body": f"note {n}"},
                allow_redirects=False,
                timeout=30,
            )
            with lock:
                requests_made += 2
                writes += answer.status_code == 303

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.stop()
    elapsed = time.monotonic() - started
    return writes / elapsed, requests_made / elapsed


def server_env_stub(work: Path) -> dict:
    import os

    (work / "ref-instance").mkdir(exist_ok=True)
    return {**os.environ, "PARLEY_INSTANCE_DIR": str(work / "ref-instance")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        for name in ("embedded", "worker"):
            (work / name).mkdir()
        print(f"{args.clients} clients, {args.seconds:.0f} s each, gunicorn 4 workers x 4 threads")
        ref_writes, ref_requests = reference(args.seconds, args.clients, work)
        par_writes, par_requests = parley(args.seconds, args.clients, work / "embedded")
        # Requests only write outbox rows; `flask worker` sends (none runs here).
        off = {"SEARCH_DRAIN_AFTER_COMMIT": "0", "MAIL_SEND_AFTER_COMMIT": "0"}
        wrk_writes, wrk_requests = parley(args.seconds, args.clients, work / "worker", **off)
    load = subprocess.run(["cat", "/proc/loadavg"], capture_output=True, text=True).stdout.split()
    print(f"{'':<28}{'writes/s':>10}{'requests/s':>12}")
    print(f"{'baseline (bare Flask+SQLite)':<28}{ref_writes:>10.1f}{ref_requests:>12.1f}")
    print(f"{'Parley, embedded default':<28}{par_writes:>10.1f}{par_requests:>12.1f}")
    print(f"{'Parley, outboxes to worker':<28}{wrk_writes:>10.1f}{wrk_requests:>12.1f}")
    print(
        f"writes/s as a share of the baseline: embedded {par_writes / ref_writes:.2f}, "
        f"worker {wrk_writes / ref_writes:.2f}"
    )
    print(f"load average at the end: {' '.join(load[:3])}")


if __name__ == "__main__":
    main()
