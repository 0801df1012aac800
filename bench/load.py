"""Write throughput under load: Parley on gunicorn (4 workers) against a minimal baseline.

    .venv/bin/python bench/load.py [--seconds 30] [--clients 50]

Both run behind the same gunicorn.conf.py on 127.0.0.1 with SQLite. Parley's clients
are the load test's (tests/load_harness.py: readers fetch a post and post a comment or
reply, one client in ten is an employee answering or acknowledging from the queue);
the baseline's clients fetch a page and post a row. Prints accepted writes per second
and requests per second for both, the server's CPU time a write (all its processes, from
/proc: what a loaded machine disturbs least), and Parley's share of the baseline by each;
after each Parley run, what its outboxes still held and `flask search check` after
`flask search sync`.
"""

import argparse
import random
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from common import parley_app

from blogapp.extensions import db
from tests.load_harness import Gunicorn, run_clients, seed_site, server_env

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Run:
    writes_per_second: float
    requests_per_second: float
    server_cpu_per_write: float  # ms of the server's CPU (all its processes) a write


def parley(seconds: float, clients: int, work: Path, **env: str) -> Run:
    app = parley_app(work)
    with app.app_context():
        site = seed_site()
        server = Gunicorn(server_env(app, **env), workers=4)
        started = []
        try:
            report = run_clients(
                server.url,
                site,
                clients=clients,
                seconds=seconds,
                on_start=lambda: started.append(server.cpu_seconds()),
            )
            cpu = server.cpu_seconds() - started[0]
        finally:
            server.stop()
        print(f"  {work.name}: {search_after_load(app)}")
        db.engine.dispose()
    bad = {s: n for s, n in report.statuses.items() if s >= 500 or s == 0}
    if bad:
        print(f"  parley: failed requests {bad}")
    # Each turn is two requests: the page, then the write.
    writes = report.writes_per_second * report.seconds
    return Run(
        report.writes_per_second,
        2 * len(report.outcomes) / report.seconds,
        1000 * cpu / writes if writes else float("nan"),
    )


def search_after_load(app) -> str:
    """What `flask search check` says once `flask search sync` has applied what waits."""
    runner = app.test_cli_runner()
    waiting = runner.invoke(args=["outbox", "status"]).output.split("\n")
    sync = runner.invoke(args=["search", "sync"])
    check = runner.invoke(args=["search", "check"])
    verdict = "zero drift" if check.exit_code == 0 else f"DRIFT: {check.output.strip()}"
    left = "; ".join(line for line in waiting if line)
    return f"after the run {left}; {sync.output.splitlines()[0]} search check: {verdict}"


def reference(seconds: float, clients: int, work: Path) -> Run:
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

    started, cpu_before = time.monotonic(), server.cpu_seconds()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        cpu = server.cpu_seconds() - cpu_before
    finally:
        server.stop()
    elapsed = time.monotonic() - started
    per_write = 1000 * cpu / writes if writes else float("nan")
    return Run(writes / elapsed, requests_made / elapsed, per_write)


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
        base = reference(args.seconds, args.clients, work)
        embedded = parley(args.seconds, args.clients, work / "embedded")
        # Requests only write outbox rows; `flask worker` sends (none runs here).
        off = {"SEARCH_DRAIN_AFTER_COMMIT": "0", "MAIL_SEND_AFTER_COMMIT": "0"}
        worker = parley(args.seconds, args.clients, work / "worker", **off)
    load = subprocess.run(["cat", "/proc/loadavg"], capture_output=True, text=True).stdout.split()
    print(f"{'':<28}{'writes/s':>10}{'requests/s':>12}{'server CPU ms/write':>21}")
    for label, run in (
        ("baseline (bare Flask+SQLite)", base),
        ("Parley, embedded default", embedded),
        ("Parley, outboxes to worker", worker),
    ):
        print(
            f"{label:<28}{run.writes_per_second:>10.1f}{run.requests_per_second:>12.1f}"
            f"{run.server_cpu_per_write:>21.1f}"
        )
    share = base.writes_per_second
    print(
        f"writes/s as a share of the baseline: embedded {embedded.writes_per_second / share:.2f}, "
        f"worker {worker.writes_per_second / share:.2f}"
    )
    # What the share would be if the server's CPU were all that limited both (a busy,
    # shared machine disturbs writes/s far more than the CPU each write costs).
    cost = base.server_cpu_per_write
    print(
        f"baseline's server CPU a write as a share of Parley's: embedded "
        f"{cost / embedded.server_cpu_per_write:.2f}, "
        f"worker {cost / worker.server_cpu_per_write:.2f}"
    )
    print(f"load average at the end: {' '.join(load[:3])}")


if __name__ == "__main__":
    main()
