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

import argparse
import http.client
import http.cookiejar
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SIZES = (20, 200, 2000)
READER_EMAIL, READER_PASSWORD = "bench.reader@example.com", "bench reader password"
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int, env: dict, workdir: Path) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        str(ROOT / "gunicorn.conf.py"),
        "--pythonpath",
        f"{ROOT},{ROOT / 'bench'}",
        "reference_apps:app",
    ]
    server = subprocess.Popen(
        command,
        env=env,
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/__ref/bare/", timeout=2):
                return server
        except OSError:
            time.sleep(0.3)
    os.killpg(server.pid, signal.SIGTERM)
    raise SystemExit("gunicorn did not start")


def reader_cookie(base: str, email: str = READER_EMAIL) -> str:
    """Log a bench reader in through the real form; the session cookie to send."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/account/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    form = {"csrf_token": token, "email": email, "password": READER_PASSWORD}
    opener.open(f"{base}/account/login", urllib.parse.urlencode(form).encode()).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def run_wrk(url: str, seconds: int, connections: int, cookie: str | None) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30).stdout

    def latency(label: str) -> float:
        value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": latency("50%"),
        "p99": latency("99%"),
        "errors": int(errors.group(1)) if errors else 0,
    }


def run_python(url: str, seconds: int, connections: int, cookie: str | None) -> dict:
    """A small keep-alive client, for machines without wrk."""
    parts = urllib.parse.urlsplit(url)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client():
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        headers = {"Cookie": cookie} if cookie else {}
        mine = []
        while time.monotonic() < stop:
            began = time.perf_counter()
            conn.request(
                "GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers
            )
            response = conn.getresponse()
            response.read()
            mine.append((time.perf_counter() - began) * 1000)
            if response.status >= 400:
                errors[0] += 1
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
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
    return {"rps": len(latencies) / elapsed, "p50": cuts[49], "p99": cuts[98], "errors": errors[0]}


REFERENCES = {
    "bare": ("bare Flask page", "/__ref/bare/"),
    "rows": ("200 rows, one query, cached template", "/__ref/rows/"),
}


def combine(slices: list[dict]) -> dict:
    """One figure from equal slices: mean rate, median p50, worst p99, all errors."""
    return {
        "rps": statistics.mean(r["rps"] for r in slices),
        "p50": statistics.median(r["p50"] for r in slices),
        "p99": max(r["p99"] for r in slices),
        "errors": sum(r["errors"] for r in slices),
    }


def measure_paired(measure, base: str, path: str, cookie, rounds: int, connections: int):
    """The page at ``path`` and each reference, in turns of one-second slices."""
    measure(base + path, 1, connections, cookie)  # warm up every worker
    slices: dict[str, list[dict]] = {"page": [], "bare": [], "rows": []}
    for _ in range(rounds):
        for key, (_, ref_path) in REFERENCES.items():
            slices[key].append(measure(base + ref_path, 1, connections, None))
        slices["page"].append(measure(base + path, 1, connections, cookie))
    return {key: combine(value) for key, value in slices.items()}


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
    workdir = Path(tempfile.mkdtemp(prefix="parley-bench-"))
    database = workdir / "bench.db"
    print(f"Seeding {', '.join(map(str, SIZES))}-comment threads in {database} ...", flush=True)
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
    # The first worker answers while the second may still be importing the app: let it
    # finish, or the first figure (the bare page's) is measured on a busier machine.
    time.sleep(3)
    try:
        cookie = reader_cookie(base)
        commenter = reader_cookie(base, COMMENTER_EMAIL)
        targets = []
        for size in SIZES:
            targets.append((f"{size} comments, anonymous", f"/posts/thread-{size}", None))
            targets.append((f"{size} comments, logged-in reader", f"/posts/thread-{size}", cookie))
            targets.append(
                (f"{size} comments, reader who commented", f"/posts/thread-{size}", commenter)
            )
        results = {}
        for label, path, session in targets:
            results[label] = measure_paired(
                measure, base, path, session, args.duration, args.connections
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
        shutil.rmtree(workdir, ignore_errors=True)

    load_after = os.getloadavg()
    print(f"\n{tool}, {args.connections} connections, {args.duration} one-second slices a page,")
    print("each slice beside a slice of each reference; gunicorn 2 workers")
    # The run itself keeps both cores busy: the load before it says how quiet the machine was.
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
        ratios[label] = (page["rps"] / r["bare"]["rps"], page["rps"] / r["rows"]["rps"])
        print(
            f"{label:44} {page['rps']:8.0f} {page['p50']:8.1f} {page['p99']:8.1f} "
            f"{ratios[label][0]:7.2f} {ratios[label][1]:7.2f} {page['errors']:6d}"
        )
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
