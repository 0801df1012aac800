"""Posting a comment through the real form, one after another, in-process.

    .venv/bin/python bench/post_comment.py [--comments 300]

A signed-in reader fetches a post page and sends its comment form through the Flask
test client (no network, so the figures are Parley's own work), on a fresh SQLite
database and Whoosh index, in two modes: the embedded default (the commit's mail and
index changes drained by the process's background drainer) and the outboxes left to
`flask worker` (SEARCH_DRAIN_AFTER_COMMIT=0, MAIL_SEND_AFTER_COMMIT=0). The baseline,
in the same run, is a bare Flask app on SQLite (bench/load_reference.py) whose form
inserts one row. Only the POST is timed. Prints p50/p90 of the POST and comments/s for
each, the POST's CPU time p50 (time.process_time: the whole process, so in the embedded
default the drainer's work in the same moments too; less disturbed by a busy machine),
the ratios to the baseline, and, for the embedded default, how long after its POST a
comment was findable (every 10th comment, polled every millisecond).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import parley_app  # noqa: E402

from blogapp.extensions import db  # noqa: E402
from blogapp.models import Guest  # noqa: E402
from blogapp.ops.drainer import drainer  # noqa: E402
from blogapp.search.services import SearchOptions, search_site  # noqa: E402
from tests.load_harness import PASSWORD, seed_site  # noqa: E402

CSRF = 'name="csrf_token"'
SHOWN = 'name="shown"'
WORDS = "invoice export ledger tariff rebate quota freight audit payroll".split()


def hidden(html: str, marker: str) -> str:
    start = html.index(marker)
    value = html.index('value="', start) + len('value="')
    return html[value : html.index('"', value)]


def findable(word: str) -> bool:
    results = search_site(word, Guest(), SearchOptions())
    return any(group.hits for group in results.groups)


def parley(
    work: Path, comments: int, watch_search: bool, **settings
) -> tuple[list, float, list, list]:
    app = parley_app(
        work,
        COMMENT_MIN_FILL_SECONDS=0,
        COMMENT_RATE_LIMIT_IP="100000 per minute",
        COMMENT_RATE_LIMIT_ACCOUNT="100000 per minute",
        SERVER_NAME="parley.bench",
        **settings,
    )
    timings, to_findable, cpu_times = [], [], []
    with app.app_context():
        site = seed_site(posts=1, staff=1, readers=1)
        slug, reader = site.posts[0], site.readers[0]
        assert drainer(app).wait_until_idle()
    client = app.test_client()
    page = client.get("/account/login")
    login = client.post(
        "/account/login",
        data={"email": reader, "password": PASSWORD, "csrf_token": hidden(page.text, CSRF)},
    )
    assert login.status_code in (302, 303), login.status_code
    started = time.perf_counter()
    for n in range(comments):
        page = client.get(f"/posts/{slug}")
        word = f"zq{n}x"
        data = {
            "csrf_token": hidden(page.text, CSRF),
            "shown": hidden(page.text, SHOWN) if SHOWN in page.text else "",
            "website": "",
            "body": f"Comment {n} about the {WORDS[n % len(WORDS)]}: {word}.",
        }
        before, cpu = time.perf_counter(), time.process_time()
        answer = client.post(f"/posts/{slug}/comments", data=data)
        after = time.perf_counter()
        cpu_times.append(time.process_time() - cpu)
        assert answer.status_code == 303, (answer.status_code, answer.text[:500])
        timings.append(after - before)
        if watch_search and n % 10 == 0:
            with app.app_context():
                while not findable(word):
                    time.sleep(0.001)
                    if time.perf_counter() - after > 30:
                        raise SystemExit(f"comment {n} not findable after 30 s")
            to_findable.append(time.perf_counter() - after)
    elapsed = time.perf_counter() - started
    with app.app_context():
        drainer(app).wait_until_idle()
        drainer(app).stop()
        db.engine.dispose()
    return timings, comments / elapsed, to_findable, cpu_times


def baseline(work: Path, comments: int) -> tuple[list, float, list]:
    os.environ["BENCH_SQLITE_PATH"] = str(work / "reference.db")
    from bench.load_reference import app

    client = app.test_client()
    timings, cpu_times = [], []
    started = time.perf_counter()
    for n in range(comments):
        client.get("/posts/bench")
        before, cpu = time.perf_counter(), time.process_time()
        answer = client.post("/posts/bench", data={"body": f"Comment {n}."})
        timings.append(time.perf_counter() - before)
        cpu_times.append(time.process_time() - cpu)
        assert answer.status_code == 303
    return timings, comments / (time.perf_counter() - started), cpu_times


def quantile(values: list, q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q * 100) - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        for name in ("embedded", "worker"):
            (work / name).mkdir()
        base, base_rate, base_cpu = baseline(work, args.comments)
        emb, emb_rate, seen, emb_cpu = parley(work / "embedded", args.comments, watch_search=True)
        off = {"SEARCH_DRAIN_AFTER_COMMIT": False, "MAIL_SEND_AFTER_COMMIT": False}
        wrk, wrk_rate, _, wrk_cpu = parley(
            work / "worker", args.comments, watch_search=False, **off
        )
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(f"{args.comments} comments each, sequential, in-process (Flask test client)")
    print(
        f"{'':<32}{'p50 ms':>8}{'p90 ms':>8}{'comments/s':>12}{'p50 x base':>12}{'CPU p50 ms':>12}"
    )
    base_p50 = quantile(base, 0.5)
    for label, timings, rate, cpu in (
        ("baseline (bare Flask+SQLite)", base, base_rate, base_cpu),
        ("Parley, embedded default", emb, emb_rate, emb_cpu),
        ("Parley, outboxes to worker", wrk, wrk_rate, wrk_cpu),
    ):
        p50, p90 = quantile(timings, 0.5), quantile(timings, 0.9)
        print(
            f"{label:<32}{p50:>8.1f}{p90:>8.1f}{rate:>12.1f}{p50 / base_p50:>12.1f}"
            f"{quantile(cpu, 0.5):>12.1f}"
        )
    print(
        f"comments/s as a share of the baseline: embedded {emb_rate / base_rate:.2f}, "
        f"worker {wrk_rate / base_rate:.2f}"
    )
    print(
        f"findable after its POST (embedded, {len(seen)} comments): "
        f"p50 {statistics.median(seen) * 1000:.0f} ms, max {max(seen) * 1000:.0f} ms"
    )
    for label, timings in (("embedded", emb), ("worker", wrk)):
        p50 = quantile(timings, 0.5)
        print(f"target POST p50 <= 10 ms ({label}): {'met' if p50 <= 10 else 'NOT met'}")
    print(f"load average at the end: {' '.join(load)}")


if __name__ == "__main__":
    main()
