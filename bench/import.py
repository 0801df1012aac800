"""Import speed and memory: a generated WordPress export of 1,000 posts and 100,000 comments.

Prints comments/s and peak memory (the importing process's peak RSS and tracemalloc's
peak of Python's own allocations, and the renderer processes' RSS apart) for ``flask
import wordpress`` on the embedded default (SQLite), beside two baselines in the same
run: the XML reader alone reading the same file (in a process of its own), and a raw
executemany of the same comment rows, already converted and rendered, into an empty
copy of the comments table. The export is written to a temporary file as it is
generated, never held in memory. Not part of the tests.

    .venv/bin/python bench/import.py                        # 1,000 posts, 100,000 comments
    .venv/bin/python bench/import.py --posts 100 --comments 10000
    .venv/bin/python bench/import.py --target-mb 200        # about 290,000 comments
    .venv/bin/python bench/import.py --no-tracemalloc       # speed without its overhead
    .venv/bin/python bench/import.py --target-mb 200 --no-tracemalloc --no-reader-alone

The RSS is also printed every 50,000 records read, to show whether it grows with the file.
"""

import argparse
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path

from blogapp import create_app, renderers
from blogapp.accounts.services import create_user
from blogapp.extensions import db
from blogapp.importing import wordpress
from blogapp.importing.writer import ImportOptions, import_file
from blogapp.models import Role
from config import TestingConfig

WORDS = (
    "invoice payment bank feed account report customer export tax refund schedule email team "
    "support question answer plan price month week year client card error sync receipt quote "
    "the a to of and in is it you that for on with as this was are be at or have not"
).split()
HEADER = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Bench</title><link>https://old.example</link>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_blog_url>https://old.example</wp:base_blog_url>
"""


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choices(WORDS, k=n)).capitalize() + "."


def comment_body(rng: random.Random) -> str:
    """Like real WordPress comments: mostly plain text with line breaks, some inline HTML."""
    paragraphs = [sentence(rng, rng.randint(8, 30)) for _ in range(rng.randint(1, 3))]
    if rng.random() < 0.3:
        paragraphs[0] += ' See <a href="https://example.com/help">the help page</a>.'
    if rng.random() < 0.1:
        paragraphs[-1] = f"<em>{paragraphs[-1]}</em>"
    return "\n\n".join(paragraphs)


def write_wxr(path: Path, posts: int, comments: int, rng: random.Random) -> None:
    start = datetime(2020, 1, 1)
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for login in ("jane", "raj"):
            out.write(f"<wp:author><wp:author_id>{len(login)}</wp:author_id><wp:author_login>"
                      f"{login}</wp:author_login><wp:author_email>{login}@old.example"
                      f"</wp:author_email><wp:author_display_name>{login.title()}"
                      "</wp:author_display_name></wp:author>\n")  # fmt: skip
        comment_id = 0
        for p in range(1, posts + 1):
            when = start + timedelta(days=p)
            out.write(
                f"<item><title>Post {p}</title><link>https://old.example/{when:%Y/%m}/post-{p}/"
                f"</link><dc:creator>jane</dc:creator><guid>https://old.example/?p={p}</guid>"
                f"<content:encoded><![CDATA[{sentence(rng, 60)}\n\n{sentence(rng, 80)}]]>"
                f"</content:encoded><wp:post_id>{p}</wp:post_id><wp:post_date_gmt>"
                f"{when:%Y-%m-%d %H:%M:%S}</wp:post_date_gmt><wp:post_name>post-{p}"
                "</wp:post_name><wp:status>publish</wp:status><wp:post_type>post"
                "</wp:post_type>\n"
            )
            first = comment_id + 1
            for _ in range(comments // posts):
                comment_id += 1
                parent = (
                    rng.randint(first, comment_id - 1)
                    if comment_id > first and rng.random() < 0.5
                    else 0
                )  # noqa: E501
                staff = rng.random() < 0.2
                at = when + timedelta(minutes=comment_id - first + 1)
                out.write(
                    f"<wp:comment><wp:comment_id>{comment_id}</wp:comment_id>"
                    f"<wp:comment_author>{'Jane' if staff else f'Reader {comment_id % 5000}'}"
                    f"</wp:comment_author><wp:comment_author_email>r{comment_id % 5000}"
                    f"@example.com</wp:comment_author_email><wp:comment_date_gmt>"
                    f"{at:%Y-%m-%d %H:%M:%S}</wp:comment_date_gmt><wp:comment_content><![CDATA["
                    f"{comment_body(rng)}]]></wp:comment_content><wp:comment_approved>1"
                    f"</wp:comment_approved><wp:comment_type>comment</wp:comment_type>"
                    f"<wp:comment_parent>{parent}</wp:comment_parent><wp:comment_user_id>"
                    f"{4 if staff else 0}</wp:comment_user_id></wp:comment>\n"
                )
            out.write("</item>\n")
        out.write("</channel></rss>\n")


BYTES_A_COMMENT = 690  # of the generated export, its posts' share included
# The reader alone, in a process of its own (its peak RSS is its own).
READER_ALONE = """
import json, resource, sys, time, tracemalloc
from blogapp.importing import wordpress
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
tracemalloc.start()
started, n = time.perf_counter(), 0
with open(sys.argv[1], "rb") as stream:
    for _ in wordpress.read(stream, lambda skipped: None):
        n += 1
