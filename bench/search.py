"""Search speed on a generated corpus, with SQLite FTS5 over the same corpus as a baseline.

Prints: full rebuild in documents/s, index size on disk, and p50/p95 latency of one-
and two-word queries with highlighting on the first 10 hits, through the search
interface alone and through the /search page end to end, and a bare Whoosh writer over the
same documents as a reference for the rebuild. Not part of the test run.

    .venv/bin/python bench/search.py                       # 100,000 comments, 1,000 posts
    .venv/bin/python bench/search.py --comments 20000 --procs 2
"""

import argparse
import html
import itertools
import os
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from markupsafe import Markup

from blogapp import create_app
from blogapp.extensions import db
from blogapp.models import Comment, Guest, Post, Role, User
from blogapp.search import maintenance
from blogapp.search.backend import Hit, Hits, get_backend
from blogapp.search.documents import all_documents
from blogapp.search.nodes import words_of
from blogapp.search.query import parse_query
from blogapp.search.services import SearchOptions, scope_for
from blogapp.search.words import STOPWORDS
from config import TestingConfig

SYLLABLES = "ka ro mi ta ne lu sa vi do pe ri co ba fu ge hi jo le mo nu pa qui re so tu ve".split()
COMMON = (
    "invoice payment bank feed account report customer export tax refund schedule email "
    "team support question answer plan price month week year client card error sync receipt "
    "quote deposit balance statement reminder setting login password data file"
).split()


def vocabulary(rng: random.Random, size: int) -> list[str]:
    """Ranked by frequency as in English: stop words first, then product words, then
    pseudo-words for the long tail."""
    stop, common = sorted(STOPWORDS), list(COMMON)
    rng.shuffle(stop)
    rng.shuffle(common)
    words = stop + common
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choices(SYLLABLES, k=rng.choice((2, 2, 3, 3, 4))))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def text(rng: random.Random, words: list[str], cumulative: list[float], count: int) -> str:
    chosen = rng.choices(words, cum_weights=cumulative, k=count)
    sentences, start = [], 0
    while start < count:
        end = min(count, start + rng.randint(6, 14))
        sentence = " ".join(chosen[start:end])
        sentences.append(sentence[0].upper() + sentence[1:] + rng.choice(".?."))
        start = end
    return " ".join(sentences)


def build_corpus(args, rng: random.Random, words, cumulative) -> None:
    """Users, posts and comments, written with plain INSERTs (the outbox is not involved)."""
    now = datetime(2026, 11, 1)
    users = [
        {"email": f"user{n}@bench.example", "password_hash": "x", "slug": f"user-{n}",
         "role": (Role.STAFF if n < 10 else Role.READER).value,
         "display_name": f"Person {n}", "created_at": now}
        for n in range(200)
    ]  # fmt: skip
    posts, comments = [], []
    for n in range(args.posts):
        body = text(rng, words, cumulative, 300)
        posts.append(
            {"id": n + 1, "slug": f"post-{n}", "title": text(rng, words, cumulative, 6)[:-1],
             "body_source": body, "body_html": f"<p>{html.escape(body)}</p>", "excerpt": "",
             "status": "published", "published_at": now - timedelta(days=2 * (args.posts - n)),
             "author_id": 1 + n % 10, "comments_open": True, "version": 1, "created_at": now,
             "updated_at": now}
        )  # fmt: skip
    for n in range(args.comments):
        body = text(rng, words, cumulative, args.words)
        post = rng.randrange(args.posts)
        created = posts[post]["published_at"] + timedelta(minutes=rng.randint(1, 60 * 24 * 30))
        author = rng.randrange(1, 201) if n % 3 else None
        comments.append(
            {"post_id": post + 1, "author_id": author, "body_source": body,
             "body_html": f"<p>{html.escape(body)}</p>", "status": "published",
             "guest_name": None if author else "A Guest",
             "guest_email": None if author else "guest@bench.example",
             "created_at": created, "changed_at": created}
        )  # fmt: skip
    with db.engine.begin() as connection:
        connection.execute(sa.insert(User.__table__), users)
        connection.execute(sa.insert(Post.__table__), posts)
        for start in range(0, len(comments), 5000):
            connection.execute(sa.insert(Comment.__table__), comments[start : start + 5000])


