"""A real gunicorn server and many concurrent clients, for the load and fault tests and
bench/load.py. Everything listens on 127.0.0.1 and every loop is bounded in time."""

import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import requests
import sqlalchemy as sa

from blogapp.accounts.services import create_user
from blogapp.extensions import db
from blogapp.markup import make_excerpt, render_post
from blogapp.models import Acknowledgement, Comment, CommentStatus, Post, PostStatus, Role, User
from blogapp.models.base import utcnow
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SHOWN_RE = re.compile(r'name="shown"[^>]*value="([^"]*)"')
COMMENT_ID_RE = re.compile(r'id="c(\d+)"')
OWED_RE = re.compile(r'action="/responses/(\d+)/acknowledge"')


@dataclass
class Site:
    posts: list[str]
    readers: list[str]
    staff: list[str]


WRITE_KINDS = frozenset({"comment", "reply", "staff-reply", "acknowledge"})


@dataclass
class Outcome:
    kind: str  # comment | reply | staff-reply | acknowledge
    status: int  # 0 when the connection failed
    marker: str = ""
    comment_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.status in (200, 302, 303)


@dataclass
class LoadReport:
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def statuses(self) -> Counter:
        return Counter(o.status for o in self.outcomes)

    @property
    def writes_per_second(self) -> float:
        """Accepted writes a second; an employee's visit to a queue with nothing owed (kind
        "queue", answered 200) is a page view, not a write."""
        writes = sum(o.ok and o.kind in WRITE_KINDS for o in self.outcomes)
        return writes / self.seconds if self.seconds else 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed_site(posts: int = 4, staff: int = 5, readers: int = 45) -> Site:
    """Posts by one staff author, employees to answer, readers to ask (in the app context)."""
    people = [
        create_user(f"staff{n}@load.example", PASSWORD, f"Staff {n}", Role.STAFF, "Support")
        for n in range(staff)
    ]
    people[0].role = Role.MODERATOR.value
    readers_ = [
        create_user(f"reader{n}@load.example", PASSWORD, f"Reader {n}") for n in range(readers)
    ]
    slugs = []
    for n in range(posts):
        body = f"Load post {n}.\n\nAsk us anything."
        db.session.add(
            Post(
                slug=f"load-{n}",
                title=f"Load post {n}",
                body_source=body,
                body_html=render_post(body),
                excerpt=make_excerpt(body),
                status=PostStatus.PUBLISHED.value,
                published_at=utcnow(),
                author=people[0],
            )
        )
        slugs.append(f"load-{n}")
    db.session.commit()
    return Site(slugs, [u.email for u in readers_], [u.email for u in people])


def server_env(app, **extra: str) -> dict:
    """The environment of a server or CLI process sharing the test's database and folders."""
    env = dict(os.environ)
    env.update(
        FLASK_APP="wsgi",
        PARLEY_ENV="development",
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        PARLEY_INSTANCE_DIR=app.instance_path,
        SEARCH_INDEX_DIR=app.config["SEARCH_INDEX_DIR"],
        MAIL_OUTBOX_DIR=app.config["MAIL_OUTBOX_DIR"],
        COMMENT_MIN_FILL_SECONDS="0",
        COMMENT_RATE_LIMIT_IP="100000 per minute",
        COMMENT_RATE_LIMIT_ACCOUNT="100000 per minute",
    )
    env.update(extra)
    return env


class Gunicorn:
    """gunicorn with our gunicorn.conf.py on a free loopback port."""

    def __init__(self, env: dict, workers: int = 4, threads: int = 4, app_path: str = "wsgi:app"):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(
            env,
            GUNICORN_BIND=f"127.0.0.1:{self.port}",
            GUNICORN_WORKERS=str(workers),
            GUNICORN_THREADS=str(threads),
            GUNICORN_ACCESS_LOG="",
            GUNICORN_MAX_REQUESTS="0",
        )
        self.log = open(Path(env["PARLEY_INSTANCE_DIR"]) / f"gunicorn-{self.port}.log", "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", app_path],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            self.wait_ready()
        except RuntimeError:
            self.stop()
            raise

    def wait_ready(self, timeout: float = 120.0) -> None:
        """Until /healthz answers: a bound on a hang, not a measure (four workers importing
        the app on a machine busy with other work took more than 30 s)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {Path(self.log.name).read_text()}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start in time")

    def worker_pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True)
        return [int(pid) for pid in out.stdout.split()]

    def cpu_seconds(self) -> float:
        """CPU time (user and system) used so far by the server's processes still running:
        the master, its workers and theirs (the renderer processes). Linux's /proc."""
        total, pids = 0, [self.process.pid]
        while pids:
            pid = pids.pop()
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            except OSError:  # gone in between
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
            out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
            pids.extend(int(child) for child in out.stdout.split())
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


