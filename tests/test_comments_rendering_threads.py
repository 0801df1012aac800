"""Comments rendered by many request threads at once come out whole.

bleach's Cleaner and Linker keep state while they work, so sharing one between
threads once turned a comment into an empty paragraph under concurrent posting.
"""

import threading

import pytest

from blogapp import markup
from blogapp.markup import render_comment

pytestmark = pytest.mark.slow  # concurrency: many rendering threads

THREADS = 12
ROUNDS = 150


def test_comment_rendering_is_correct_across_threads(monkeypatch):
    # Twelve threads queue for the two renderer processes, and the wait counts against
    # the render deadline: on a loaded CI machine the default two seconds ran out (a
    # refusal, which is the budget doing its job). This test is about correctness.
    monkeypatch.setattr(markup, "DEFAULT_TIMEOUT_SECONDS", 60.0)
    expected = {
        n: f"<p>Comment <strong>number</strong> {n} from a thread</p>" for n in range(THREADS)
    }
    wrong: list[tuple[int, str]] = []
    start = threading.Barrier(THREADS)

    def render_many(n: int) -> None:
        start.wait(timeout=30)
        for _ in range(ROUNDS):
            html = render_comment(f"Comment **number** {n} from a thread")
            if html != expected[n]:
                wrong.append((n, html))

    workers = [threading.Thread(target=render_many, args=(n,)) for n in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not wrong, f"{len(wrong)} renderings went wrong, e.g. {wrong[:3]}"