class Fts5Baseline:
    """The same documents in an FTS5 table (bm25 + snippet), behind the same search() call."""

    name = "fts5"

    def __init__(self, path: Path):
        self.path = path
        self.connection = sqlite3.connect(path, check_same_thread=False)
        self.connection.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(kind UNINDEXED, object_id UNINDEXED, "
            "post_id UNINDEXED, post_title UNINDEXED, author UNINDEXED, staff UNINDEXED, "
            "status UNINDEXED, created_at UNINDEXED, published_at UNINDEXED, title, body, "
            "tokenize='porter unicode61 remove_diacritics 2')"
        )

    def build(self, docs) -> int:
        rows = (
            (d.kind, d.object_id, d.post_id, d.post_title, d.author_name, d.author_staff,
             d.status, d.created_at.isoformat(), d.published_at and d.published_at.isoformat(),
             d.title, d.body)
            for d in docs
        )  # fmt: skip
        with self.connection:
            cursor = self.connection.executemany(
                "INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
            )
        return cursor.rowcount

    def size_on_disk(self) -> int:
        return self.path.stat().st_size

    def search(self, node, scope, order, page, per_page) -> Hits:
        match = " ".join('"' + w.replace('"', "") + '"' for w in words_of(node))
        where = (
            "docs MATCH ? AND ((kind = 'post' AND published_at <= ?) "
            "OR (kind = 'comment' AND status = 'published'))"
        )
        params = [match, scope.now.isoformat()]
        total = self.connection.execute(f"SELECT count(*) FROM docs WHERE {where}", params)
        rows = self.connection.execute(
            "SELECT kind, object_id, post_id, post_title, author, staff, status, created_at, "
            "bm25(docs, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2.0, 1.0), "
            "snippet(docs, 10, '<mark>', '</mark>', ' … ', 24) "
            f"FROM docs WHERE {where} ORDER BY 9 LIMIT ? OFFSET ?",
            [*params, per_page, (page - 1) * per_page],
        )
        hits = [
            Hit(kind=r[0], object_id=r[1], post_id=r[2], post_title=r[3], author_name=r[4],
                author_staff=bool(r[5]), status=r[6], created_at=datetime.fromisoformat(r[7]),
                score=-r[8], snippet=Markup(r[9]))
            for r in rows
        ]  # fmt: skip
        return Hits(hits, total.fetchone()[0])

    def suggest(self, words):
        return {}  # FTS5 has no spelling corrector built in


def queries(rng: random.Random, words: list[str], cumulative, count: int) -> list[str]:
    """Half drawn by frequency (what people type most), half from the long tail."""
    searchable = [w for w in words if w not in STOPWORDS]
    tail = searchable[50:5000]
    chosen = []
    for n in range(count):
        size = 1 + n % 2
        if n % 4 < 2:
            picked = [w for w in rng.choices(words, cum_weights=cumulative, k=8)
                      if w not in STOPWORDS][:size]  # fmt: skip
        else:
            picked = rng.sample(tail, size)
        chosen.append(" ".join(picked or tail[:size]))
    return chosen