def logged_in(base: str, email: str) -> requests.Session:
    session = requests.Session()
    page = session.get(base + "/account/login", timeout=10)
    token = CSRF_RE.search(page.text).group(1)
    response = session.post(
        base + "/account/login",
        timeout=10,
        allow_redirects=False,
        data={"email": email, "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302, f"login failed for {email}: {response.status_code}"
    return session


def _customer_turn(session, base: str, slug: str, rng: random.Random) -> Outcome:
    page = session.get(f"{base}/posts/{slug}", timeout=30)
    if page.status_code != 200:
        return Outcome("page", page.status_code)
    ids = COMMENT_ID_RE.findall(page.text)
    parent = rng.choice(ids) if ids and rng.random() < 0.4 else ""
    marker = uuid.uuid4().hex
    data = {
        "csrf_token": CSRF_RE.search(page.text).group(1),
        "body": f"Question {marker}?",
        "parent_id": parent,
        "website": "",
        "shown": (SHOWN_RE.search(page.text) or [None, ""])[1],
    }
    response = session.post(
        f"{base}/posts/{slug}/comments", data=data, timeout=30, allow_redirects=False
    )
    return Outcome("reply" if parent else "comment", response.status_code, marker)


def _staff_turn(session, base: str, rng: random.Random) -> Outcome:
    page = session.get(base + "/responses", timeout=30)
    if page.status_code != 200:
        return Outcome("queue", page.status_code)
    owed = OWED_RE.findall(page.text)
    if not owed:
        return Outcome("queue", page.status_code)
    comment_id = int(rng.choice(owed))
    token = CSRF_RE.search(page.text).group(1)
    marker = uuid.uuid4().hex
    if rng.random() < 0.5:
        action, data = "reply", {"body": f"Answer {marker}."}
    else:
        action, data = "acknowledge", {"note": f"Seen {marker}"}
    response = session.post(
        f"{base}/responses/{comment_id}/{action}",
        timeout=30,
        data={"csrf_token": token, **data},
        allow_redirects=False,
        headers={"Accept": "application/json"},
    )
    kind = "staff-reply" if action == "reply" else "acknowledge"
    return Outcome(kind, response.status_code, marker, comment_id)


def run_clients(
    base: str,
    site: Site,
    clients: int = 50,
    seconds: float = 30.0,
    seed: int = 7,
    on_start: Callable[[], None] | None = None,
) -> LoadReport:
    """``clients`` threads (one in ten an employee) writing for ``seconds``; ``on_start``
    is called when the clock starts.

    Every client signs in first and the clock starts once all have: fifty password
    checks at once (scrypt, deliberately slow) are not writes, and on a busy machine
    they used to eat the measured seconds and time clients out before their first turn.
    """
    report = LoadReport()
    lock = threading.Lock()

    def email_of(n: int) -> str:
        if n % 10 == 0:
            return site.staff[n // 10 % len(site.staff)]
        return site.readers[n % len(site.readers)]

    sessions: list[requests.Session | None] = [None] * clients

    def sign_in(n: int) -> None:
        for _ in range(3):  # a sign-in that timed out on a loaded machine is tried again
            try:
                sessions[n] = logged_in(base, email_of(n))
                return
            except requests.RequestException:
                continue

    signing_in = [threading.Thread(target=sign_in, args=(n,)) for n in range(clients)]
    for thread in signing_in:
        thread.start()
    for thread in signing_in:
        thread.join(timeout=120)
    if on_start is not None:
        on_start()
    deadline = time.monotonic() + seconds

    def client(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        is_staff = n % 10 == 0
        session = sessions[n]
        if session is None:
            with lock:
                report.outcomes.append(Outcome("sign-in", 0))
            return
        while time.monotonic() < deadline:
            try:
                if is_staff:
                    outcome = _staff_turn(session, base, rng)
                else:
                    outcome = _customer_turn(session, base, rng.choice(site.posts), rng)
            except requests.RequestException:
                outcome = Outcome("connection", 0)
            with lock:
                report.outcomes.append(outcome)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    report.seconds = time.monotonic() - started
    return report


def check_every_success_stored_once(report: LoadReport) -> None:
    """Each accepted write is in the database exactly once; acknowledgements stand."""
    db.session.expire_all()
    bodies = Counter(db.session.scalars(sa.select(Comment.body_source)))
    for outcome in report.outcomes:
        if not outcome.ok or not outcome.marker:
            continue
        if outcome.kind == "acknowledge":
            ack = db.session.scalar(
                sa.select(Acknowledgement).where(Acknowledgement.comment_id == outcome.comment_id)
            )
            assert ack is not None, f"acknowledgement of {outcome.comment_id} lost"
            continue
        matches = [b for b in bodies if outcome.marker in b]
        assert len(matches) == 1 and bodies[matches[0]] == 1, (outcome, matches)


def check_queue_invariant() -> None:
    """The invariant (ARCHITECTURE.md): the queue is exactly the published customer comments
    with no acknowledgement, after folding follow-ups into their conversation."""
    from blogapp.responses.services import owed_ids

    db.session.expire_all()
    standing = Counter(
        db.session.scalars(
            sa.select(Acknowledgement.standing_comment_id).where(
                Acknowledgement.standing_comment_id.is_not(None)
            )
        )
    )
    assert all(n == 1 for n in standing.values()), "a comment has two standing acknowledgements"
    expected = set()
    for comment in db.session.scalars(sa.select(Comment)):
        customer = comment.author_id is None or comment.author.role == Role.READER.value
        if comment.joins is not None:
            # A follow-up folded into its conversation: the same customer's reply to their
            # own comment, joined to that conversation's item (one conversation, one item).
            assert customer and comment.parent is not None, comment
            assert (comment.parent.author_id, comment.parent.guest_email) == (
                comment.author_id,
                comment.guest_email,
            ), comment
            assert comment.joins in (comment.parent, comment.parent.joins), comment
            continue
        if comment.status == CommentStatus.PUBLISHED and customer and comment.id not in standing:
            expected.add(comment.id)
    assert owed_ids() == expected


def reader_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(User.id)).where(User.role == "reader"))


def flask(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flask", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def flask_worker(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "worker", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