print(json.dumps({"records": n, "seconds": time.perf_counter() - started,
                  "traced_peak": tracemalloc.get_traced_memory()[1] / 1e6, "rss_before": before,
                  "rss_peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def reader_alone(path: Path) -> dict:
    """The XML reader's own time and memory for the file, in a fresh process."""
    done = subprocess.run([sys.executable, "-c", READER_ALONE, str(path)], check=True,
                          capture_output=True, text=True, env={**os.environ,
                          "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})  # fmt: skip
    return json.loads(done.stdout)


def baseline(path: Path, rows: list[tuple]) -> float:
    """Seconds for a raw executemany of the same rows into an empty comments table."""
    con = sqlite3.connect(path)
    con.execute(
        "CREATE TABLE comments (id INTEGER PRIMARY KEY, post_id INT, author_id INT, "
        "guest_name TEXT, guest_email TEXT, body_source TEXT, body_html TEXT, status TEXT, "
        "created_at TEXT, changed_at TEXT)"
    )
    started = time.perf_counter()
    con.executemany("INSERT INTO comments VALUES (NULL,?,?,?,?,?,?,?,?,?)", rows)
    con.commit()
    return time.perf_counter() - started


def renderer_figures() -> list[tuple[float, float]]:
    """(peak RSS in MB, CPU seconds) of each renderer process, read from /proc while they
    live (RUSAGE_CHILDREN counts only reaped children, and these are not)."""
    figures = []
    for pid in renderers.pool(1).worker_pids():
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        peak_kb = int(next(line.split()[1] for line in status.splitlines()
                           if line.startswith("VmHWM:")))  # fmt: skip
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        figures.append((peak_kb / 1024, cpu))
    return figures


def rss_every(records: int) -> None:
    """The importing process's RSS now, every 50,000 records (ImportOptions.progress)."""
    if records % 50_000 == 0:
        status = Path("/proc/self/status").read_text()
        kb = int(next(line.split()[1] for line in status.splitlines()
                      if line.startswith("VmRSS:")))  # fmt: skip
        print(f"  after {records:,} records: RSS {kb / 1024:.0f} MB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--target-mb", type=float, default=None,
                        help="an export of about this size (sets --comments, 100 a post)")
    parser.add_argument("--no-tracemalloc", action="store_true",
                        help="leave tracemalloc off (it slows the import)")
    parser.add_argument("--no-reader-alone", action="store_true",
                        help="skip the reader-alone baseline (slow under tracemalloc)")
    args = parser.parse_args()
    if args.target_mb:
        args.comments = int(args.target_mb * 1e6 / BYTES_A_COMMENT)
        args.posts = max(1, args.comments // 100)
    rng = random.Random(16)
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as tmp:
        wxr = Path(tmp) / "export.xml"
        write_wxr(wxr, args.posts, args.comments, rng)
        print(f"load average at start: {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)")
        size_mb = wxr.stat().st_size / 1e6
        print(f"export: {args.posts:,} posts, {args.comments:,} comments, "
              f"{size_mb:.0f} MB")  # fmt: skip
        alone = None if args.no_reader_alone else reader_alone(wxr)
        if alone:
            print(f"reader alone: {alone['records']:,} records in {alone['seconds']:.1f} s, "
                  f"peak RSS {alone['rss_peak']:.0f} MB ({alone['rss_before']:.0f} MB before "
                  f"reading), tracemalloc peak {alone['traced_peak']:.1f} MB")  # fmt: skip
        app = create_app(
            TestingConfig,
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp}/bench.db",
            INSTANCE_DIR=tmp,
            SEARCH_INDEX_DIR=f"{tmp}/index",
            SEARCH_DRAIN_AFTER_COMMIT=False,
            SERVER_NAME=None,
        )
        with app.app_context():
            db.create_all()
            admin = create_user("admin@new.example", "a long password 1", "Admin", Role.ADMIN)
            db.session.commit()
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            if not args.no_tracemalloc:
                tracemalloc.start()
            started, cpu_started = time.perf_counter(), time.process_time()
            with wxr.open("rb") as stream:
                report = import_file(wordpress.read, stream, "wordpress", admin,
                                     ImportOptions(dry_run=False, progress=rss_every))  # fmt: skip
            seconds = time.perf_counter() - started
            traced_peak = tracemalloc.get_traced_memory()[1] / 1e6
            tracemalloc.stop()
            cpu = time.process_time() - cpu_started
            rendering = renderer_figures()
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            created = report.total("comment created")
            rows = [
                tuple(row)
                for row in db.session.execute(
                    db.text(
                        "SELECT post_id, author_id, guest_name, guest_email, body_source, "
                        "body_html, status, created_at, changed_at FROM comments"
                    )  # fmt: skip
                )
            ]
        base = baseline(Path(tmp) / "baseline.db", rows)
        del rows
        print(f"import: {created:,} comments in {seconds:.1f} s = {created / seconds:,.0f} "
              f"comments/s (target >= 2,000; tracemalloc "
              f"{'off' if args.no_tracemalloc else 'on'})")  # fmt: skip
        render_cpu = sum(c for _, c in rendering)
        print(
            f"peak memory: importing process {peak:.0f} MB RSS (before the import "
            f"{rss_before:.0f} MB; target < 300, and under the file's {size_mb:.0f} MB), "
            f"tracemalloc peak {f'{traced_peak:.1f} MB' if traced_peak else 'not measured'}, "
            f"renderer processes {', '.join(f'{m:.0f} MB' for m, _ in rendering) or 'none left'}"
        )
        print(
            f"CPU: importing process {cpu:.1f} s ({cpu / created * 1e3:.2f} ms a comment), "
            f"renderer processes {render_cpu:.1f} s; on {os.cpu_count()} idle cores at most "
            f"{created / max(cpu, (cpu + render_cpu) / (os.cpu_count() or 1)):,.0f} comments/s"
        )
        print(f"baseline: raw executemany of the same {created:,} rows: {base:.2f} s = "
              f"{created / base:,.0f} rows/s")  # fmt: skip
        print(f"tracker: {dict(report.tracker)}")
        print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