def latencies(run, texts: list[str]) -> dict[str, tuple[float, float]]:
    """p50 and p95 in ms, of wall-clock time and of this process's CPU time."""
    for text_ in texts[:10]:  # warm caches and open files once
        run(text_)
    wall, cpu = [], []
    for text_ in texts:
        start, start_cpu = time.perf_counter(), time.process_time()
        run(text_)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    cuts = {
        name: statistics.quantiles(values, n=100) for name, values in (("wall", wall), ("cpu", cpu))
    }
    return {name: (c[49], c[94]) for name, c in cuts.items()}


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (Whoosh's rebuild workers)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def timed(run) -> tuple[int, float, float]:
    """What run() returns (a count), and the wall-clock and CPU seconds it took."""
    start, start_cpu = time.perf_counter(), cpu_seconds()
    count = run()
    return count, time.perf_counter() - start, cpu_seconds() - start_cpu


def bare_whoosh_writer(folder: Path, docs) -> int:
    """The reference the issue names: a plain Whoosh writer (one process, the stock
    stemming analyzer, key and text only) over the same documents."""
    from whoosh import fields, index
    from whoosh.analysis import StemmingAnalyzer

    folder.mkdir()
    schema = fields.Schema(
        key=fields.ID(stored=True, unique=True),
        title=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
        body=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
    )
    writer = index.create_in(str(folder), schema).writer(limitmb=256)
    count = 0
    for doc in docs:
        writer.add_document(key=doc.key, title=doc.title, body=doc.body)
        count += 1
    writer.commit()
    return count


def bare_reference(folder: Path) -> tuple[int, float]:
    """Documents indexed by the bare writer and its wall-clock seconds, the documents
    read from the database beforehand so that only the writing is timed."""
    docs = list(all_documents(db.session))
    count, wall, _ = timed(lambda: bare_whoosh_writer(folder, docs))
    return count, wall


def measure(app, backend, texts) -> dict:
    scope = scope_for(Guest(), SearchOptions())

    def interface(text_: str) -> None:
        backend.search(parse_query(text_).node, scope, "relevance", 1, 10)

    client = app.test_client()

    def page(text_: str) -> None:
        response = client.get("/search", query_string={"q": text_})
        assert response.status_code == 200, response.status_code

    # The page asks get_backend(); point it at the backend being measured.
    app.extensions["parley_search"] = {"name": app.config["SEARCH_BACKEND"], "backend": backend}
    return {"interface": latencies(interface, texts), "page": latencies(page, texts)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=1_000)
    parser.add_argument("--words", type=int, default=40, help="words per comment")
    parser.add_argument("--vocabulary", type=int, default=30_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument(
        "--procs", type=int, default=TestingConfig.SEARCH_REBUILD_PROCS,
        help="processes for the Whoosh rebuild (default: SEARCH_REBUILD_PROCS)",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    words = vocabulary(rng, args.vocabulary)
    cumulative = list(itertools.accumulate(1 / (rank + 1) ** 1.07 for rank in range(len(words))))

    with tempfile.TemporaryDirectory(prefix="parley-bench-") as tmp:
        app = create_app(
            TestingConfig,
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp}/bench.db",
            INSTANCE_DIR=tmp,
            SEARCH_INDEX_DIR=f"{tmp}/index",
            SEARCH_DRAIN_AFTER_COMMIT=False,
            SEARCH_RESULTS_PER_PAGE=10,
            SEARCH_REBUILD_PROCS=args.procs,
            SERVER_NAME=None,
        )
        with app.app_context():
            db.create_all()
            print(f"load average at start: {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)")
            started = time.perf_counter()
            build_corpus(args, rng, words, cumulative)
            print(f"corpus: {args.comments:,} comments, {args.posts:,} posts "
                  f"({time.perf_counter() - started:.0f} s to generate)")  # fmt: skip
            whoosh = get_backend()
            count, wall, cpu = timed(maintenance.rebuild)
            bare_count, bare_wall = bare_reference(Path(tmp) / "bare-index")
            fts = Fts5Baseline(Path(tmp) / "fts.db")
            fts_count, fts_wall, fts_cpu = timed(lambda: fts.build(all_documents(db.session)))
            texts = queries(rng, words, cumulative, args.queries)
            results = {"whoosh": measure(app, whoosh, texts), "fts5": measure(app, fts, texts)}
            results["whoosh"]["rebuild"] = (count / wall, count / cpu)
            results["fts5"]["rebuild"] = (fts_count / fts_wall, fts_count / fts_cpu)
            results["whoosh"]["size"] = whoosh.size_on_disk() / 1e6
            results["fts5"]["size"] = fts.size_on_disk() / 1e6
            report(args, count, results)
            bare = bare_count / bare_wall
            print(
                f"bare Whoosh writer (one process, documents read beforehand): {bare:.1f} "
                f"documents/s; Parley's rebuild = {count / wall / bare:.2f}x that"
            )


def report(args, count: int, results: dict) -> None:
    w, f = results["whoosh"], results["fts5"]
    rows = [
        ("rebuild (documents/s)", w["rebuild"][0], f["rebuild"][0], ">= 1,000"),
        ("  per CPU second", w["rebuild"][1], f["rebuild"][1], ""),
        ("index size (MB)", w["size"], f["size"], ""),
    ]
    for label, key in (("interface", "interface"), ("/search page", "page")):
        target = "< 10" if key == "interface" else "< 30"
        rows += [
            (f"{label} p50 (ms)", w[key]["wall"][0], f[key]["wall"][0], ""),
            (f"{label} p95 (ms)", w[key]["wall"][1], f[key]["wall"][1], target),
            ("  CPU p50 (ms)", w[key]["cpu"][0], f[key]["cpu"][0], ""),
            ("  CPU p95 (ms)", w[key]["cpu"][1], f[key]["cpu"][1], ""),
        ]
    print(f"{count:,} documents; {args.queries} queries of one and two words, 10 hits highlighted")
    print(f"rebuild processes: {args.procs}; load average now: {os.getloadavg()[0]:.1f}")
    print(f"{'':24}{'Whoosh':>10}{'FTS5':>10}{'Whoosh/FTS5':>13}  target (Whoosh)")
    for label, whoosh_value, fts_value, target in rows:
        ratio = whoosh_value / fts_value if fts_value else float("nan")
        print(f"{label:24}{whoosh_value:10.1f}{fts_value:10.1f}{ratio:12.2f}x  {target}")


if __name__ == "__main__":
    main()
