"""Markdown runs in a few worker processes, each render under a deadline.

Python-Markdown takes quadratic or worse time on some inputs (a run of "[",
nested block quotes, long lists) and raises RecursionError on deep nesting;
upstream treats these as won't-fix (its issues #798, #1617, #1619). A thread
cannot be stopped, so every render of typed text goes to a worker process,
which is killed and replaced when the deadline passes. Waiting for a free
worker counts against the same deadline: a flood of slow texts is refused,
never queued.

The pool belongs to one process and starts on first use, so each gunicorn
worker (forked before any render) makes its own; a pool inherited across a
fork is left alone and a new one made. Workers come from the "forkserver"
context: a single-threaded server process that imported the renderer once
forks each of them (fork from the threaded app itself is unsafe), so replacing
a killed worker costs milliseconds. Workers are daemonic (ended when the app
exits) and also leave on their own when the app's process is gone. A daemonic
process (a multiprocessing pool's worker) may not have children: it renders in
place, without the time limit.
"""

import multiprocessing
import os
import resource
import signal
import threading
import time
from multiprocessing.connection import Connection

REFUSAL = "This text's formatting is too complex to display; simplify it."
# A fresh worker's start is the site's cost, not the text's: it is not charged to the render.
START_TIMEOUT = 30.0
WARM_UP = "# A\n\n*b* [c](https://d.example)\n\n- e\n\n```\nf\n```\n\n|g|\n|-|\n|h|\n"
# What one render may allocate before it is refused with MemoryError.
MEMORY_LIMIT = 1 << 30


class RenderRefused(ValueError):
    """A text the renderer would not finish within its budget (time, nesting or memory)."""

    def __init__(self, message: str = REFUSAL):
        super().__init__(message)


def _leave_with_parent() -> None:
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch():
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def serve(conn: Connection) -> None:
    """A worker's life: render one text at a time until the app goes away."""
    from blogapp import markup

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the app, which ends us
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or hard > MEMORY_LIMIT:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, hard))
    _leave_with_parent()
    # The first render loads Markdown's extensions and builds bleach's parsers (about 50 ms):
    # done before "ready", so no text is charged for it.
    for kind in ("post", "comment", "plain"):
        markup.render_here(kind, WARM_UP)
    # Mail's HTML (blogapp/inbound): BeautifulSoup and markdownify imported, not charged.
    markup.render_here("mail_html", "<p>a <b>b</b></p><blockquote type='cite'>c</blockquote>")
    conn.send(("ready", None))
    while True:
        try:
            kind, source = conn.recv()
        except (EOFError, OSError):
            return
        try:
            result = markup.render_here(kind, source)
        except BaseException as error:  # RecursionError, MemoryError: the text is refused
            reason = type(error).__name__
        else:
            conn.send(("ok", result))
            continue
        # A worker that failed may be in a bad state: report, and let the pool start another.
        try:
            conn.send(("refused", reason))
        finally:
            os._exit(0)


class _Worker:
    def __init__(self, context):
        self.conn, theirs = context.Pipe()
        self.process = context.Process(
            target=serve, args=(theirs,), daemon=True, name="parley-renderer"
        )
        self.process.start()
        theirs.close()
        self.ready = False

    def wait_ready(self) -> None:
        if self.ready:
            return
        if not self.conn.poll(START_TIMEOUT):
            raise RuntimeError(f"a renderer process did not start within {START_TIMEOUT} s")
        self.conn.recv()
        self.ready = True

    def render(self, kind: str, source: str, seconds: float) -> str:
        try:
            self.conn.send((kind, source))
            if not self.conn.poll(seconds):
                raise RenderRefused()
            status, value = self.conn.recv()
        except (EOFError, OSError):  # the worker died on this text
            raise RenderRefused() from None
        if status != "ok":
            raise RenderRefused()
        return value

    def stop(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class RendererPool:
    """Up to ``size`` worker processes; ``render`` waits at most ``timeout`` seconds in all."""

    def __init__(self, size: int):
        self.size = max(1, size)
        self.pid = os.getpid()
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(["__main__", "blogapp.markup"])
        self._idle: list[_Worker] = []
        self._started = 0
        self._changed = threading.Condition()

    def render(self, kind: str, source: str, timeout: float) -> str:
        """The rendered text, or RenderRefused when it takes longer than ``timeout``."""
        deadline = time.monotonic() + timeout
        worker, left = self._take(deadline)
        try:
            if not worker.ready:
                worker.wait_ready()
                deadline = time.monotonic() + left
            html = worker.render(kind, source, max(0.0, deadline - time.monotonic()))
        except BaseException:
            self._discard(worker)
            raise
        with self._changed:
            self._idle.append(worker)
            self._changed.notify()
        return html

    def _take(self, deadline: float) -> tuple[_Worker, float]:
        """A free worker (started if there is room) and the seconds left for the render."""
        with self._changed:
            while not self._idle and self._started >= self.size:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise RenderRefused()
                self._changed.wait(left)
            left = deadline - time.monotonic()
            if self._idle:
                return self._idle.pop(), left
            self._started += 1
        try:
            return _Worker(self._context), left
        except BaseException:
            self._discard(None)
            raise

    def _discard(self, worker: _Worker | None) -> None:
        if worker is not None:
            worker.stop()
        with self._changed:
            self._started -= 1
            self._changed.notify()

    def worker_pids(self) -> list[int]:
        """The process ids of the idle workers (for tests and the bench)."""
        with self._changed:
            return [w.process.pid for w in self._idle]


def render(kind: str, source: str, timeout: float, workers: int) -> str:
    """``source`` rendered as ``kind`` within ``timeout`` seconds, or RenderRefused."""
    if multiprocessing.current_process().daemon:
        # A multiprocessing pool's worker (batch jobs and test harnesses, never a request)
        # may not start processes: it renders itself, refusing only what fails.
        from blogapp import markup

        try:
            return markup.render_here(kind, source)
        except (RecursionError, MemoryError):
            raise RenderRefused() from None
    return pool(workers).render(kind, source, timeout)


_pool: RendererPool | None = None
_pool_lock = threading.Lock()


def pool(size: int) -> RendererPool:
    """This process's pool, made on first use with at most ``size`` workers (the first
    caller's setting holds for the life of the process)."""
    global _pool
    with _pool_lock:
        if _pool is None or _pool.pid != os.getpid():
            _pool = RendererPool(size)
        return _pool
