"""What the bench scripts share: serving Parley and the references of
bench/reference_apps.py with gunicorn on 127.0.0.1, measuring pages in one-second slices
taken in turn with the references' (wrk, or a small Python client), printing the
figures; and, for the in-process scripts, a fresh Parley app on SQLite.

Nothing here imports Parley at the top: the app's settings read DATABASE_URL once, on
import, and the seeding functions set it first (see thread_page.seed).
"""

import argparse
import http.client
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

READER_EMAIL, READER_PASSWORD = "bench.reader@example.com", "bench reader password"

REFERENCES = {
    "bare": ("bare Flask page", "/__ref/bare/"),
    "rows": ("200 rows, one query, cached template", "/__ref/rows/"),
}


def paired_arguments(doc: str) -> argparse.Namespace:
    """The ``--duration`` and ``--connections`` of the scripts that measure in slices."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument(
        "--duration",
        type=int,
        default=10,
        help="one-second slices per page (each beside both references)",
    )
    parser.add_argument("--connections", type=int, default=8)
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn_env(port: int, workdir: Path, database: Path, reference: Path, **extra) -> dict:
    """The environment of a gunicorn serving Parley on ``database`` and the references on
    ``reference`` (the database holding thread_page.py's 200-comment thread)."""
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "PARLEY_ENV": "development",
        "PARLEY_INSTANCE_DIR": str(workdir / "instance"),
        "BENCH_SQLITE_PATH": str(reference),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_MAX_REQUESTS": "0",
        "PYTHONPATH": str(ROOT),
        **extra,
    }


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


@contextmanager
def gunicorn_serving(port: int, env: dict, workdir: Path):
    """gunicorn started as ``start_gunicorn`` does, for the block; gives its base URL.
    On the way out it is stopped and ``workdir`` (the scratch folder) removed."""
    server = start_gunicorn(port, env, workdir)
    # The first worker answers while the second may still be importing the app: let it
    # finish, or the first figure (the bare page's) is measured on a busier machine.
    time.sleep(3)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
        shutil.rmtree(workdir, ignore_errors=True)


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


def run_python(
    url: str, seconds: int, connections: int, cookie: str | None, headers: dict | None = None
) -> dict:
    """A small keep-alive client, for machines without wrk (and for requests with
    ``headers`` of their own, which the scripts do not hand to wrk)."""
    parts = urllib.parse.urlsplit(url)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    sent = {**(headers or {}), **({"Cookie": cookie} if cookie else {})}

    def client():
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine = []
        while time.monotonic() < stop:
            began = time.perf_counter()
            conn.request(
                "GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=sent
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


def measuring_client():
    """wrk where the machine has it, else the Python client; and its name to print."""
    return (run_wrk, "wrk") if shutil.which("wrk") else (run_python, "python client")


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


def serve_and_measure(args, measure, workdir: Path, database: Path, reference: Path, targets):
    """Serve Parley on ``database`` (and the references on ``reference``) from
    ``workdir``, then measure each (label, path, email of the bench user to sign in as,
    or None for no one) of ``targets`` with ``measure_paired``; by label. Each user signs
    in once, through the form. ``workdir`` is removed afterwards."""
    port = free_port()
    env = gunicorn_env(port, workdir, database, reference)
    with gunicorn_serving(port, env, workdir) as base:
        cookies = {email: reader_cookie(base, email) for _, _, email in targets if email}
        return {
            label: measure_paired(
                measure, base, path, cookies.get(email), args.duration, args.connections
            )
            for label, path, email in targets
        }


def print_setting(tool: str, args, load_before, load_after) -> None:
    """How the figures below were measured, and how busy the machine was."""
    print(f"\n{tool}, {args.connections} connections, {args.duration} one-second slices a page,")
    print("each slice beside a slice of each reference; gunicorn 2 workers")
    # The run itself keeps both cores busy: the load before it says how quiet the machine was.
    print(
        "load average before the run: {:.2f} {:.2f} {:.2f}; after: {:.2f} {:.2f} {:.2f}\n".format(
            *load_before, *load_after
        )
    )


def print_table(results: dict, title: str = "page", width: int = 44, bare: bool = True):
    """The references' rows (over all their slices), then each page's of ``results``
    (``measure_paired``'s, by label) with its ratios to the references of its own
    seconds; the ÷bare column only where ``bare``. Gives each label's (÷bare, ÷rows)."""

    def ratio_columns(to_bare: str, to_rows: str) -> str:
        return f"{to_bare:>7} {to_rows:>7}" if bare else f"{to_rows:>7}"

    heads = ratio_columns("÷bare", "÷rows")
    print(f"{title:{width}} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {heads} errors")
    for key, (label, _) in REFERENCES.items():
        ref = combine([r[key] for r in results.values()])
        print(
            f"{label:{width}} {ref['rps']:8.0f} {ref['p50']:8.1f} {ref['p99']:8.1f} "
            f"{ratio_columns('', '')} {ref['errors']:6d}"
        )
    ratios = {}
    for label, r in results.items():
        page = r["page"]
        ratios[label] = to_bare, to_rows = (
            page["rps"] / r["bare"]["rps"],
            page["rps"] / r["rows"]["rps"],
        )
        print(
            f"{label:{width}} {page['rps']:8.0f} {page['p50']:8.1f} {page['p99']:8.1f} "
            f"{ratio_columns(f'{to_bare:.2f}', f'{to_rows:.2f}')} {page['errors']:6d}"
        )
    return ratios


def parley_app(work: Path, **settings):
    """A Parley app (development settings) on a fresh SQLite database, index and outboxes
    in ``work``, migrated: the in-process scripts' and bench/load.py's."""
    from blogapp import create_app
    from config import DevelopmentConfig

    app = create_app(
        DevelopmentConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{work / 'parley.db'}",
        INSTANCE_DIR=str(work / "instance"),
        SEARCH_INDEX_DIR=str(work / "index"),
        MAIL_OUTBOX_DIR=str(work / "outbox"),
        **settings,
    )
    with app.app_context():
        upgrade = app.test_cli_runner().invoke(args=["db", "upgrade"])
        assert upgrade.exit_code == 0, upgrade.output
    return app
